// NEON FP16 transforms of the Gemm pipeline (transforms/gemm_transforms.h).
//
// Input: the receptive-field gather (implicit im2col). V rows of whole
// 8-channel blocks per tap move as vectors through the layout readers of
// layout_io_neon_fp16.h; a panel of 8 tiles that are consecutive pixels of
// one input row (stride 1 along x, inside the image) reads them as one row,
// which for NCHW is a transposing load instead of 8 gathers. Rows whose taps
// hold few channels back to back (tap_channels = C) gather element by
// element.
// Output: M (FP32) times the range scale, plus bias, activation, to FP16,
// through the layout writers; runs of 8 tiles of one output row as rows.
#include <arm_neon.h>

#include <algorithm>

#include "src/fp16.h"
#include "transforms/gemm_transforms.h"
#include "transforms/neon_fp16/layout_io_neon_fp16.h"
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"

namespace hawc {
namespace {

using namespace neon_fp16;

// Reads one 8-channel block of the input, plain or range-scaled.
template <template <bool> class Reader, bool Partial, bool Scaled>
struct BlockReader {
  using Plain = Reader<Partial>;
  std::conditional_t<Scaled, ScaledReader<Plain>, Plain> r;
  BlockReader(const InputTransformArgs& a, int block) : r(make(a, block)) {}
  static auto make(const InputTransformArgs& a, int block) {
    if constexpr (Scaled)
      return ScaledReader<Plain>(Plain(a, block), a.input_scale);
    else
      return Plain(a, block);
  }
};

// The tiles [t0, t0 + mr) of one V panel: where their receptive fields start,
// and whether they are 8 consecutive pixels of one output row at stride 1
// along x.
struct PanelTiles {
  int mr;
  int y0[kGemmMR], x0[kGemmMR];
  bool row_run;
};

PanelTiles panel_tiles(const InputTransformArgs& a, int t0) {
  PanelTiles p;
  p.mr = std::min(kGemmMR, a.tile_count - t0);
  for (int i = 0; i < p.mr; ++i) {
    const ReceptiveField f = receptive_field(a, a.tile_begin + t0 + i);
    p.y0[i] = f.y0, p.x0[i] = f.x0;
  }
  const int first_col = (a.tile_begin + t0) % a.tiles_w;
  p.row_run = p.mr == kGemmMR && a.geometry.stride_w == 1 && first_col + kGemmMR <= a.tiles_w;
  return p;
}

// One V row block (8 elements) of every tile of the panel: channels
// [c0, c0 + 8) of tap (i, j). dst: the block's first tile; 8 elements a tile.
template <template <bool> class Reader, bool Partial, bool Scaled>
void gather_block(const InputTransformArgs& a, const PanelTiles& p, int i, int j, int c0,
                  float16_t* dst) {
  const ConvGeometry& g = a.geometry;
  const BlockReader<Reader, Partial, Scaled> reader(a, c0 / 8);
  const int dy = i * g.dilation_h, dx = j * g.dilation_w;
  if (p.row_run) {
    const int y = p.y0[0] + dy, x = p.x0[0] + dx;
    if (y >= 0 && y < a.height && x >= 0 && x + kGemmMR <= a.width) {
      float16x8_t v[kGemmMR];
      reader.r.template row<kGemmMR>(y, x, v);
      for (int t = 0; t < kGemmMR; ++t) vst1q_f16(dst + t * 8, v[t]);
      return;
    }
  }
  for (int t = 0; t < p.mr; ++t) {
    const int y = p.y0[t] + dy, x = p.x0[t] + dx;
    const bool inside = y >= 0 && y < a.height && x >= 0 && x < a.width;
    vst1q_f16(dst + t * 8, inside ? reader.r.pixel(y, x) : vdupq_n_f16(0));
  }
}

// V rows of whole blocks per tap (tap_channels % 8 == 0).
template <template <bool> class Reader, bool Scaled>
void gather_tap_blocks(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int rows = a.channels_padded, tc = g.tap_channels, taps = g.kernel_h * g.kernel_w;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  for (int t0 = 0; t0 < a.tile_count; t0 += kGemmMR) {
    const PanelTiles p = panel_tiles(a, t0);
    const VTileSlot slot = v_tile_slot(t0, a.tile_count, rows, a.v_part);
    float16_t* panel = static_cast<float16_t*>(a.v) + slot.offset;
    for (int r = r_begin; r < r_end; r += 8) {
      float16_t* dst = panel + size_t(r / 8) * slot.panel_tiles * 8;
      const int tap = r / tc, c0 = r - tap * tc;
      if (tap >= taps || c0 >= a.channels) {  // the row's zero padding
        for (int t = 0; t < p.mr; ++t) vst1q_f16(dst + t * 8, vdupq_n_f16(0));
      } else if (c0 + 8 <= a.channels) {
        gather_block<Reader, false, Scaled>(a, p, tap / g.kernel_w, tap % g.kernel_w, c0, dst);
      } else {
        gather_block<Reader, true, Scaled>(a, p, tap / g.kernel_w, tap % g.kernel_w, c0, dst);
      }
    }
  }
}

// Element by element: V rows with the taps' channels back to back, and
// groups whose channels do not start an NCHW8C block.
void gather_elements(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int rows = a.channels_padded, tc = g.tap_channels, taps = g.kernel_h * g.kernel_w;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.channels;
  const float16_t* in = reinterpret_cast<const float16_t*>(a.input);
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const ReceptiveField f = receptive_field(a, a.tile_begin + lt);
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, rows, a.v_part);
    float16_t* v = static_cast<float16_t*>(a.v) + slot.offset;
    for (int r = r_begin; r < r_end; ++r) {
      const int tap = r / tc, c = r - tap * tc;
      const int y = f.y0 + tap / g.kernel_w * g.dilation_h;
      const int x = f.x0 + tap % g.kernel_w * g.dilation_w;
      float d = 0;
      if (tap < taps && c < a.channels && y >= 0 && y < a.height && x >= 0 && x < a.width)
        d = float(in[tensor_offset(a.layout, tensor_channels, a.height, a.width,
                                   a.channel_offset + c, y, x)]) *
            a.input_scale;
      v[size_t(r / 8) * slot.panel_tiles * 8 + r % 8] = float16_t(d);
    }
  }
}

template <bool Scaled>
void gather(const InputTransformArgs& a) {
  switch (a.layout) {
    case Layout::NCHW: return gather_tap_blocks<NchwReader, Scaled>(a);
    case Layout::NHWC: return gather_tap_blocks<NhwcReader, Scaled>(a);
    case Layout::NCHW8C: return gather_tap_blocks<Nchw8cReader, Scaled>(a);
  }
}

// Output channels [k0, k0 + 8) of M row m: scaled, biased, activated, FP16.
inline float16x8_t finish(const float* m, const OutputTransformArgs& a, int k0) {
  float32x4_t lo = vld1q_f32(m + k0), hi = vld1q_f32(m + k0 + 4);
  if (a.m_scale != 1.0f) lo = vmulq_n_f32(lo, a.m_scale), hi = vmulq_n_f32(hi, a.m_scale);
  lo = vaddq_f32(lo, vld1q_f32(a.bias_f32 + k0));
  hi = vaddq_f32(hi, vld1q_f32(a.bias_f32 + k0 + 4));
  if (a.activation != Activation::None) {
    lo = vmaxq_f32(lo, vdupq_n_f32(0)), hi = vmaxq_f32(hi, vdupq_n_f32(0));
    if (a.activation == Activation::Relu6)
      lo = vminq_f32(lo, vdupq_n_f32(6)), hi = vminq_f32(hi, vdupq_n_f32(6));
  }
  return vcvt_high_f16_f32(vcvt_f16_f32(lo), hi);
}

template <template <bool> class Writer, bool Partial>
void output_block(const OutputTransformArgs& a, int block) {
  const Writer<Partial> w(a, block);
  const float* m = static_cast<const float*>(a.m);
  const size_t kp = size_t(a.out_channels_padded);
  for (int lt = 0; lt < a.tile_count;) {
    const int t = a.tile_begin + lt, y = t / a.tiles_w, x = t % a.tiles_w;
    if (lt + kGemmMR <= a.tile_count && x + kGemmMR <= a.tiles_w) {
      float16x8_t v[kGemmMR];
      for (int i = 0; i < kGemmMR; ++i) v[i] = finish(m + (lt + i) * kp, a, block * 8);
      w.template row<kGemmMR>(y, x, v);
      lt += kGemmMR;
    } else {
      w.pixel(y, x, finish(m + lt * kp, a, block * 8));
      ++lt;
    }
  }
}

// Element by element: groups whose channels do not fill whole NCHW8C blocks.
void output_elements(const OutputTransformArgs& a) {
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.out_channels;
  float16_t* out = reinterpret_cast<float16_t*>(a.output);
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const int t = a.tile_begin + lt, y = t / a.tiles_w, x = t % a.tiles_w;
    const float* m = static_cast<const float*>(a.m) + size_t(lt) * a.out_channels_padded;
    for (int k = a.k_begin; k < std::min(a.k_end, a.out_channels); ++k) {
      float s = m[k] * a.m_scale + a.bias_f32[k];
      if (a.activation != Activation::None) s = std::max(s, 0.0f);
      if (a.activation == Activation::Relu6) s = std::min(s, 6.0f);
      out[tensor_offset(a.layout, tensor_channels, a.out_h, a.out_w, a.channel_offset + k, y, x)] =
          float16_t(s);
    }
    write_nchw8c_padding_lanes(a, y, x);
  }
}

template <template <bool> class Writer>
void output_layout(const OutputTransformArgs& a) {
  // NCHW8C also owns the zero lanes of its last channel block.
  const int k_end = std::min(a.k_end, int(round_up(a.out_channels, 8)));
  for (int block = a.k_begin / 8; block * 8 < k_end; ++block) {
    if (block * 8 + 8 <= a.out_channels)
      output_block<Writer, false>(a, block);
    else
      output_block<Writer, true>(a, block);
  }
}

// A group's channels [offset, offset + channels) of a tensor as a tensor of
// their own, for the vector paths: NCHW planes and NHWC pixels start at the
// offset (NHWC keeps the tensor's pixel stride); NCHW8C only where the group
// starts a block and its blocks are its own: whole, or the tensor's last,
// whose +0 lanes are the tensor's padding (a partial block elsewhere would
// zero the next group's lanes on output). False: element by element.
template <class Args, class Ptr>
bool group_as_tensor(Args& a, Ptr& data, int channels, int height, int width) {
  if (a.tensor_channels <= 0 || a.tensor_channels == channels) return true;
  const size_t plane = size_t(height) * width;
  switch (a.layout) {
    case Layout::NCHW: data += size_t(a.channel_offset) * plane; break;
    case Layout::NHWC: data += a.channel_offset; break;
    case Layout::NCHW8C:
      if (a.channel_offset % 8 != 0 ||
          (channels % 8 != 0 && a.channel_offset + channels != a.tensor_channels))
        return false;
      data += size_t(a.channel_offset) * plane;  // whole blocks of 8 x plane
      break;
  }
  a.channel_offset = 0;
  if (a.layout != Layout::NHWC) a.tensor_channels = 0;
  return true;
}

}  // namespace

void gemm_input_transform_neon_fp16(const InputTransformArgs& args) {
  InputTransformArgs a = args;
  if (a.geometry.tap_channels % 8 != 0 ||
      !group_as_tensor(a, a.input, a.channels, a.height, a.width))
    return gather_elements(args);
  if (a.input_scale != 1.0f) return gather<true>(a);
  gather<false>(a);
}

void gemm_output_transform_neon_fp16(const OutputTransformArgs& args) {
  OutputTransformArgs a = args;
  if (!group_as_tensor(a, a.output, a.out_channels, a.out_h, a.out_w))
    return output_elements(args);
  switch (a.layout) {
    case Layout::NCHW: return output_layout<NchwWriter>(a);
    case Layout::NHWC: return output_layout<NhwcWriter>(a);
    case Layout::NCHW8C: return output_layout<Nchw8cWriter>(a);
  }
}

}  // namespace hawc
