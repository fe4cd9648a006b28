// FP16 range scaling of the pipelines whose V and U are FP16 (the NEON FP16
// kernels). Their transformed input, transformed filter and FP16 product
// chains live in FP16's window of about 30 binades (normal numbers from
// 2^-14, finite up to 65504); activations from 1e-4 to 1e3 times weights
// from 1e-3 to 1e3 span more. Without scaling, products of small data fall
// into FP16's subnormals (0.27 max-rel error for inputs of 1e-4) and large
// weights overflow U (Inf outputs from |w| ~ 30000 with F(2x2)).
//
// Powers of two move the data into the window exactly:
//   - the packed filter U is scaled by 2^a at create, from its largest value;
//   - each run scans its input for the largest finite |x| and the input
//     transform reads the input times 2^b;
//   - the output transform multiplies M by 2^-(a+b), in FP32, before its
//     arithmetic.
// a = 0 and b = 0 where the data already sit in the window (the measured
// band of README "FP16 range"): then every bit is what it was without
// scaling, and the only cost is the scan of the input.
#pragma once

#include <cstdint>

#include "src/conv2d_types.h"

namespace hawc {

// a: 0 when u_max (the largest |U| in FP32) lies in the window or is not a
// positive finite number (zero or non-finite weights), else the power that
// brings it to [2^kFilterTargetExponent, 2^(kFilterTargetExponent + 1)).
int filter_scale_exponent(float u_max);

struct RunScales {
  float input_scale = 1.0f;  // InputTransformArgs::input_scale, 2^b
  float m_scale = 1.0f;      // OutputTransformArgs::m_scale, 2^-(a + b)
};

// b from the largest finite input magnitude (FP16 bits, see
// kernels/fp16_max_abs.h) and the scaled filter's largest value
// u_max * 2^a, and the scales that follow. fp16_products: U is FP16, so
// the products U V and their FP16 chains must stay in FP16's window too
// (with an FP32 U only V = B^T d B must).
RunScales run_scales(Variant v, bool fp16_products, int filter_exponent, float scaled_u_max,
                     uint16_t x_max_bits);

// Tests: force b (on every kernel set with FP16 V), or stop forcing with
// kNoForcedInputExponent. Scaling in-range data must not change a bit.
constexpr int kNoForcedInputExponent = 1000;
void force_input_scale_exponent(int b);

}  // namespace hawc
