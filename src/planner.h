// How a run is cut into work: blocks of tiles that go through input transform,
// GEMM and output transform while their data stays in the core's L2, and how
// those blocks are split among the tasks (one per thread).
#pragma once

#include <cstddef>

#include "src/conv2d_types.h"

namespace hawc {

struct TilePlan {
  int tiles_per_block;   // T
  int blocks_per_image;
  long work_items;       // batch * blocks_per_image
  int tasks;             // <= threads; task i runs items [i*items/tasks, (i+1)*items/tasks)
  size_t v_elements;     // per-task V block (elements)
  size_t m_elements;     // per-task M block
};

TilePlan plan_tiles(Variant v, int channels_padded, int out_channels_padded, int tiles_per_image,
                    int batch, int threads);

// First work item of task `task` (the last task ends at work_items).
inline long task_first_item(const TilePlan& p, int task) { return p.work_items * task / p.tasks; }

}  // namespace hawc
