// How a run is cut into work (src/winograd_conv.cpp executes the plan).
//
// Fused: blocks of tiles go through input transform, GEMM and output
// transform while their V and M stay in the core's L2; task i runs a
// contiguous share of the blocks. No transformed tensor goes through memory.
// Phased: for layers with too few tiles to keep every thread busy (ResNet-50
// conv5_x has 4 tiles of F(4x4) per image), three passes separated by a
// barrier: input transform split over (tiles, channel chunks), GEMM over
// (point, output-channel chunks), output transform over (tiles, output-channel
// chunks). V and M of the whole batch live in the shared workspace.
#pragma once

#include <cstddef>

#include "src/conv2d_types.h"

namespace hawc {

enum class Schedule { Fused, Phased };

struct RunPlan {
  Schedule schedule;
  int tasks;  // <= threads
  // Fused: blocks of T tiles; task i runs items [i*items/tasks, (i+1)*items/tasks).
  int tiles_per_block;
  int blocks_per_image;
  long work_items;
  // Phased: chunk sizes of the three passes and their item counts.
  int panels_per_image;  // of kGemmMR tiles
  int channel_chunk;     // input transform, multiple of 8
  int gemm_out_chunk;    // GEMM, multiple of kGemmNR
  int output_out_chunk;  // output transform, multiple of 8
  long input_items, gemm_items, output_items;
  // V and M elements: per task (fused) or for the whole batch (phased).
  size_t v_elements, m_elements;
};

// HAWC_SCHEDULE=fused|phased in the environment, or this call, forces a
// schedule for every later run (to measure and test both); Auto restores the
// planner's choice.
enum class ScheduleChoice { Auto, Fused, Phased };
void force_schedule(ScheduleChoice choice);

RunPlan plan_run(Variant v, int channels_padded, int out_channels_padded, int tiles_per_image,
                 int batch, int threads);

// First item of task `task` when `items` are split over `tasks`.
inline long first_item(long items, int tasks, int task) { return items * task / tasks; }

}  // namespace hawc
