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
inline double error_bound(hawc::Implementation impl, hawc_algorithm a,
                          hawc_precision precision = HAWC_PRECISION_HIGH) {
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
    case HAWC_ALGORITHM_WINOGRAD_F4X3: return fast ? 2e-2 : 1e-2;
    // FP16 storage of V and U alone costs F(6x6) 3e-2: up to 8.3e-2 on
    // random layers at HIGH, up to 0.11 on C >= 128 suite layers at FAST.
    // AUTO never picks it for FP16 kernels.
    default: return fast ? 0.15 : 0.1;
  }
}

}  // namespace hawc_test
