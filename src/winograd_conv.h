// Runs a created convolution: blocks of tiles through the three kernels.
#pragma once

#include <cstdint>

#include "src/conv2d.h"

namespace hawc {

struct RunShape {
  int batch, in_h, in_w, out_h, out_w;
};

// Arguments are already validated. threads >= 1.
hawc_status run_winograd(const hawc_conv2d& c, const RunShape& s, const uint16_t* input,
                         uint16_t* output, int threads);

}  // namespace hawc
