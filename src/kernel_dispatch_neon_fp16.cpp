// The NEON FP16 kernel sets (built only with HAWC_NEON_FP16; the null
// fallback is in kernel_dispatch.cpp).
#include "kernels/gemm.h"
#include "src/winograd_kernels.h"
#include "transforms/winograd_transforms.h"

namespace hawc {

const WinogradKernels* neon_fp16_winograd_kernels(Variant v, int channels) {
  constexpr size_t kFp16 = 2, kFp32 = 4;
  static const WinogradKernels kTable[kNumVariants] = {
      {"neon_fp16", kFp16, kFp16, kFp32, winograd_f2x3_input_transform_neon_fp16,
       winograd_gemm_neon_fp16, winograd_f2x3_output_transform_neon_fp16},
      {"neon_fp16", kFp16, kFp16, kFp32, winograd_f4x3_input_transform_neon_fp16,
       winograd_gemm_neon_fp16, winograd_f4x3_output_transform_neon_fp16},
      {"neon_fp16", kFp16, kFp16, kFp32, winograd_f6x3_input_transform_neon_fp16,
       winograd_gemm_neon_fp16, winograd_f6x3_output_transform_neon_fp16},
  };
  // Same transforms; the GEMM sums in FP32 from an FP32 U.
  static const WinogradKernels kF4x3F32Sums = {"neon_fp16",
                                               kFp16,
                                               kFp32,
                                               kFp32,
                                               winograd_f4x3_input_transform_neon_fp16,
                                               winograd_gemm_neon_fp16_f32acc,
                                               winograd_f4x3_output_transform_neon_fp16};
  if (v == Variant::F4x3 && channels < kF4x3F32SumsBelowChannels) return &kF4x3F32Sums;
  return &kTable[static_cast<int>(v)];
}

}  // namespace hawc
