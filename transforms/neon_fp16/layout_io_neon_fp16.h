// Moving 8-channel FP16 vectors (lane L = channel 8 * block + L) between the
// tensor layouts and registers, for the NEON FP16 Winograd transforms.
//
// One reader / writer per layout and channel block, with two shapes:
// Partial = false for a block of 8 real channels, true for the last block when
// C % 8 != 0, whose lanes >= C % 8 are never read from NCHW / NHWC (they are
// not in the tensor) and come out as zeros. Each offers pixel(y, x) for any
// pixel and row<N>(y, x0) for N consecutive pixels of a row that lie inside
// the image. Private to transforms/neon_fp16; needs FP16 arithmetic flags.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "src/winograd_kernels.h"

namespace hawc {
namespace neon_fp16 {

using Lanes = std::make_integer_sequence<int, 8>;

// Lanes below n set: selects the real channels of a partial block.
inline uint16x8_t lanes_below(int n) {
  static const uint16_t kIota[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  return vcltq_u16(vld1q_u16(kIota), vdupq_n_u16(uint16_t(n)));
}

inline float16x8_t keep_lanes(float16x8_t v, uint16x8_t mask) {
  return vreinterpretq_f16_u16(vandq_u16(vreinterpretq_u16_f16(v), mask));
}

// v[L] = p[L * stride] for the real lanes, 0 for the others.
template <bool Partial, int... L>
inline float16x8_t gather_lanes(const float16_t* p, size_t stride, int lanes,
                                std::integer_sequence<int, L...>) {
  float16x8_t v = vdupq_n_f16(0);
  ((Partial && L >= lanes ? void() : void(v = vld1q_lane_f16(p + L * stride, v, L))), ...);
  return v;
}

template <bool Partial, int... L>
inline void scatter_lanes(float16_t* p, size_t stride, int lanes, float16x8_t v,
                          std::integer_sequence<int, L...>) {
  ((Partial && L >= lanes ? void() : vst1q_lane_f16(p + L * stride, v, L)), ...);
}

// NCHW rows: 8 channel planes, N pixels each (N = 2, 4, 6 or 8), to or from
// N pixel vectors. Each plane's row segment is read or written as one piece
// (4 or 2 pixels at a time) and transposed in registers with TRN / UZP /
// ZIP; nothing outside the segments is touched. (LD4 / ST4 to one lane would
// transpose in the load, but GCC 12 moves their register tuples through the
// stack: 1.6x the instructions of the whole F2x3 input transform.)

inline uint32x4_t as_u32(float16x8_t v) { return vreinterpretq_u32_f16(v); }
inline float16x8_t as_f16(uint32x4_t v) { return vreinterpretq_f16_u32(v); }

// 4x4 transposes of both 64-bit halves: rows x[i] (lanes = columns) become
// columns. Its own inverse.
inline void transpose_halves_4x4(float16x8_t (&x)[4]) {
  const float16x8_t t0 = vtrn1q_f16(x[0], x[1]), t1 = vtrn2q_f16(x[0], x[1]);
  const float16x8_t t2 = vtrn1q_f16(x[2], x[3]), t3 = vtrn2q_f16(x[2], x[3]);
  x[0] = as_f16(vtrn1q_u32(as_u32(t0), as_u32(t2)));
  x[1] = as_f16(vtrn1q_u32(as_u32(t1), as_u32(t3)));
  x[2] = as_f16(vtrn2q_u32(as_u32(t0), as_u32(t2)));
  x[3] = as_f16(vtrn2q_u32(as_u32(t1), as_u32(t3)));
}

// out[j][L] = p[L * plane + j], j < 4: channels L and L + 4 share a vector
// (low and high half), then the halves are transposed.
template <bool Partial>
inline void load_transposed4(const float16_t* p, size_t plane, int lanes, float16x8_t* out) {
  float16x8_t x[4];
  for (int c = 0; c < 4; ++c) {
    const float16x4_t lo = !Partial || c < lanes ? vld1_f16(p + c * plane) : vdup_n_f16(0);
    const float16x4_t hi = !Partial || c + 4 < lanes ? vld1_f16(p + (c + 4) * plane) : vdup_n_f16(0);
    x[c] = vcombine_f16(lo, hi);
  }
  transpose_halves_4x4(x);
  for (int j = 0; j < 4; ++j) out[j] = x[j];
}

template <bool Partial>
inline void store_transposed4(float16_t* p, size_t plane, int lanes, const float16x8_t* v) {
  float16x8_t x[4] = {v[0], v[1], v[2], v[3]};
  transpose_halves_4x4(x);
  for (int c = 0; c < 4; ++c) {
    if (!Partial || c < lanes) vst1_f16(p + c * plane, vget_low_f16(x[c]));
    if (!Partial || c + 4 < lanes) vst1_f16(p + (c + 4) * plane, vget_high_f16(x[c]));
  }
}

// out[j][L] = p[L * plane + j], j < 2: one 32-bit load per channel, then UZP.
template <bool Partial, int... L>
inline void load_transposed2(const float16_t* p, size_t plane, int lanes, float16x8_t* out,
                             std::integer_sequence<int, L...>) {
  uint32x4_t x[2] = {vdupq_n_u32(0), vdupq_n_u32(0)};
  auto load = [&](auto l) {
    uint32_t pair;  // memcpy: the pixel pair is only 2-byte aligned
    std::memcpy(&pair, p + l() * plane, sizeof pair);
    x[l() / 4] = vsetq_lane_u32(pair, x[l() / 4], l() % 4);
  };
  ((Partial && L >= lanes ? void() : load(std::integral_constant<int, L>())), ...);
  out[0] = vuzp1q_f16(as_f16(x[0]), as_f16(x[1]));
  out[1] = vuzp2q_f16(as_f16(x[0]), as_f16(x[1]));
}

template <bool Partial, int... L>
inline void store_transposed2(float16_t* p, size_t plane, int lanes, const float16x8_t* v,
                              std::integer_sequence<int, L...>) {
  const uint32x4_t x[2] = {as_u32(vzip1q_f16(v[0], v[1])), as_u32(vzip2q_f16(v[0], v[1]))};
  auto store = [&](auto l) {
    const uint32_t pair = vgetq_lane_u32(x[l() / 4], l() % 4);
    std::memcpy(p + l() * plane, &pair, sizeof pair);
  };
  ((Partial && L >= lanes ? void() : store(std::integral_constant<int, L>())), ...);
}

// The rows of N pixels: groups of 4, then 2.
template <int N, bool Partial>
inline void load_transposed(const float16_t* p, size_t plane, int lanes, float16x8_t* out) {
  static_assert(N % 2 == 0, "rows of 2, 4, 6 or 8 pixels");
  for (int j = 0; j + 4 <= N; j += 4) load_transposed4<Partial>(p + j, plane, lanes, out + j);
  if constexpr (N % 4 == 2) load_transposed2<Partial>(p + N - 2, plane, lanes, out + N - 2, Lanes());
}

template <int N, bool Partial>
inline void store_transposed(float16_t* p, size_t plane, int lanes, const float16x8_t* v) {
  static_assert(N % 2 == 0, "rows of 2, 4, 6 or 8 pixels");
  for (int j = 0; j + 4 <= N; j += 4) store_transposed4<Partial>(p + j, plane, lanes, v + j);
  if constexpr (N % 4 == 2) store_transposed2<Partial>(p + N - 2, plane, lanes, v + N - 2, Lanes());
}

// ---- input readers: constructed from the transform arguments and a block ----

template <bool Partial>
struct Nchw8cReader {
  const float16_t* base;
  int w;
  uint16x8_t real;  // the tensor's padding lanes may hold anything; V's must be 0
  Nchw8cReader(const InputTransformArgs& a, int block)
      : base(reinterpret_cast<const float16_t*>(a.input) + size_t(block) * a.height * a.width * 8),
        w(a.width),
        real(lanes_below(a.channels - block * 8)) {}
  float16x8_t load(const float16_t* p) const {
    return Partial ? keep_lanes(vld1q_f16(p), real) : vld1q_f16(p);
  }
  float16x8_t pixel(int y, int x) const { return load(base + (size_t(y) * w + x) * 8); }
  template <int N>
  void row(int y, int x0, float16x8_t* out) const {
    const float16_t* p = base + (size_t(y) * w + x0) * 8;
    for (int j = 0; j < N; ++j) out[j] = load(p + j * 8);
  }
};

template <bool Partial>
struct NhwcReader {
  const float16_t* base;
  int w, channels, lanes;
  NhwcReader(const InputTransformArgs& a, int block)
      : base(reinterpret_cast<const float16_t*>(a.input) + block * 8),
        w(a.width),
        channels(a.tensor_channels > 0 ? a.tensor_channels : a.channels),  // pixel stride
        lanes(a.channels - block * 8) {}
  float16x8_t load(const float16_t* p) const {
    return Partial ? gather_lanes<true>(p, 1, lanes, Lanes()) : vld1q_f16(p);
  }
  float16x8_t pixel(int y, int x) const { return load(base + (size_t(y) * w + x) * channels); }
  template <int N>
  void row(int y, int x0, float16x8_t* out) const {
    const float16_t* p = base + (size_t(y) * w + x0) * channels;
    for (int j = 0; j < N; ++j) out[j] = load(p + size_t(j) * channels);
  }
};

template <bool Partial>
struct NchwReader {
  const float16_t* base;
  size_t plane;
  int w, lanes;
  NchwReader(const InputTransformArgs& a, int block)
      : base(reinterpret_cast<const float16_t*>(a.input) + size_t(block) * 8 * a.height * a.width),
        plane(size_t(a.height) * a.width),
        w(a.width),
        lanes(a.channels - block * 8) {}
  float16x8_t pixel(int y, int x) const {
    return gather_lanes<Partial>(base + size_t(y) * w + x, plane, lanes, Lanes());
  }
  template <int N>
  void row(int y, int x0, float16x8_t* out) const {
    load_transposed<N, Partial>(base + size_t(y) * w + x0, plane, lanes, out);
  }
};

// ---- output writers ----

template <bool Partial>
struct Nchw8cWriter {
  float16_t* base;
  int w;
  uint16x8_t real;  // the padding lanes k >= K of the last block are written as +0
  Nchw8cWriter(const OutputTransformArgs& a, int block)
      : base(reinterpret_cast<float16_t*>(a.output) + size_t(block) * a.out_h * a.out_w * 8),
        w(a.out_w),
        real(lanes_below(a.out_channels - block * 8)) {}
  void store(float16_t* p, float16x8_t v) const { vst1q_f16(p, Partial ? keep_lanes(v, real) : v); }
  // Where the block of the pixel of row-major index i starts.
  float16_t* at(size_t i) const { return base + i * 8; }
  void pixel(int y, int x, float16x8_t v) const { store(base + (size_t(y) * w + x) * 8, v); }
  template <int N>
  void row(int y, int x0, const float16x8_t* v) const {
    float16_t* p = base + (size_t(y) * w + x0) * 8;
    for (int j = 0; j < N; ++j) store(p + j * 8, v[j]);
  }
};

template <bool Partial>
struct NhwcWriter {
  float16_t* base;
  int w, channels, lanes;
  NhwcWriter(const OutputTransformArgs& a, int block)
      : base(reinterpret_cast<float16_t*>(a.output) + block * 8),
        w(a.out_w),
        channels(a.tensor_channels > 0 ? a.tensor_channels : a.out_channels),  // pixel stride
        lanes(a.out_channels - block * 8) {}
  void store(float16_t* p, float16x8_t v) const {
    if (Partial)
      scatter_lanes<true>(p, 1, lanes, v, Lanes());
    else
      vst1q_f16(p, v);
  }
  // Where the block of the pixel of row-major index i starts.
  float16_t* at(size_t i) const { return base + i * channels; }
  void pixel(int y, int x, float16x8_t v) const { store(base + (size_t(y) * w + x) * channels, v); }
  template <int N>
  void row(int y, int x0, const float16x8_t* v) const {
    float16_t* p = base + (size_t(y) * w + x0) * channels;
    for (int j = 0; j < N; ++j) store(p + size_t(j) * channels, v[j]);
  }
};

template <bool Partial>
struct NchwWriter {
  float16_t* base;
  size_t plane;
  int w, lanes;
  NchwWriter(const OutputTransformArgs& a, int block)
      : base(reinterpret_cast<float16_t*>(a.output) + size_t(block) * 8 * a.out_h * a.out_w),
        plane(size_t(a.out_h) * a.out_w),
        w(a.out_w),
        lanes(a.out_channels - block * 8) {}
  void pixel(int y, int x, float16x8_t v) const {
    scatter_lanes<Partial>(base + size_t(y) * w + x, plane, lanes, v, Lanes());
  }
  template <int N>
  void row(int y, int x0, const float16x8_t* v) const {
    store_transposed<N, Partial>(base + size_t(y) * w + x0, plane, lanes, v);
  }
};

}  // namespace neon_fp16
}  // namespace hawc
