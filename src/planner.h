// How a run is cut into work (src/winograd_conv.cpp executes the plan).
//
// Fused: blocks of tiles go through input transform, GEMM and output
// transform while their V and M stay in the core's L2; task i runs a
// contiguous share of the blocks. No transformed tensor goes through memory.
// Phased: for layers with too few tiles to keep every thread busy (ResNet-50
// conv5_x has 4 tiles of F(4x4) per image), three passes separated by a
// barrier: input transform split over (tile groups, channel chunks), GEMM over
// (point, output-channel chunk, tile group), output transform over (tile
// groups, output-channel chunks). Each pass cuts its own tile groups: a part of
// one V panel (1, 2 or 4 tiles) or whole panels. V and M of the whole batch
// live in the shared workspace.
#pragma once

#include <cstddef>
#include <mutex>

#include "src/conv2d_types.h"
#include "src/winograd_kernels.h"

namespace hawc {

enum class Schedule { Fused, Phased };

struct RunPlan {
  Schedule schedule;
  int tasks;  // <= threads
  // Fused: blocks of T tiles; task i runs items [i*items/tasks, (i+1)*items/tasks).
  int tiles_per_block;
  int blocks_per_image;
  long work_items;
  // Phased: per pass, tiles per item (a divisor or a multiple of kGemmMR) and
  // the chunk of the other dimension; then the item counts.
  int input_tiles, channel_chunk;      // channel_chunk: multiple of 8
  int gemm_tiles, gemm_out_chunk;      // gemm_out_chunk: multiple of kGemmNR
  int output_tiles, output_out_chunk;  // output_out_chunk: multiple of 8
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

// An object's last plan. Inference runs one shape over and over, and planning
// (searches over chunk sizes, O(channels) steps) runs on the calling thread
// while the others wait; a run of the same shape reuses it. Safe under
// concurrent runs.
class PlanCache {
 public:
  RunPlan get(Variant v, int channels_padded, int out_channels_padded, int tiles, int batch,
              int threads);

 private:
  std::mutex mutex_;
  bool valid_ = false;
  int tiles_ = 0, batch_ = 0, threads_ = 0;
  ScheduleChoice forced_ = ScheduleChoice::Auto;
  RunPlan plan_{};
};

// Tile group g of an image of `tiles` tiles cut in groups of `per` tiles (a
// divisor of kGemmMR: parts of one V panel; or a multiple of it: whole panels).
struct TileGroup {
  int begin, count;
  VPanelPart part;
};
inline long tile_groups(int tiles, int per) {
  if (per >= kGemmMR) return long(div_up(tiles, per));
  // Only the last panel may be partial, and its groups come last.
  const int last = tiles - (tiles - 1) / kGemmMR * kGemmMR;  // tiles in it
  return long((tiles - 1) / kGemmMR) * (kGemmMR / per) + long(div_up(last, per));
}
inline TileGroup tile_group(int tiles, int per, long g) {
  TileGroup t{};
  if (per < kGemmMR) {
    const int panel = int(g / (kGemmMR / per)) * kGemmMR;
    t.part.first = int(g % (kGemmMR / per)) * per;
    t.part.tiles = tiles - panel < kGemmMR ? tiles - panel : kGemmMR;
    t.begin = panel + t.part.first;
  } else {
    t.begin = int(g) * per;
  }
  t.count = tiles - t.begin < per ? tiles - t.begin : per;
  return t;
}

// First item of task `task` when `items` are split over `tasks`.
inline long first_item(long items, int tasks, int task) { return items * task / tasks; }

// The phased output pass hands out its items from the last task down: with
// fewer items than tasks, the threads that transformed input (the first ones
// of each stride) are not the ones that transform output.
inline int output_pass_task(int tasks, int task) { return tasks - 1 - task; }

}  // namespace hawc
