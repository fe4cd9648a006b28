// NEON GEMM micro-kernels that sum in FP32: an MR tiles x NR output channels
// block of M from an FP16 V panel (widened in registers) and an FP32 U panel
// (layouts: src/winograd_kernels.h). Private to gemm_neon_fp16.cpp.
//
// Why they exist: with few input channels the FP16 kernels'
// (gemm_f16_asm_neon_fp16.S) rounding of every product and partial sum is
// most of F(4x4,3x3)'s error, which reached 1.1-1.5e-2 on random layers with
// C < 64 against HIGH's 1e-2. Summing in FP32 and keeping U in FP32 leaves
// the FP16 rounding of V alone (bench/RESULTS_mca.md, "FP32-sum kernels").
// They run F(4x4) at HIGH below 64 input channels: what AUTO picks up to 8
// channels (F(2x2) from 9 to 63), and a forced F(4x4).
#pragma once

#include <arm_neon.h>

#include <cstddef>

namespace hawc {

// acc += u * v[L], FP32 by element. Inline asm: GCC's vfmaq_laneq_f32 is a
// DUP plus a vector FMLA unless the lane has a single use, and each lane
// feeds NR / 4 FMLAs here.
template <int L>
inline __attribute__((always_inline)) float32x4_t fmla_lane_f32(float32x4_t acc, float32x4_t u,
                                                                float32x4_t v) {
  asm volatile("fmla %0.4s, %1.4s, %2.s[%3]" : "+w"(acc) : "w"(u), "w"(v), "i"(L));
  return acc;
}

// Channel L of an 8-channel step: acc[t][j] += v[t][L] * u[L][4j..4j+3].
// v[t][0] holds channels 0-3 of tile t, v[t][1] channels 4-7.
template <int MR, int NR, int L>
inline __attribute__((always_inline)) void gemm_f32acc_lane(float32x4_t (&acc)[MR][NR / 4],
                                                            const float32x4_t (&v)[MR][2],
                                                            const float* u) {
  float32x4_t w[NR / 4];
  for (int j = 0; j < NR / 4; ++j) w[j] = vld1q_f32(u + L * NR + 4 * j);
  for (int t = 0; t < MR; ++t)
    for (int j = 0; j < NR / 4; ++j) acc[t][j] = fmla_lane_f32<L % 4>(acc[t][j], w[j], v[t][L / 4]);
}

// M[t][k] (FP32, row stride ldm) = sum over c < channels of V[t][c] * U[c][k],
// each tile's sum in channel order: its bits do not depend on MR (the block
// it is computed in). v points at the block's first tile in its V panel, whose
// tiles make 8-channel steps v_step elements apart; u at the FP32 U panel.
// channels need not be a multiple of 8: the last block's zero padding
// channels are skipped (with C = 3, 5 of every 8 products would be zeros).
template <int MR, int NR>
__attribute__((noinline)) void gemm_microkernel_neon_fp16_f32acc(const float16_t* v, size_t v_step,
                                                                 const float* u, int channels,
                                                                 float* m, size_t ldm) {
  static_assert(MR >= 1 && MR <= 4 && (NR == 8 || NR == 16), "unsupported block shape");
  float32x4_t acc[MR][NR / 4];
  for (int t = 0; t < MR; ++t)
    for (int j = 0; j < NR / 4; ++j) acc[t][j] = vdupq_n_f32(0);
  float32x4_t vv[MR][2];
  auto load_v = [&] {
    for (int t = 0; t < MR; ++t) {
      const float16x8_t h = vld1q_f16(v + 8 * t);
      vv[t][0] = vcvt_f32_f16(vget_low_f16(h));
      vv[t][1] = vcvt_high_f32_f16(h);
    }
  };
  const int full = channels / 8 * 8;
  for (int c = 0; c < full; c += 8) {
    load_v();
    gemm_f32acc_lane<MR, NR, 0>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 1>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 2>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 3>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 4>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 5>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 6>(acc, vv, u);
    gemm_f32acc_lane<MR, NR, 7>(acc, vv, u);
    v += v_step;
    u += 8 * NR;
  }
  if (const int rem = channels - full) {  // 1-7 real channels, then padding
    load_v();
    gemm_f32acc_lane<MR, NR, 0>(acc, vv, u);
    if (rem > 1) gemm_f32acc_lane<MR, NR, 1>(acc, vv, u);
    if (rem > 2) gemm_f32acc_lane<MR, NR, 2>(acc, vv, u);
    if (rem > 3) gemm_f32acc_lane<MR, NR, 3>(acc, vv, u);
    if (rem > 4) gemm_f32acc_lane<MR, NR, 4>(acc, vv, u);
    if (rem > 5) gemm_f32acc_lane<MR, NR, 5>(acc, vv, u);
    if (rem > 6) gemm_f32acc_lane<MR, NR, 6>(acc, vv, u);
  }
  for (int t = 0; t < MR; ++t)
    for (int j = 0; j < NR / 4; ++j) vst1q_f32(m + t * ldm + 4 * j, acc[t][j]);
}

}  // namespace hawc
