#include "src/range_scaling.h"

#include <algorithm>
#include <atomic>
#include <cfloat>

#include "src/fp16.h"

namespace hawc {
namespace {

// The window, as binary exponents (x in [2^e, 2^(e+1)) has exponent e).
// U: no scaling from 2^-6 to below 2^4 (He-initialised filters of 3 to 512
// channels give 2^-5 .. 2^1); outside, to [2^-3, 2^-2).
constexpr int kFilterMinExponent = -6, kFilterMaxExponent = 3, kFilterTargetExponent = -3;
// Inputs: at least 2^-8, and small enough that V = B^T d B cannot overflow
// FP16 for any input pattern: the transform grows values by up to (largest
// row sum of |B^T|)^2 = 4 (F(2x2)), 196 (F(4x4)), 225 (F(6x6)); Gemm's V is
// the input itself.
// With FP32 products (the FP32-sum GEMM's FP32 U) only this matters, and b
// brings x_max to [2^1, 2^2).
constexpr int kInputMinExponent = -8, kInputTargetExponent = 1;
constexpr int kInputMaxExponent[kNumVariants] = {12, 7, 7, 15};
// Products: the scaled u_max * x_max from 2^-7 to below 2^5 (x_max * u_max
// < 2^(ex + eu + 2)); outside, b brings it to [2^-1, 2^1).
constexpr int kProductMinExponent = -7, kProductMaxExponent = 5, kProductTargetExponent = -1;
// b's range: two FP16 multiplies (transform_tiles_neon_fp16.h's ScaledReader).
constexpr int kInputScaleMin = -28, kInputScaleMax = 29;

std::atomic<int> g_forced_b{kNoForcedInputExponent};

}  // namespace

int filter_scale_exponent(float u_max) {
  // U's largest value must be a normal FP32 number for its exponent to mean
  // anything (zero weights, denormal or non-finite ones: no scaling).
  if (!(u_max >= FLT_MIN && u_max <= FLT_MAX)) return 0;
  const int e = exponent_of(u_max);
  if (e >= kFilterMinExponent && e <= kFilterMaxExponent) return 0;
  return kFilterTargetExponent - e;
}

RunScales run_scales(Variant v, bool fp16_products, int filter_exponent, float scaled_u_max,
                     uint16_t x_max_bits) {
  int b = 0;
  const float x_max = fp16_to_fp32(x_max_bits);
  const int forced = g_forced_b.load(std::memory_order_relaxed);
  if (forced != kNoForcedInputExponent) {
    b = forced;
  } else if (x_max > 0 && scaled_u_max >= FLT_MIN && scaled_u_max <= FLT_MAX) {
    // x_max may be an FP16 subnormal: exact in FP32, where it is normal.
    const int ex = exponent_of(x_max), eu = exponent_of(scaled_u_max);
    const int x_limit = kInputMaxExponent[static_cast<int>(v)];
    const bool products_in_window =
        !fp16_products || (ex + eu >= kProductMinExponent && ex + eu + 2 <= kProductMaxExponent);
    const bool in_window = ex >= kInputMinExponent && ex <= x_limit && products_in_window;
    if (!in_window) {
      b = fp16_products ? kProductTargetExponent - (ex + eu) : kInputTargetExponent - ex;
      b = std::max(b, kInputMinExponent - ex);  // inputs not too small ...
      b = std::min(b, x_limit - ex);            // ... and, first, not overflowing V
    }
  }
  b = std::clamp(b, kInputScaleMin, kInputScaleMax);
  return {pow2f(b), pow2f(-(filter_exponent + b))};
}

void force_input_scale_exponent(int b) { g_forced_b.store(b); }

}  // namespace hawc
