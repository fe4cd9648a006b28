// The NEON FP16 kernel sets (built only with HAWC_NEON_FP16; the null
// fallback is in kernel_dispatch.cpp).
#include "kernels/gemm.h"
#include "src/winograd_kernels.h"
#include "transforms/winograd_transforms.h"

namespace hawc {

const WinogradKernels* neon_fp16_winograd_kernels(Variant v) {
  static const WinogradKernels kTable[kNumVariants] = {
      {"neon_fp16", 2, sizeof(float), winograd_f2x3_input_transform_neon_fp16, winograd_gemm_neon_fp16,
       winograd_f2x3_output_transform_neon_fp16},
      {"neon_fp16", 2, sizeof(float), winograd_f4x3_input_transform_neon_fp16, winograd_gemm_neon_fp16,
       winograd_f4x3_output_transform_neon_fp16},
      {"neon_fp16", 2, sizeof(float), winograd_f6x3_input_transform_neon_fp16, winograd_gemm_neon_fp16,
       winograd_f6x3_output_transform_neon_fp16},
  };
  return &kTable[static_cast<int>(v)];
}

}  // namespace hawc
