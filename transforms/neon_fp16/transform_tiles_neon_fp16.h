// The tile loops of the NEON FP16 Winograd transforms, shared by all
// variants: a variant supplies its 1-D transform as a struct
//   Transform::alpha, Transform::m
//   Transform::apply(const V (&in)[alpha], V (&out)[rows])   // rows = alpha for B^T, m for A^T
// written with the operations below, and these loops apply it to the rows
// and then the columns of each tile, 8 channels per vector. The arithmetic
// type Vec is float16x8_t or Float32x8; V, M and the tensors stay FP16.
// Private to transforms/neon_fp16; needs FP16 arithmetic flags.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <type_traits>

#include "src/fp16.h"
#include "transforms/neon_fp16/layout_io_neon_fp16.h"

namespace hawc {
namespace neon_fp16 {

// The operations of the 1-D transforms. c is an entry of a transform matrix:
// all are small dyadic rationals, exact in FP16.
inline float16x8_t plus(float16x8_t a, float16x8_t b) { return vaddq_f16(a, b); }
inline float16x8_t minus(float16x8_t a, float16x8_t b) { return vsubq_f16(a, b); }
inline float16x8_t mul_add(float16x8_t acc, float16x8_t x, float c) {  // acc + x * c
  return vfmaq_n_f16(acc, x, float16_t(c));
}
inline float16x8_t mul_sub(float16x8_t acc, float16x8_t x, float c) {  // acc - x * c
  return vfmsq_n_f16(acc, x, float16_t(c));
}
inline float16x8_t scale(float16x8_t x, float c) { return vmulq_n_f16(x, float16_t(c)); }

// The same in FP32 on 8 channels (two float32x4_t), for the variants whose
// large transform coefficients would amplify FP16 rounding in the transforms
// past the convolution's error bound.
struct Float32x8 {
  float32x4_t lo, hi;
};
inline Float32x8 plus(Float32x8 a, Float32x8 b) { return {vaddq_f32(a.lo, b.lo), vaddq_f32(a.hi, b.hi)}; }
inline Float32x8 minus(Float32x8 a, Float32x8 b) { return {vsubq_f32(a.lo, b.lo), vsubq_f32(a.hi, b.hi)}; }
inline Float32x8 mul_add(Float32x8 acc, Float32x8 x, float c) {
  return {vfmaq_n_f32(acc.lo, x.lo, c), vfmaq_n_f32(acc.hi, x.hi, c)};
}
inline Float32x8 mul_sub(Float32x8 acc, Float32x8 x, float c) {
  return {vfmsq_n_f32(acc.lo, x.lo, c), vfmsq_n_f32(acc.hi, x.hi, c)};
}
inline Float32x8 scale(Float32x8 x, float c) { return {vmulq_n_f32(x.lo, c), vmulq_n_f32(x.hi, c)}; }

template <class Vec>
Vec widen(float16x8_t v);
template <>
inline float16x8_t widen<float16x8_t>(float16x8_t v) { return v; }
template <>
inline Float32x8 widen<Float32x8>(float16x8_t v) {
  return {vcvt_f32_f16(vget_low_f16(v)), vcvt_high_f32_f16(v)};
}
inline float16x8_t narrow(float16x8_t v) { return v; }
inline float16x8_t narrow(Float32x8 v) { return vcvt_high_f16_f32(vcvt_f16_f32(v.lo), v.hi); }

// 8 FP32 values of M (src/winograd_kernels.h) as the transform's vector type.
template <class Vec>
Vec load_m(const float* p);
template <>
inline Float32x8 load_m<Float32x8>(const float* p) { return {vld1q_f32(p), vld1q_f32(p + 4)}; }
template <>
inline float16x8_t load_m<float16x8_t>(const float* p) {
  return narrow(Float32x8{vld1q_f32(p), vld1q_f32(p + 4)});
}

// The same times the range scale s (OutputTransformArgs::m_scale), in FP32
// before any narrowing: exact for a power of two.
template <class Vec>
Vec load_m_scaled(const float* p, float s);
template <>
inline Float32x8 load_m_scaled<Float32x8>(const float* p, float s) {
  return {vmulq_n_f32(vld1q_f32(p), s), vmulq_n_f32(vld1q_f32(p + 4), s)};
}
template <>
inline float16x8_t load_m_scaled<float16x8_t>(const float* p, float s) {
  return narrow(load_m_scaled<Float32x8>(p, s));
}

// A reader (layout_io_neon_fp16.h) whose pixels come out times the range
// scale (InputTransformArgs::input_scale), as two FP16 multiplies by powers
// of two, s1 then s2 (each in FP16's range, their product need not be):
// exact unless a result falls below FP16's normal range, where the rounding
// is far below the largest scaled input's.
template <class Base>
struct ScaledReader {
  Base in;
  float16x8_t s1, s2;
  ScaledReader(const Base& b, float scale) : in(b) {
    const int e = exponent_of(scale), e1 = std::clamp(e, -14, 15);
    s1 = vdupq_n_f16(float16_t(pow2f(e1)));
    s2 = vdupq_n_f16(float16_t(pow2f(e - e1)));
  }
  float16x8_t scaled(float16x8_t v) const { return vmulq_f16(vmulq_f16(v, s1), s2); }
  float16x8_t pixel(int y, int x) const { return scaled(in.pixel(y, x)); }
  template <int N>
  void row(int y, int x0, float16x8_t* out) const {
    in.template row<N>(y, x0, out);
    for (int j = 0; j < N; ++j) out[j] = scaled(out[j]);
  }
};

// ---- input transform: V = B^T d B ----

// d B of one patch row.
template <class Transform, class Vec>
inline void input_row_pass(const float16x8_t (&d)[Transform::alpha], Vec (&db)[Transform::alpha]) {
  Vec dv[Transform::alpha];
  for (int j = 0; j < Transform::alpha; ++j) dv[j] = widen<Vec>(d[j]);
  Transform::apply(dv, db);
}

// One tile of one channel block into V (8 lanes per point, point stride
// `stride`).
template <class Transform, class Vec, class Reader>
inline void input_tile(const Reader& in, int y0, int x0, int h, int w, float16_t* v,
                       size_t stride) {
  constexpr int alpha = Transform::alpha;
  Vec db[alpha][alpha];  // d B, by patch row
  if (y0 >= 0 && x0 >= 0 && y0 + alpha <= h && x0 + alpha <= w) {  // interior: no bounds checks
    for (int i = 0; i < alpha; ++i) {
      float16x8_t d[alpha];
      in.template row<alpha>(y0 + i, x0, d);
      input_row_pass<Transform>(d, db[i]);
    }
  } else {  // pixels outside the image are the convolution's zero padding
    for (int i = 0; i < alpha; ++i) {
      const int y = y0 + i;
      float16x8_t d[alpha];
      for (int j = 0; j < alpha; ++j) {
        const int x = x0 + j;
        d[j] = y >= 0 && y < h && x >= 0 && x < w ? in.pixel(y, x) : vdupq_n_f16(0);
      }
      input_row_pass<Transform>(d, db[i]);
    }
  }
  for (int j = 0; j < alpha; ++j) {
    Vec col[alpha], r[alpha];
    for (int i = 0; i < alpha; ++i) col[i] = db[i][j];
    Transform::apply(col, r);
    for (int i = 0; i < alpha; ++i) vst1q_f16(v + size_t(i * alpha + j) * stride, narrow(r[i]));
  }
}

// A variant's assembly input transform of `tiles` interior tiles of one tile
// row from NCHW8C (e.g. gen_transform_asm.py's): in = the first patch's
// top-left pixel, row = bytes between image rows, v = the first tile's slot,
// point = bytes between V points; tile i reads m pixels further right and
// writes 16 bytes further on. Bitwise the same as input_tile.
using InteriorTilesNchw8c = void (*)(const float16_t* in, size_t row, float16_t* v, size_t point,
                                     size_t tiles);

// GCC lets NEON stores alias anything: the loops work on a local copy of the
// arguments, or every store would force their fields to be reloaded.
// Scaled: range-scaled input (rare: data far from FP16's window), read
// through ScaledReader by the C++ tile path (two more multiplies per pixel).
// Its own instantiation: sharing one with the unscaled path cost the FP16
// transforms 2% more instructions (GCC inlined less).
template <class Transform, class Vec, template <bool> class Reader, bool Scaled>
void input_transform_layout(const InputTransformArgs& args, InteriorTilesNchw8c interior) {
  const InputTransformArgs a = args;
  constexpr int alpha = Transform::alpha, m = Transform::m;
  const int cp = a.channels_padded;
  for (int t0 = 0; t0 < a.tile_count; t0 += kGemmMR) {
    const int mr = std::min(kGemmMR, a.tile_count - t0);  // tiles transformed
    // Their panel: it holds slot.panel_tiles tiles, the first of ours at slot.offset.
    const VTileSlot slot = v_tile_slot(t0, a.tile_count, cp, a.v_part);
    float16_t* panel = static_cast<float16_t*>(a.v) + slot.offset;
    int y0[kGemmMR], x0[kGemmMR];  // patch origins in the input
    bool inside[kGemmMR];          // the whole patch lies in the image
    for (int i = 0; i < mr; ++i) {
      const int t = a.tile_begin + t0 + i;
      y0[i] = t / a.tiles_w * m - a.pad_top;
      x0[i] = t % a.tiles_w * m - a.pad_left;
      inside[i] = y0[i] >= 0 && x0[i] >= 0 && y0[i] + alpha <= a.height && x0[i] + alpha <= a.width;
    }
    // Tiles innermost: the tiles of a panel fill whole cache lines of V
    // ([c / 8][mr][8]) one after the other.
    for (int block = a.channel_begin / 8; block < std::min(a.channel_end, cp) / 8; ++block) {
      float16_t* dst = panel + size_t(block) * slot.panel_tiles * 8;
      auto transform_tiles = [&](const auto& reader) {
        for (int i = 0; i < mr;) {
          if constexpr (std::is_same_v<std::decay_t<decltype(reader)>, Nchw8cReader<false>>) {
            if (interior != nullptr && inside[i]) {  // a run of interior tiles of one row
              int j = i + 1;
              while (j < mr && inside[j] && y0[j] == y0[i] && x0[j] == x0[j - 1] + m) ++j;
              interior(reader.base + (size_t(y0[i]) * a.width + x0[i]) * 8,
                       size_t(a.width) * 8 * sizeof(float16_t), dst + i * 8,
                       a.v_point_stride * sizeof(float16_t), size_t(j - i));
              i = j;
              continue;
            }
          }
          input_tile<Transform, Vec>(reader, y0[i], x0[i], a.height, a.width, dst + i * 8,
                                     a.v_point_stride);
          ++i;
        }
      };
      auto transform_block = [&](const auto& reader) {
        if constexpr (Scaled)
          transform_tiles(ScaledReader<std::decay_t<decltype(reader)>>(reader, a.input_scale));
        else
          transform_tiles(reader);
      };
      if (block * 8 + 8 <= a.channels) {
        transform_block(Reader<false>(a, block));
      } else if (block * 8 < a.channels) {
        transform_block(Reader<true>(a, block));
      } else {  // padding block beyond round_up(C, 8)
        for (int p = 0; p < alpha * alpha; ++p)
          for (int i = 0; i < mr; ++i) vst1q_f16(dst + p * a.v_point_stride + i * 8, vdupq_n_f16(0));
      }
    }
  }
}

// interior: the variant's assembly for interior NCHW8C tiles, or nullptr.
template <class Transform, class Vec, bool Scaled>
void input_transform_scaled(const InputTransformArgs& a, InteriorTilesNchw8c interior) {
  switch (a.layout) {
    case Layout::NCHW:
      return input_transform_layout<Transform, Vec, NchwReader, Scaled>(a, nullptr);
    case Layout::NHWC:
      return input_transform_layout<Transform, Vec, NhwcReader, Scaled>(a, nullptr);
    case Layout::NCHW8C:
      return input_transform_layout<Transform, Vec, Nchw8cReader, Scaled>(a, interior);
  }
}

template <class Transform, class Vec>
void input_transform(const InputTransformArgs& a, InteriorTilesNchw8c interior = nullptr) {
  if (a.input_scale == 1.0f)
    input_transform_scaled<Transform, Vec, false>(a, interior);
  else
    input_transform_scaled<Transform, Vec, true>(a, interior);
}

// ---- output transform: Y = A^T M A + bias, activation ----

// m_scale: OutputTransformArgs::m_scale, applied when Scaled.
template <class Transform, class Vec, bool Scaled, class Writer>
inline void output_tile(const Writer& out, const float* src, size_t stride, float16x8_t bias,
                        Activation act, int y0, int x0, int rows, int cols, float m_scale) {
  constexpr int alpha = Transform::alpha, m = Transform::m;
  Vec atm[m][alpha];  // A^T M
  for (int j = 0; j < alpha; ++j) {
    Vec col[alpha], r[m];
    for (int i = 0; i < alpha; ++i) {
      const float* p = src + size_t(i * alpha + j) * stride;
      col[i] = Scaled ? load_m_scaled<Vec>(p, m_scale) : load_m<Vec>(p);
    }
    // Column 1 of A^T (the point 1) is all ones in every variant, so the
    // bias added to point (1, 1) reaches each output once: 1 add per tile.
    if (j == 1) col[1] = plus(col[1], widen<Vec>(bias));
    Transform::apply(col, r);
    for (int i = 0; i < m; ++i) atm[i][j] = r[i];
  }
  const float16x8_t zero = vdupq_n_f16(0), six = vdupq_n_f16(6);
  for (int i = 0; i < rows; ++i) {  // rows past the output are not computed
    Vec yv[m];
    Transform::apply(atm[i], yv);
    float16x8_t y[m];
    for (int j = 0; j < m; ++j) y[j] = narrow(yv[j]);
    if (act != Activation::None)
      for (int j = 0; j < m; ++j) y[j] = vmaxq_f16(y[j], zero);
    if (act == Activation::Relu6)
      for (int j = 0; j < m; ++j) y[j] = vminq_f16(y[j], six);
    if (cols == m) {
      out.template row<m>(y0 + i, x0, y);
    } else {
      for (int j = 0; j < cols; ++j) out.pixel(y0 + i, x0 + j, y[j]);
    }
  }
}

// A variant's assembly output transform of `tiles` full tiles of one tile
// row into NCHW8C, one per activation (e.g. gen_transform_asm.py's): m = the
// first tile's M (point 0), point = bytes between M points, tile = bytes
// between the tiles' M, out = the first tile's top-left output pixel, row =
// bytes between output rows, bias = the block's 8 FP16 values. Bitwise the
// same as output_tile.
using FullTilesNchw8c = void (*)(const float* m, size_t point, size_t tile, float16_t* out,
                                 size_t row, const float16_t* bias, size_t tiles);
struct FullTilesNchw8cByActivation {
  FullTilesNchw8c none, relu, relu6;
  FullTilesNchw8c operator[](Activation a) const {
    return a == Activation::None ? none : a == Activation::Relu ? relu : relu6;
  }
};

template <class Transform, class Vec, bool Scaled, template <bool> class Writer>
void output_transform_layout(const OutputTransformArgs& args, FullTilesNchw8c full) {
  const OutputTransformArgs a = args;  // see input_transform_layout
  constexpr int m = Transform::m;
  if (Scaled) full = nullptr;  // the assembly does not scale
  const float16_t* bias = reinterpret_cast<const float16_t*>(a.bias_f16);
  const int blocks = int(div_up(a.out_channels, 8));  // those holding output channels
  const int block_end = std::min(blocks, std::min(a.k_end, a.out_channels_padded) / 8);
  auto origin = [&](int lt, int* y0, int* x0) {
    const int t = a.tile_begin + lt;
    *y0 = t / a.tiles_w * m, *x0 = t % a.tiles_w * m;
  };
  auto is_full = [&](int y0, int x0) { return y0 + m <= a.out_h && x0 + m <= a.out_w; };
  for (int lt = 0; lt < a.tile_count;) {
    int y0, x0;
    origin(lt, &y0, &x0);
    // With assembly: a run of full tiles of one tile row, else one tile.
    int run = 1;
    if (full != nullptr && is_full(y0, x0))
      for (int yn, xn; lt + run < a.tile_count; ++run) {
        origin(lt + run, &yn, &xn);
        if (yn != y0 || !is_full(yn, xn)) break;
      }
    const float* src = static_cast<const float*>(a.m) + size_t(lt) * a.out_channels_padded;
    for (int block = a.k_begin / 8; block < block_end; ++block) {
      if (full != nullptr && block * 8 + 8 <= a.out_channels && is_full(y0, x0)) {
        const Writer<false> w(a, block);
        full(src + block * 8, a.m_point_stride * sizeof(float),
             size_t(a.out_channels_padded) * sizeof(float), w.base + (size_t(y0) * a.out_w + x0) * 8,
             size_t(a.out_w) * 8 * sizeof(float16_t), bias + block * 8, size_t(run));
        continue;
      }
      for (int r = 0; r < run; ++r) {
        int ty, tx;
        origin(lt + r, &ty, &tx);
        const int rows = std::min(m, a.out_h - ty), cols = std::min(m, a.out_w - tx);
        const float* tsrc = src + size_t(r) * a.out_channels_padded + block * 8;
        const float16x8_t b = vld1q_f16(bias + block * 8);
        if (block * 8 + 8 <= a.out_channels)
          output_tile<Transform, Vec, Scaled>(Writer<false>(a, block), tsrc, a.m_point_stride, b,
                                              a.activation, ty, tx, rows, cols, a.m_scale);
        else
          output_tile<Transform, Vec, Scaled>(Writer<true>(a, block), tsrc, a.m_point_stride, b,
                                              a.activation, ty, tx, rows, cols, a.m_scale);
      }
    }
    lt += run;
  }
}

// full: the variant's assembly for full NCHW8C tiles, or all nullptr.
template <class Transform, class Vec, bool Scaled>
void output_transform_scaled(const OutputTransformArgs& a, FullTilesNchw8cByActivation full) {
  switch (a.layout) {
    case Layout::NCHW:
      return output_transform_layout<Transform, Vec, Scaled, NchwWriter>(a, nullptr);
    case Layout::NHWC:
      return output_transform_layout<Transform, Vec, Scaled, NhwcWriter>(a, nullptr);
    case Layout::NCHW8C:
      return output_transform_layout<Transform, Vec, Scaled, Nchw8cWriter>(a, full[a.activation]);
  }
}

template <class Transform, class Vec>
void output_transform(const OutputTransformArgs& a, FullTilesNchw8cByActivation full = {}) {
  // Range-scaled M (rare): the C++ tile path, 2 more multiplies per M
  // vector, and FP32 arithmetic whatever Vec is: outputs far from 1 (below
  // FP16's normal range, or near its top while M, larger than its outputs,
  // is not) would otherwise lose their bits in FP16 arithmetic.
  if (a.m_scale == 1.0f)
    output_transform_scaled<Transform, Vec, false>(a, full);
  else
    output_transform_scaled<Transform, Float32x8, true>(a, full);
}

}  // namespace neon_fp16
}  // namespace hawc
