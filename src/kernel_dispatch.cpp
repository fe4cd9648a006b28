// Kernel sets per variant (Gemm included). The NEON FP16 table lives with the NEON kernels;
// builds without them get the null definition below.
#include "kernels/gemm.h"
#include "src/winograd_kernels.h"
#include "transforms/gemm_transforms.h"
#include "transforms/winograd_transforms.h"

namespace hawc {

const WinogradKernels& portable_winograd_kernels(Variant v) {
  static const WinogradKernels kTable[kNumVariants] = {
      {"portable", sizeof(float), sizeof(float), sizeof(float),
       winograd_input_transform_portable<Variant::F2x3>, winograd_gemm_portable,
       winograd_output_transform_portable<Variant::F2x3>},
      {"portable", sizeof(float), sizeof(float), sizeof(float),
       winograd_input_transform_portable<Variant::F4x3>, winograd_gemm_portable,
       winograd_output_transform_portable<Variant::F4x3>},
      {"portable", sizeof(float), sizeof(float), sizeof(float),
       winograd_input_transform_portable<Variant::F6x3>, winograd_gemm_portable,
       winograd_output_transform_portable<Variant::F6x3>},
      {"portable", sizeof(float), sizeof(float), sizeof(float), gemm_input_transform_portable,
       winograd_gemm_portable, gemm_output_transform_portable},
  };
  return kTable[static_cast<int>(v)];
}

#if !HAWC_HAVE_NEON_FP16
const WinogradKernels* neon_fp16_winograd_kernels(Variant, int, Precision, bool) {
  return nullptr;
}
#endif

}  // namespace hawc
