// Accuracy bounds shared by the conv tests (test_conv2d, test_property, the
// fuzzer): max |out - ref| / max |ref| per implementation and variant.
#pragma once

#include "hawc/hawc.h"
#include "src/conv2d.h"

namespace hawc_test {

// Bounds on max|out - ref| / max|ref|, from the measured worst case with
// modest headroom: test_conv2d's covering and realistic-channel shapes,
// test_property's random layers (4000, seed 12345, C and K up to 24) and the
// suite layers (bench/RESULTS.md, "hawc vs ncnn"). The portable path rounds
// only its FP16 output (measured 4.2e-4) at either precision level.
// channels: the layer's input channels when known (0: not known).
inline double error_bound(hawc::Implementation impl, hawc_algorithm a,
                          hawc_precision precision = HAWC_PRECISION_HIGH, int channels = 0) {
  if (impl == hawc::Implementation::Portable) return 1e-3;
  const bool fast = precision == HAWC_PRECISION_FAST;
  switch (a) {
    // 2.1e-3 on the covering shapes; random layers (FP16 chains of 16): up
    // to 5.5e-3 (HIGH, seed 1) and 4.2e-3 (FAST).
    case HAWC_ALGORITHM_WINOGRAD_F2X3: return 8e-3;
    // HIGH: FP16 chains of 16 channels summed in FP32: 5.9-9.4e-3 on the
    // suite layers; random layers (C < 64) sum in FP32 (6.8-7.6e-3). FAST:
    // FP16 transforms, chains of 32 from 64 channels (1.0-1.4e-2 on the
    // suite layers) and of 16 below (1.56-1.78e-2 on random layers). The
    // levels' promises.
    // HIGH from 64 channels has a random-data tail past 1e-2: 1.03e-2 on
    // one of test_fp16_scales' 196 HIGH envelope points (C = 64, 12x12,
    // K = 16; no range scaling involved); 24 seeds of that layer: 9.9e-3
    // worst. Chains of 8 take it to 8e-3 at 11-17% more instructions
    // (README, Accuracy).
    case HAWC_ALGORITHM_WINOGRAD_F4X3:
      return fast ? 2e-2 : channels >= hawc::kF4x3F32SumsBelowChannels ? 1.05e-2 : 1e-2;
    // GEMM: no transform; FP16 products in chains of 16 (HIGH) or 32 (FAST)
    // summed in FP32: 1.5e-3 (HIGH) and 1.6e-3 (FAST) worst on
    // test_conv2d_shapes' classes and realistic layers at every scale;
    // random layers with one output channel (few outputs to normalise by)
    // up to 4.7e-3 at FAST. Far inside both levels' promises; tight enough
    // to catch a broken gather.
    case HAWC_ALGORITHM_GEMM: return fast ? 1e-2 : 5e-3;
    // FP16 storage of V and U alone costs F(6x6) 3e-2: up to 8.3e-2 on
    // random layers at HIGH, up to 0.11 on C >= 128 suite layers at FAST.
    // AUTO never picks it for FP16 kernels.
    default: return fast ? 0.15 : 0.1;
  }
}

}  // namespace hawc_test
