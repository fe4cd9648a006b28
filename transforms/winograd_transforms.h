// Winograd input and output transforms, one function per variant and ISA.
// Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Portable: FP32 arithmetic and FP32 V / M through the matrices of winograd_matrices.h.
template <Variant V>
void winograd_input_transform_portable(const InputTransformArgs& a);
template <Variant V>
void winograd_output_transform_portable(const OutputTransformArgs& a);

}  // namespace hawc
