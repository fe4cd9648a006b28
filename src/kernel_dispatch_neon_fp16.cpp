// The NEON FP16 kernel sets (built only with HAWC_NEON_FP16; the null
// fallback is in kernel_dispatch.cpp).
#include "kernels/fp16_max_abs.h"
#include "kernels/gemm.h"
#include "src/winograd_kernels.h"
#include "transforms/gemm_transforms.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

constexpr size_t kFp16 = 2, kFp32 = 4;

struct Transforms {
  void (*input)(const InputTransformArgs&);
  void (*output)(const OutputTransformArgs&);
};
// [variant][fast]. F(4x4) computes its transforms in FP32 at HIGH and in FP16
// at FAST: half the transform instructions, and on the suite layers
// 1.0-1.4e-2 instead of 0.9-1.3e-2 (FP16 transforms at HIGH measured 1.16e-2
// on ResNet-50 conv2_x, over its bound). F(2x2) computes in FP16 and F(6x6)
// in FP32 at both. Gemm's transforms do no arithmetic but the output's bias.
constexpr Transforms kTransforms[kNumVariants][2] = {
    {{winograd_f2x3_input_transform_neon_fp16, winograd_f2x3_output_transform_neon_fp16},
     {winograd_f2x3_input_transform_neon_fp16, winograd_f2x3_output_transform_neon_fp16}},
    {{winograd_f4x3_input_transform_neon_fp16, winograd_f4x3_output_transform_neon_fp16},
     {winograd_f4x3_input_transform_neon_fp16_fp16arith,
      winograd_f4x3_output_transform_neon_fp16_fp16arith}},
    {{winograd_f6x3_input_transform_neon_fp16, winograd_f6x3_output_transform_neon_fp16},
     {winograd_f6x3_input_transform_neon_fp16, winograd_f6x3_output_transform_neon_fp16}},
    {{gemm_input_transform_neon_fp16, gemm_output_transform_neon_fp16},
     {gemm_input_transform_neon_fp16, gemm_output_transform_neon_fp16}},
};

// [fast][fhm]
constexpr void (*kFp16SumGemms[2][2])(const GemmArgs&) = {
    {winograd_gemm_neon_fp16_high, winograd_gemm_neon_fp16fhm_high},
    {winograd_gemm_neon_fp16_fast, winograd_gemm_neon_fp16fhm_fast},
};

}  // namespace

const WinogradKernels* neon_fp16_winograd_kernels(Variant v, int channels, Precision precision,
                                                  bool fhm) {
  static const auto kTable = [] {
    // [variant][fast transforms][fast GEMM][fhm]
    struct Table {
      WinogradKernels sets[kNumVariants][2][2][2];
    } t;
    for (int vi = 0; vi < kNumVariants; ++vi)
      for (int ft = 0; ft < 2; ++ft)
        for (int fg = 0; fg < 2; ++fg)
          for (int f = 0; f < 2; ++f)
            t.sets[vi][ft][fg][f] = {"neon_fp16",
                                     kFp16,
                                     kFp16,
                                     kFp32,
                                     kTransforms[vi][ft].input,
                                     kFp16SumGemms[fg][f],
                                     kTransforms[vi][ft].output,
                                     fp16_max_finite_abs_neon};
    return t;
  }();
  // Same transforms; the GEMM sums in FP32 from an FP32 U.
  static const WinogradKernels kF4x3F32Sums = {"neon_fp16",
                                               kFp16,
                                               kFp32,
                                               kFp32,
                                               winograd_f4x3_input_transform_neon_fp16,
                                               winograd_gemm_neon_fp16_f32acc,
                                               winograd_f4x3_output_transform_neon_fp16,
                                               fp16_max_finite_abs_neon};
  if (precision == Precision::High && v == Variant::F4x3 && channels < kF4x3F32SumsBelowChannels)
    return &kF4x3F32Sums;
  // FAST: FP16 F(4x4) transforms, and chains of 32 from
  // kFastKernelsFromChannels on. Below, a chain holds most of a layer's
  // channels and its error is the layer's: random F(4x4) layers with C <= 24
  // measured 1.86e-2 with chains of 32, 1.56-1.78e-2 with chains of 16,
  // which FAST runs there.
  const bool fast = precision == Precision::Fast;
  const bool long_chains = fast && channels >= kFastKernelsFromChannels;
  return &kTable.sets[static_cast<int>(v)][fast][long_chains][fhm];
}

}  // namespace hawc
