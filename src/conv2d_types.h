// Small shared vocabulary of the library internals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace hawc {

// The pipelines a convolution runs: Winograd F(m x m, 3 x 3), or Gemm, the
// same pipeline with one point and identity transforms: its input transform
// gathers each output pixel's receptive field (implicit im2col: any kernel
// size, stride and dilation; a 1x1 convolution's is a plain copy), its output
// transform adds bias and activation. A Gemm "tile" is one output pixel.
enum class Variant : int { F2x3 = 0, F4x3 = 1, F6x3 = 2, Gemm = 3 };
constexpr int kNumVariants = 4;

constexpr int variant_m(Variant v) {
  return v == Variant::F2x3 ? 2 : v == Variant::F4x3 ? 4 : v == Variant::F6x3 ? 6 : 1;
}
constexpr int variant_alpha(Variant v) { return v == Variant::Gemm ? 1 : variant_m(v) + 2; }
constexpr bool is_winograd(Variant v) { return v != Variant::Gemm; }
constexpr int variant_points(Variant v) { return variant_alpha(v) * variant_alpha(v); }
constexpr int kMaxAlpha = 8;
constexpr int kMaxPoints = kMaxAlpha * kMaxAlpha;

// HAWC_PRECISION_HIGH / FAST (hawc.h).
enum class Precision : int { High = 0, Fast = 1 };

enum class Layout : int { NCHW = 0, NHWC = 1, NCHW8C = 2 };
enum class Activation : int { None = 0, Relu = 1, Relu6 = 2 };

// Where a Gemm tile's receptive field lies: output pixel (y, x) reads input
// pixels (y * stride_h - pad_top + i * dilation_h, x * stride_w - pad_left +
// j * dilation_w) for the kernel's taps (i, j). Its V row (the GEMM's
// reduction) holds tap t = i * kernel_w + j at t * tap_channels + c: whole
// 8-channel blocks per tap (tap_channels = Cp) where the gather copies
// vectors, or the C channels of each tap back to back (tap_channels = C) for
// few channels, where per-tap padding would multiply the GEMM's work (a 7x7
// stem of 3 channels: 392 against 152). The row is zero-padded to a multiple
// of 8. Winograd variants use the 3x3, stride-1 default.
struct ConvGeometry {
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int tap_channels = 0;  // Gemm only
};

constexpr size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }
constexpr size_t div_up(size_t x, size_t by) { return (x + by - 1) / by; }

// A Gemm V row's length (the GEMM's reduction), zero-padded to 8.
inline int gemm_reduction(const ConvGeometry& g) {
  return int(round_up(size_t(g.kernel_h) * g.kernel_w * g.tap_channels, 8));
}

// Saturating size arithmetic for workspace and buffer sizes: SIZE_MAX stands
// for "does not fit" and stays SIZE_MAX through every later step.
inline size_t mul_sat(size_t a, size_t b) {
  size_t r;
  return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
inline size_t add_sat(size_t a, size_t b) {
  size_t r;
  return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}
// The product of `factors`, saturating.
inline size_t mul_sat(std::initializer_list<size_t> factors) {
  size_t r = 1;
  for (size_t f : factors) r = mul_sat(r, f);
  return r;
}
inline size_t round_up_sat(size_t x, size_t to) {
  return x > SIZE_MAX - (to - 1) ? SIZE_MAX : round_up(x, to);
}

// Element (c, y, x) of one image of `channels` x h x w in `layout`.
inline size_t tensor_offset(Layout layout, size_t channels, size_t h, size_t w, size_t c, size_t y,
                            size_t x) {
  switch (layout) {
    case Layout::NCHW: return (c * h + y) * w + x;
    case Layout::NHWC: return (y * w + x) * channels + c;
    case Layout::NCHW8C: return (((c >> 3) * h + y) * w + x) * 8 + (c & 7);
  }
  return 0;
}

// Elements of one image, including the zero lanes of NCHW8C's last block.
inline size_t image_elements(Layout layout, size_t channels, size_t h, size_t w) {
  return (layout == Layout::NCHW8C ? round_up(channels, 8) : channels) * h * w;
}

}  // namespace hawc
