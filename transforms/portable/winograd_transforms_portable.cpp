// Portable Winograd input/output transforms: readable, layout-generic, FP32.
// They define what the NEON FP16 transforms must compute (tests compare them).
#include <algorithm>

#include "src/fp16.h"
#include "transforms/winograd_matrices.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

template <int Rows, int Cols>
void to_float(const Rational* r, float* out) {
  for (int i = 0; i < Rows * Cols; ++i) out[i] = float(r[i].value());
}

}  // namespace

template <Variant V>
void winograd_input_transform_portable(const InputTransformArgs& a) {
  constexpr int m = variant_m(V), alpha = variant_alpha(V);
  const WinogradMatrices& mat = winograd_matrices(V);
  float bt[alpha * alpha];
  to_float<alpha, alpha>(mat.BT, bt);
  const int cp = a.channels_padded;
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const int t = a.tile_begin + lt;
    const int y0 = (t / a.tiles_w) * m - a.pad_top, x0 = (t % a.tiles_w) * m - a.pad_left;
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, cp, a.v_part);
    float* tile_v = static_cast<float*>(a.v) + slot.offset;
    for (int c = a.channel_begin; c < std::min(a.channel_end, cp); ++c) {
      float d[alpha][alpha] = {};
      if (c < a.channels) {
        for (int i = 0; i < alpha; ++i)
          for (int j = 0; j < alpha; ++j) {
            const int y = y0 + i, x = x0 + j;
            if (y >= 0 && y < a.height && x >= 0 && x < a.width)
              d[i][j] =
                  fp16_to_fp32(
                      a.input[tensor_offset(a.layout, a.channels, a.height, a.width, c, y, x)]) *
                  a.input_scale;
          }
      }
      float tmp[alpha][alpha];  // B^T d
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j) {
          float s = 0;
          for (int k = 0; k < alpha; ++k) s += bt[i * alpha + k] * d[k][j];
          tmp[i][j] = s;
        }
      float* dst = tile_v + size_t(c / 8) * slot.panel_tiles * 8 + (c % 8);
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j) {  // (B^T d) B
          float s = 0;
          for (int k = 0; k < alpha; ++k) s += tmp[i][k] * bt[j * alpha + k];
          dst[size_t(i * alpha + j) * a.v_point_stride] = s;
        }
    }
  }
}

template <Variant V>
void winograd_output_transform_portable(const OutputTransformArgs& a) {
  constexpr int m = variant_m(V), alpha = variant_alpha(V);
  const WinogradMatrices& mat = winograd_matrices(V);
  float at[m * alpha];
  to_float<m, alpha>(mat.AT, at);
  // NCHW8C also owns the zero lanes of its last channel block.
  const int k_end = a.layout == Layout::NCHW8C ? int(round_up(a.out_channels, 8)) : a.out_channels;
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const int t = a.tile_begin + lt;
    const int y0 = (t / a.tiles_w) * m, x0 = (t % a.tiles_w) * m;
    const int rows = std::min(m, a.out_h - y0), cols = std::min(m, a.out_w - x0);
    const float* src = static_cast<const float*>(a.m) + size_t(lt) * a.out_channels_padded;
    for (int k = a.k_begin; k < std::min(a.k_end, k_end); ++k) {
      float y[m][m] = {};
      if (k < a.out_channels) {
        float tmp[m][alpha];  // A^T M
        for (int i = 0; i < m; ++i)
          for (int j = 0; j < alpha; ++j) {
            float s = 0;
            for (int q = 0; q < alpha; ++q)
              s += at[i * alpha + q] *
                   (src[size_t(q * alpha + j) * a.m_point_stride + k] * a.m_scale);
            tmp[i][j] = s;
          }
        for (int i = 0; i < rows; ++i)
          for (int j = 0; j < cols; ++j) {  // (A^T M) A + bias, activation
            float s = a.bias_f32[k];
            for (int q = 0; q < alpha; ++q) s += tmp[i][q] * at[j * alpha + q];
            if (a.activation != Activation::None) s = std::max(s, 0.0f);
            if (a.activation == Activation::Relu6) s = std::min(s, 6.0f);
            y[i][j] = s;
          }
      }
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
          a.output[tensor_offset(a.layout, a.out_channels, a.out_h, a.out_w, k, y0 + i, x0 + j)] =
              fp32_to_fp16(y[i][j]);
    }
  }
}

#define HAWC_INSTANTIATE(V)                                                      \
  template void winograd_input_transform_portable<V>(const InputTransformArgs&); \
  template void winograd_output_transform_portable<V>(const OutputTransformArgs&);
HAWC_INSTANTIATE(Variant::F2x3)
HAWC_INSTANTIATE(Variant::F4x3)
HAWC_INSTANTIATE(Variant::F6x3)
#undef HAWC_INSTANTIATE

}  // namespace hawc
