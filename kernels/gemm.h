// Batched GEMM over the Winograd points: M[p] = V[p] x U[p] for each point p.
// Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Portable: FP32 throughout.
void winograd_gemm_portable(const GemmArgs& a);

// NEON FP16 (needs a CPU with FP16 arithmetic): FP16 V and U, FP16 FMLA
// chains over a fixed number of channels whose sums add up in FP32 M. The
// chain length is the precision level's trade between speed and accuracy
// (README, Accuracy): kGemmFp16ChainHigh channels at HAWC_PRECISION_HIGH,
// kGemmFp16ChainFast at HAWC_PRECISION_FAST. The fhm forms add the chains
// into M with FMLAL (FEAT_FHM; bitwise the same M, fewer instructions).
constexpr int kGemmFp16ChainHigh = 16;
constexpr int kGemmFp16ChainFast = 32;
void winograd_gemm_neon_fp16_high(const GemmArgs& a);
void winograd_gemm_neon_fp16fhm_high(const GemmArgs& a);
void winograd_gemm_neon_fp16_fast(const GemmArgs& a);
void winograd_gemm_neon_fp16fhm_fast(const GemmArgs& a);

// NEON, FP32 sums: FP16 V widened in registers, FP32 U, FP32 M; for F(4x4)
// below 64 input channels (kernels/neon_fp16/gemm_f32acc_microkernels.h).
void winograd_gemm_neon_fp16_f32acc(const GemmArgs& a);

}  // namespace hawc
