// Batched GEMM over the Winograd points: M[p] = V[p] x U[p] for each point p.
// Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Portable: FP32 throughout.
void winograd_gemm_portable(const GemmArgs& a);

// NEON FP16: FP16 V and U, FP16 FMLA chains summed in FP32, FP32 M; needs a
// CPU with FP16 arithmetic.
void winograd_gemm_neon_fp16(const GemmArgs& a);

// NEON, FP32 sums: FP16 V widened in registers, FP32 U, FP32 M; for F(4x4)
// below 64 input channels (kernels/neon_fp16/gemm_f32acc_microkernels.h).
void winograd_gemm_neon_fp16_f32acc(const GemmArgs& a);

}  // namespace hawc
