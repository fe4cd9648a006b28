// Winograd input and output transforms, one function per variant and ISA.
// Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Portable: FP32 arithmetic and FP32 V / M through the matrices of winograd_matrices.h.
template <Variant V>
void winograd_input_transform_portable(const InputTransformArgs& a);
template <Variant V>
void winograd_output_transform_portable(const OutputTransformArgs& a);

// NEON FP16: FP16 V / M, 8 channels per vector; arithmetic in FP16 for F2x3,
// in FP32 for F4x3 and F6x3 (accuracy). Only on a CPU with FP16 arithmetic;
// built when HAWC_HAVE_NEON_FP16.
void winograd_f2x3_input_transform_neon_fp16(const InputTransformArgs& a);
void winograd_f4x3_input_transform_neon_fp16(const InputTransformArgs& a);
void winograd_f6x3_input_transform_neon_fp16(const InputTransformArgs& a);
void winograd_f2x3_output_transform_neon_fp16(const OutputTransformArgs& a);
void winograd_f4x3_output_transform_neon_fp16(const OutputTransformArgs& a);
// F(4x4) with FP16 arithmetic (FAST): half the instructions, more rounding.
void winograd_f4x3_input_transform_neon_fp16_fp16arith(const InputTransformArgs& a);
void winograd_f4x3_output_transform_neon_fp16_fp16arith(const OutputTransformArgs& a);
void winograd_f6x3_output_transform_neon_fp16(const OutputTransformArgs& a);

}  // namespace hawc
