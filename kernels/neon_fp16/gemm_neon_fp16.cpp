// NEON batched GEMMs over the Winograd points: cut each point's GEMM into
// micro-kernel blocks (gemm_microkernels.h: FP16 arithmetic;
// gemm_f32acc_microkernels.h: FP32 sums of FP16 V and FP32 U).
#include <algorithm>

#include "kernels/gemm.h"
#include "kernels/neon_fp16/gemm_f32acc_microkernels.h"
#include "kernels/neon_fp16/gemm_microkernels.h"

namespace hawc {
namespace {

template <typename U>
using Microkernel = void (*)(const float16_t* v, size_t v_step, const U* u, int cp, float* m,
                             size_t ldm);

// The blocks of M for points [point_begin, point_end) and output channels
// [k_begin, k_end): kernels[NR / 8 - 1][MR - 1], MR up to kMaxMR. The
// micro-kernels sum `sum_channels` channels: Cp, or the real channel count
// for kernels that skip the zero padding.
template <typename U, int kMaxMR>
void gemm_points(const GemmArgs& a, const Microkernel<U> (&kernels)[2][kMaxMR], int sum_channels) {
  const int cp = a.channels_padded, kp = a.out_channels_padded;
  for (int p = a.point_begin; p < a.point_end; ++p) {
    const float16_t* v = static_cast<const float16_t*>(a.v) + size_t(p) * a.v_point_stride;
    const U* u = static_cast<const U*>(a.u) + size_t(p) * cp * kp;
    float* m = static_cast<float*>(a.m) + size_t(p) * a.m_point_stride;
    // Output-channel panels outside: one U panel (Cp x 16) stays in L1 while
    // the point's tiles stream past it.
    for (int k0 = a.k_begin; k0 < std::min(a.k_end, kp); k0 += kGemmNR) {
      const int nr = std::min(kGemmNR, kp - k0);
      for (int t0 = 0; t0 < a.tiles; t0 += kGemmMR) {
        const int count = std::min(kGemmMR, a.tiles - t0);  // of ours in this panel
        const VTileSlot slot = v_tile_slot(t0, a.tiles, cp, a.v_part);
        const float16_t* panel = v + slot.offset;
        for (int t = 0; t < count; t += kMaxMR)
          kernels[nr / 8 - 1][std::min(kMaxMR, count - t) - 1](
              panel + 8 * t, size_t(8) * slot.panel_tiles, u + size_t(k0) * cp, sum_channels,
              m + size_t(t0 + t) * kp + k0, size_t(kp));
      }
    }
  }
}

constexpr Microkernel<float16_t> kFp16Kernels[2][2] = {
    {gemm_microkernel_neon_fp16<1, 8>, gemm_microkernel_neon_fp16<2, 8>},
    {gemm_microkernel_neon_fp16<1, 16>, gemm_microkernel_neon_fp16<2, 16>},
};

constexpr Microkernel<float> kF32AccKernels[2][4] = {
    {gemm_microkernel_neon_fp16_f32acc<1, 8>, gemm_microkernel_neon_fp16_f32acc<2, 8>,
     gemm_microkernel_neon_fp16_f32acc<3, 8>, gemm_microkernel_neon_fp16_f32acc<4, 8>},
    {gemm_microkernel_neon_fp16_f32acc<1, 16>, gemm_microkernel_neon_fp16_f32acc<2, 16>,
     gemm_microkernel_neon_fp16_f32acc<3, 16>, gemm_microkernel_neon_fp16_f32acc<4, 16>},
};

}  // namespace

void winograd_gemm_neon_fp16(const GemmArgs& a) { gemm_points(a, kFp16Kernels, a.channels_padded); }

void winograd_gemm_neon_fp16_f32acc(const GemmArgs& a) {
  gemm_points(a, kF32AccKernels, a.channels > 0 ? a.channels : a.channels_padded);
}

}  // namespace hawc
