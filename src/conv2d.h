// The object behind the opaque hawc_conv2d handle, and the internal entry
// points that tests and benchmarks use to pick an implementation.
#pragma once

#include <cstdint>

#include "hawc/hawc.h"
#include "src/aligned_buffer.h"
#include "src/conv2d_types.h"
#include "src/planner.h"
#include "src/winograd_kernels.h"
#include "src/workspace_cache.h"

namespace hawc {

enum class Implementation { Auto, Portable, NeonFp16 };

// Variant AUTO chooses for a 3x3 stride-1 layer run by FP16 or FP32 kernels
// at a precision level (see the accuracy table in README.md); every other
// shape runs Variant::Gemm.
Variant auto_variant(int in_channels, int out_channels, Precision precision, bool fp16_kernels);

// hawc_conv2d_create with a forced implementation. NeonFp16 fails with
// HAWC_STATUS_UNSUPPORTED_PARAMETER where the CPU or the build lacks it.
hawc_status create_conv2d(const hawc_conv2d_params* p, const hawc_fp16* weights,
                          const hawc_fp16* bias, Implementation impl, hawc_conv2d** out);

}  // namespace hawc

struct hawc_conv2d {
  hawc_conv2d_params params;
  hawc::Variant variant;
  const hawc::WinogradKernels* kernels;
  // channels_padded: the GEMM's reduction, V's row: Cp for Winograd, the
  // padded receptive field for Gemm (ConvGeometry).
  // Grouped convolution: every per-group quantity (channels_padded,
  // out_channels_padded, the U and bias blocks) is one group's; groups
  // follow each other in U and the biases.
  int channels_padded, out_channels_padded;
  int groups;
  hawc::ConvGeometry geometry;
  // Packed transformed filter in the kernels' element type (one of the two).
  hawc::AlignedBuffer<float> u_f32;
  hawc::AlignedBuffer<uint16_t> u_f16;
  hawc::AlignedBuffer<float> bias_f32;     // groups x Kp values, zeros without bias
  hawc::AlignedBuffer<uint16_t> bias_f16;  // the same in FP16
  // FP16 range scaling (src/range_scaling.h): U holds the transformed
  // filter times 2^filter_exponent, whose largest |value| is scaled_u_max.
  int filter_exponent = 0;
  float scaled_u_max = 0;
  mutable hawc::WorkspaceCache workspace_cache;  // for runs without a caller workspace
  mutable hawc::PlanCache plan_cache;            // the last run's plan
  const void* u() const {
    return kernels->u_element_size == 2 ? static_cast<const void*>(u_f16.data()) : u_f32.data();
  }
};
