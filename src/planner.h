// How a run is cut into work: blocks of tiles that go through input transform,
// GEMM and output transform while their data stays in the core's L2.
#pragma once

#include <cstddef>

#include "src/conv2d_types.h"

namespace hawc {

struct TilePlan {
  int tiles_per_block;   // T
  int blocks_per_image;
  size_t v_elements;     // per-thread V block (FP16 values)
  size_t m_elements;     // per-thread M block
};

TilePlan plan_tiles(Variant v, int channels_padded, int out_channels_padded, int tiles_per_image,
                    int batch, int threads);

}  // namespace hawc
