// Runs a created convolution: blocks of tiles through the three kernels, one
// task per thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "src/conv2d.h"

namespace hawc {

struct RunShape {
  int batch, in_h, in_w, out_h, out_w;
};

// Workspace bytes for this shape and thread count (including alignment slack).
size_t winograd_workspace_bytes(const hawc_conv2d& c, const RunShape& s, int threads);

// Arguments are already validated; threads >= 1. `workspace` holds at least
// winograd_workspace_bytes(c, s, threads) bytes, any alignment.
void run_winograd(const hawc_conv2d& c, const RunShape& s, const uint16_t* input,
                  uint16_t* output, const hawc_run_options& o, int threads,
                  unsigned char* workspace);

}  // namespace hawc
