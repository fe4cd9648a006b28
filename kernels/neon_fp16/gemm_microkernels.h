// NEON FP16 GEMM micro-kernels: an MR tiles x NR output channels block of M
// from a V panel and a U panel (layouts: src/winograd_kernels.h).
// Private to gemm_neon_fp16.cpp; needs FP16 arithmetic (-march=armv8.2-a+fp16).
//
// Accuracy decides the shape. The F4x3 output transform amplifies GEMM
// errors ~10x into a convolution bound of 1e-2 (bench/RESULTS_mca.md). FP16
// accumulation over 64 channels took it to 1.0-2.0e-2; FP16 chains of at most
// kGemmFp16Chain channels whose sums add up in FP32, with M kept in FP32,
// measure 9.8e-3 worst on the covering test shapes with chains of 8 (1.04e-2
// with chains of 16, which is why the chain is 8).
// FP32 sums of an 8x16 block would not fit in registers; a 2x16 block with 4
// accumulator sets (16 FP16 + 8 FP32 registers) keeps everything in
// registers, and converting costs 28 instructions per 256 FMLAs.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <utility>

namespace hawc {

constexpr int kGemmFp16Chain = 8;  // products an FP16 accumulator sums before FP32 takes over

// acc += u * v[L]. GCC's arm_neon.h builds vfmaq_laneq_f16 from a dup and a
// vector FMLA and fuses them back only when the dup has a single use; here
// each v lane feeds NR / 8 FMLAs, so the intrinsic would cost an extra DUP.
// "x": the by-element FP16 FMLA indexes v0-v15 only. Volatile keeps the
// FMLAs in source order: GCC's pre-RA scheduler would otherwise group them by
// accumulator and spill.
template <int L>
inline __attribute__((always_inline)) float16x8_t fmla_lane_f16(float16x8_t acc, float16x8_t u,
                                                                float16x8_t v) {
  asm volatile("fmla %0.8h, %1.8h, %2.h[%3]" : "+w"(acc) : "w"(u), "x"(v), "i"(L));
  return acc;
}

// u * v[L]: starts an accumulator, which saves zeroing it.
template <int L>
inline __attribute__((always_inline)) float16x8_t fmul_lane_f16(float16x8_t u, float16x8_t v) {
  float16x8_t r;
  asm volatile("fmul %0.8h, %1.8h, %2.h[%3]" : "=w"(r) : "w"(u), "x"(v), "i"(L));
  return r;
}

// FP16 accumulators of an MR x NR block in kSets sets; lane L of a step goes
// to set L % kSets. A 2-tile block keeps 16 accumulators in flight, which
// covers FMLA latency (4 cycles) x FMA pipes (4 on Neoverse V1). The sets
// depend on NR only: a tile's summation order, hence its bits, must not
// depend on whether it shares a block (results may not vary with the
// planner's block sizes, that is with the thread count).
template <int MR, int NR>
struct GemmAccumulators {
  static constexpr int kSets = 64 / NR;
  static constexpr int kSetLevels = kSets == 8 ? 3 : kSets == 4 ? 2 : kSets == 2 ? 1 : 0;
  static constexpr int kChunk = kGemmFp16Chain * kSets;  // channels per FP32 addition
  float16x8_t r[kSets][MR][NR / 8];
};

// Channel L of an 8-channel step: acc[t][j] += v[t][L] * u[L][8j..8j+7]
// (=, in the first step of a chunk, for the first lane of each set).
template <int MR, int NR, bool kFirst, int L>
inline __attribute__((always_inline)) void gemm_lane_neon_fp16(GemmAccumulators<MR, NR>& acc,
                                                               const float16x8_t (&v)[MR],
                                                               const float16_t* u) {
  constexpr int kSets = GemmAccumulators<MR, NR>::kSets;
  auto& a = acc.r[L % kSets];
  float16x8_t w[NR / 8];
  for (int j = 0; j < NR / 8; ++j) w[j] = vld1q_f16(u + L * NR + 8 * j);
  for (int t = 0; t < MR; ++t)
    for (int j = 0; j < NR / 8; ++j)
      a[t][j] = kFirst && L < kSets ? fmul_lane_f16<L>(w[j], v[t])
                                    : fmla_lane_f16<L>(a[t][j], w[j], v[t]);
}

template <int MR, int NR, bool kFirst, int... L>
inline __attribute__((always_inline)) void gemm_step_neon_fp16(GemmAccumulators<MR, NR>& acc,
                                                               const float16_t* v,
                                                               const float16_t* u,
                                                               std::integer_sequence<int, L...>) {
  float16x8_t vv[MR];
  for (int t = 0; t < MR; ++t) vv[t] = vld1q_f16(v + 8 * t);
  (gemm_lane_neon_fp16<MR, NR, kFirst, L>(acc, vv, u), ...);
}

// The kernel of one block shape: the main 2x16, the odd last tile 1x16 and
// their NR = 8 forms for an 8-wide last output-channel panel. For the
// MR x NR block, M[t][k] (FP32, row stride ldm) = sum over c < cp of V[t][c] *
// U[c][k]. v points at the block's first tile in its V panel, whose tiles
// make 8-channel steps v_step elements apart; u points at the U panel; cp is
// a multiple of 8.
template <int MR, int NR>
__attribute__((noinline)) void gemm_microkernel_neon_fp16(const float16_t* v, size_t v_step,
                                                          const float16_t* u, int cp, float* m,
                                                          size_t ldm) {
  static_assert((MR == 1 || MR == 2) && (NR == 8 || NR == 16), "unsupported block shape");
  using Acc = GemmAccumulators<MR, NR>;
  constexpr auto kLanes = std::make_integer_sequence<int, 8>();
  float32x4_t sum[MR][NR / 4];
  for (int t = 0; t < MR; ++t)
    for (int i = 0; i < NR / 4; ++i) sum[t][i] = vdupq_n_f32(0);
  for (int c0 = 0; c0 < cp; c0 += Acc::kChunk) {
    Acc acc;
    gemm_step_neon_fp16<MR, NR, true>(acc, v, u, kLanes);
    v += v_step;
    u += 8 * NR;
    const int c_end = c0 + Acc::kChunk < cp ? c0 + Acc::kChunk : cp;
    for (int c = c0 + 8; c < c_end; c += 8) {
      gemm_step_neon_fp16<MR, NR, false>(acc, v, u, kLanes);
      v += v_step;
      u += 8 * NR;
    }
    // Pairwise sum of the sets into set 0, then into FP32. Only loops with
    // constant trip counts unroll, which keeps acc in registers.
    for (int level = 1; level <= Acc::kSetLevels; ++level)
      for (int s = 0; s < Acc::kSets / 2; ++s)
        if (s < Acc::kSets >> level)
          for (int t = 0; t < MR; ++t)
            for (int j = 0; j < NR / 8; ++j)
              acc.r[s][t][j] = vaddq_f16(acc.r[s][t][j], acc.r[s + (Acc::kSets >> level)][t][j]);
    for (int t = 0; t < MR; ++t)
      for (int j = 0; j < NR / 8; ++j) {
        sum[t][2 * j] = vaddq_f32(sum[t][2 * j], vcvt_f32_f16(vget_low_f16(acc.r[0][t][j])));
        sum[t][2 * j + 1] = vaddq_f32(sum[t][2 * j + 1], vcvt_high_f32_f16(acc.r[0][t][j]));
      }
  }
  for (int t = 0; t < MR; ++t)  // M stays FP32 (src/winograd_kernels.h)
    for (int i = 0; i < NR / 4; ++i) vst1q_f32(m + t * ldm + 4 * i, sum[t][i]);
}

}  // namespace hawc
