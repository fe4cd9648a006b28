// The NEON FP16 kernel sets (built only with HAWC_NEON_FP16; the null
// fallback is in kernel_dispatch.cpp).
#include "kernels/gemm.h"
#include "src/winograd_kernels.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

constexpr size_t kFp16 = 2, kFp32 = 4;

struct Transforms {
  void (*input)(const InputTransformArgs&);
  void (*output)(const OutputTransformArgs&);
};
constexpr Transforms kTransforms[kNumVariants] = {
    {winograd_f2x3_input_transform_neon_fp16, winograd_f2x3_output_transform_neon_fp16},
    {winograd_f4x3_input_transform_neon_fp16, winograd_f4x3_output_transform_neon_fp16},
    {winograd_f6x3_input_transform_neon_fp16, winograd_f6x3_output_transform_neon_fp16},
};

// [long chains][fhm]
constexpr void (*kFp16SumGemms[2][2])(const GemmArgs&) = {
    {winograd_gemm_neon_fp16_high, winograd_gemm_neon_fp16fhm_high},
    {winograd_gemm_neon_fp16_fast, winograd_gemm_neon_fp16fhm_fast},
};

}  // namespace

const WinogradKernels* neon_fp16_winograd_kernels(Variant v, int channels, Precision precision,
                                                  bool fhm) {
  static const auto kTable = [] {
    // [variant][long chains][fhm]
    struct Table {
      WinogradKernels sets[kNumVariants][2][2];
    } t;
    for (int vi = 0; vi < kNumVariants; ++vi)
      for (int p = 0; p < 2; ++p)
        for (int f = 0; f < 2; ++f)
          t.sets[vi][p][f] = {"neon_fp16",           kFp16, kFp16, kFp32, kTransforms[vi].input,
                              kFp16SumGemms[p][f], kTransforms[vi].output};
    return t;
  }();
  // Same transforms; the GEMM sums in FP32 from an FP32 U.
  static const WinogradKernels kF4x3F32Sums = {"neon_fp16",
                                               kFp16,
                                               kFp32,
                                               kFp32,
                                               winograd_f4x3_input_transform_neon_fp16,
                                               winograd_gemm_neon_fp16_f32acc,
                                               winograd_f4x3_output_transform_neon_fp16};
  if (precision == Precision::High && v == Variant::F4x3 && channels < kF4x3F32SumsBelowChannels)
    return &kF4x3F32Sums;
  // FAST's long chains from kFastLongChainsFromChannels on: below, a chain
  // holds most of a layer's channels and its error is the layer's (random
  // F(4x4) layers with C <= 24 measured 1.7e-2 with chains of 32).
  const bool long_chains = precision == Precision::Fast && channels >= kFastLongChainsFromChannels;
  return &kTable.sets[static_cast<int>(v)][long_chains][fhm];
}

}  // namespace hawc
