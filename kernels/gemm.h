// Batched GEMM over the Winograd points: M[p] = V[p] x U[p] for each point p.
// Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Portable: FP32 throughout.
void winograd_gemm_portable(const GemmArgs& a);

}  // namespace hawc
