// Portable Gemm-pipeline transforms: readable, layout-generic, FP32. They
// define what the NEON FP16 ones must compute (tests compare them).
#include <algorithm>

#include "src/fp16.h"
#include "transforms/gemm_transforms.h"

namespace hawc {

void gemm_input_transform_portable(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int taps = g.kernel_h * g.kernel_w;
  const int rows = a.channels_padded;
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.channels;
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const ReceptiveField f = receptive_field(a, a.tile_begin + lt);
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, rows, a.v_part);
    float* v = static_cast<float*>(a.v) + slot.offset;
    for (int r = a.channel_begin; r < std::min(a.channel_end, rows); ++r) {
      const int tap = r / g.tap_channels, c = r % g.tap_channels;
      const int y = f.y0 + tap / g.kernel_w * g.dilation_h;
      const int x = f.x0 + tap % g.kernel_w * g.dilation_w;
      float d = 0;
      if (tap < taps && c < a.channels && y >= 0 && y < a.height && x >= 0 && x < a.width)
        d = fp16_to_fp32(a.input[tensor_offset(a.layout, tensor_channels, a.height, a.width,
                                               a.channel_offset + c, y, x)]) *
            a.input_scale;
      v[size_t(r / 8) * slot.panel_tiles * 8 + r % 8] = d;
    }
  }
}

void gemm_output_transform_portable(const OutputTransformArgs& a) {
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.out_channels;
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const int t = a.tile_begin + lt, y = t / a.tiles_w, x = t % a.tiles_w;
    const float* m = static_cast<const float*>(a.m) + size_t(lt) * a.out_channels_padded;
    for (int k = a.k_begin; k < std::min(a.k_end, a.out_channels); ++k) {
      float s = m[k] * a.m_scale + a.bias_f32[k];
      if (a.activation != Activation::None) s = std::max(s, 0.0f);
      if (a.activation == Activation::Relu6) s = std::min(s, 6.0f);
      a.output[tensor_offset(a.layout, tensor_channels, a.out_h, a.out_w, a.channel_offset + k, y,
                             x)] = fp32_to_fp16(s);
    }
    write_nchw8c_padding_lanes(a, y, x);
  }
}

}  // namespace hawc
