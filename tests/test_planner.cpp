// The planner's cuts of a run (src/planner.h): every piece of work is done
// exactly once, no more tasks than work, and the phased passes keep the
// busiest task close to the mean on the few-tile layers they exist for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "src/planner.h"

namespace {

using hawc::RunPlan;
using hawc::Variant;

struct Shape {
  int cp, kp, tiles, batch;
};

// Few-tile and many-tile layers: ResNet-50 conv2_x..conv5_x at 14x14 and 7x7
// (F(4x4): 16 and 4 tiles), odd sizes and a batch.
const Shape kShapes[] = {{64, 64, 16, 1},  {128, 128, 16, 1}, {256, 256, 16, 1},
                         {512, 512, 4, 1}, {512, 512, 4, 8},  {24, 40, 48, 2},
                         {8, 8, 1, 1},     {104, 200, 13, 3}, {16, 16, 196, 1}};

// Units of work per task, one pass: a tile x one unit of the other dimension.
using Load = std::vector<long>;

// Marks what each item of a pass covers; every (image/point, tile, unit)
// must be covered exactly once.
template <typename Decode>
void check_pass(const char* pass, long items, int tasks, long cells, Decode decode, Load* load) {
  std::vector<int> covered(size_t(cells), 0);
  for (int task = 0; task < tasks; ++task)
    for (long item = hawc::first_item(items, tasks, task);
         item < hawc::first_item(items, tasks, task + 1); ++item)
      (*load)[size_t(task)] += decode(item, &covered);
  for (long i = 0; i < cells; ++i) ASSERT_EQ(covered[size_t(i)], 1) << pass << " cell " << i;
}

// A transform pass: items (image, tile group, chunk of 8-channel blocks) over
// `blocks` blocks per tile.
void check_transform_pass(const char* pass, const Shape& s, long items, int tasks, int per,
                          int chunk, int blocks, Load* load) {
  const long groups = hawc::tile_groups(s.tiles, per);
  const long chunks = (blocks + chunk - 1) / chunk;
  ASSERT_EQ(items, s.batch * groups * chunks) << pass;
  check_pass(
      pass, items, tasks, long(s.batch) * s.tiles * blocks,
      [&](long item, std::vector<int>* cov) {
        const long n = item / (groups * chunks);
        const hawc::TileGroup g = hawc::tile_group(s.tiles, per, item / chunks % groups);
        long work = 0;
        for (int t = g.begin; t < g.begin + g.count; ++t)
          for (int b = int(item % chunks) * chunk;
               b < std::min(blocks, int(item % chunks + 1) * chunk); ++b, ++work)
            ++(*cov)[size_t((n * s.tiles + t) * blocks + b)];
        if (g.part.tiles > 0)  // a part stays inside its panel
          EXPECT_LE(g.part.first + g.count, g.part.tiles) << pass;
        return work;
      },
      load);
}

double busiest_over_mean(const Load& load, int threads) {
  long total = 0, busiest = 0;
  for (long l : load) total += l, busiest = std::max(busiest, l);
  return total > 0 ? double(busiest) * threads / double(total) : 1.0;
}

TEST(Planner, PhasedPassesCoverEveryCellOnceAndBalance) {
  hawc::force_schedule(hawc::ScheduleChoice::Phased);
  for (const Shape& s : kShapes)
    for (int threads : {1, 2, 7, 16, 64, 128}) {
      SCOPED_TRACE(testing::Message() << "Cp " << s.cp << " Kp " << s.kp << " tiles " << s.tiles
                                      << " N " << s.batch << " threads " << threads);
      const int points = hawc::variant_points(Variant::F4x3);
      const RunPlan p = hawc::plan_run(Variant::F4x3, s.cp, s.kp, s.tiles, s.batch, threads);
      ASSERT_EQ(p.schedule, hawc::Schedule::Phased);
      ASSERT_GE(p.tasks, 1);
      ASSERT_LE(p.tasks, threads);
      ASSERT_LE(p.tasks, std::max({p.input_items, p.gemm_items, p.output_items}));
      // Input: (image, tile, 8-channel block).
      Load load(size_t(p.tasks), 0);
      check_transform_pass("input", s, p.input_items, p.tasks, p.input_tiles, p.channel_chunk / 8,
                           s.cp / 8, &load);
      // GEMM: (image, point, 16-channel panel, tile).
      const int kpanels = (s.kp + 15) / 16, k_chunk = p.gemm_out_chunk / 16;
      const long g_groups = hawc::tile_groups(s.tiles, p.gemm_tiles);
      const long k_chunks = (kpanels + k_chunk - 1) / k_chunk;
      ASSERT_EQ(p.gemm_items, long(s.batch) * points * k_chunks * g_groups);
      const double in_ratio = busiest_over_mean(load, threads);
      Load gemm_load(size_t(p.tasks), 0);
      check_pass(
          "gemm", p.gemm_items, p.tasks, long(s.batch) * points * kpanels * s.tiles,
          [&](long item, std::vector<int>* cov) {
            const hawc::TileGroup g = hawc::tile_group(s.tiles, p.gemm_tiles, item % g_groups);
            const long chunk = item / g_groups, image_point = chunk / k_chunks;
            long work = 0;
            for (int k = int(chunk % k_chunks) * k_chunk;
                 k < std::min(kpanels, int(chunk % k_chunks + 1) * k_chunk); ++k)
              for (int t = g.begin; t < g.begin + g.count; ++t, ++work)
                ++(*cov)[size_t((image_point * kpanels + k) * s.tiles + t)];
            return work;
          },
          &gemm_load);
      // Output: (image, tile, 8-channel block). (The run hands them out from the
      // last task down, output_pass_task: the same loads, permuted.)
      Load out_load(size_t(p.tasks), 0);
      check_transform_pass("output", s, p.output_items, p.tasks, p.output_tiles,
                           p.output_out_chunk / 8, s.kp / 8, &out_load);
      // Each pass ends at a barrier, so each must be balanced on its own, over
      // all `threads` (a thread without a task counts as idle). Few-tile
      // layers (the first four shapes: what the phased schedule is for), 16
      // to 128 threads: the busiest task at most 1.25x the mean.
      const double gemm_ratio = busiest_over_mean(gemm_load, threads),
                   out_ratio = busiest_over_mean(out_load, threads);
      if (&s - kShapes < 4 && threads >= 16) {
        std::printf(
            "Cp %d Kp %d tiles %d threads %d: busiest/mean input %.3f gemm %.3f output %.3f\n",
            s.cp, s.kp, s.tiles, threads, in_ratio, gemm_ratio, out_ratio);
        EXPECT_LE(in_ratio, 1.25);
        EXPECT_LE(gemm_ratio, 1.25);
        EXPECT_LE(out_ratio, 1.25);
      }
    }
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
}

}  // namespace
