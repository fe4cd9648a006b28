// Small shared vocabulary of the library internals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace hawc {

enum class Variant : int { F2x3 = 0, F4x3 = 1, F6x3 = 2 };
constexpr int kNumVariants = 3;

constexpr int variant_m(Variant v) { return v == Variant::F2x3 ? 2 : v == Variant::F4x3 ? 4 : 6; }
constexpr int variant_alpha(Variant v) { return variant_m(v) + 2; }
constexpr int variant_points(Variant v) { return variant_alpha(v) * variant_alpha(v); }
constexpr int kMaxAlpha = 8;
constexpr int kMaxPoints = kMaxAlpha * kMaxAlpha;

// HAWC_PRECISION_HIGH / FAST (hawc.h).
enum class Precision : int { High = 0, Fast = 1 };

enum class Layout : int { NCHW = 0, NHWC = 1, NCHW8C = 2 };
enum class Activation : int { None = 0, Relu = 1, Relu6 = 2 };

constexpr size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }
constexpr size_t div_up(size_t x, size_t by) { return (x + by - 1) / by; }

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
