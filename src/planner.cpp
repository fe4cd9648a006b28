#include "src/planner.h"

#include <algorithm>

#include "src/winograd_kernels.h"

namespace hawc {
namespace {
// V + M of one block should stay well inside a 512 KiB L2 (Kunpeng 920, the
// smallest of the targets), leaving room for the filter panel stream.
constexpr size_t kBlockBytes = 192 * 1024;
constexpr int kMaxTilesPerBlock = 64;
// Fixed cost of a block in tile-equivalents: the filter panels stream through
// the core once per block whatever its size, so bigger blocks are cheaper.
constexpr long kBlockOverhead = 4;

// Cost of the busiest task when `batch` images of `tiles` tiles are cut into
// blocks of t tiles and the blocks are split contiguously over `tasks`.
long busiest_task_cost(int tiles, int batch, int t, int tasks) {
  const long blocks = long(div_up(tiles, t)), items = blocks * batch;
  long worst = 0;
  for (int i = 0; i < tasks; ++i) {
    long cost = 0;
    for (long item = items * i / tasks; item < items * (i + 1) / tasks; ++item) {
      const long b = item % blocks;
      cost += std::min<long>(t, tiles - b * t) + kBlockOverhead;
    }
    worst = std::max(worst, cost);
  }
  return worst;
}

}  // namespace

TilePlan plan_tiles(Variant v, int channels_padded, int out_channels_padded, int tiles_per_image,
                    int batch, int threads) {
  const size_t points = variant_points(v);
  const size_t bytes_per_tile = points * size_t(channels_padded + out_channels_padded) * 2;
  int t_max = int(std::min<size_t>(kMaxTilesPerBlock, std::max<size_t>(1, kBlockBytes / bytes_per_tile)));
  t_max = std::min(t_max, tiles_per_image);
  // The block size that makes the busiest thread's share smallest; on a tie
  // the larger block (fewer filter passes). Deterministic in (shape, threads).
  int best_t = t_max;
  long best_cost = -1;
  for (int t = t_max; t >= 1; --t) {
    const long items = long(div_up(tiles_per_image, t)) * batch;
    const int tasks = int(std::min<long>(threads, items));
    const long cost = busiest_task_cost(tiles_per_image, batch, t, tasks);
    if (best_cost < 0 || cost < best_cost) best_cost = cost, best_t = t;
    if (items >= 64L * threads) break;  // finer blocks cannot help any more
  }
  TilePlan plan;
  plan.tiles_per_block = best_t;
  plan.blocks_per_image = int(div_up(tiles_per_image, best_t));
  plan.work_items = long(plan.blocks_per_image) * batch;
  plan.tasks = int(std::min<long>(threads, plan.work_items));
  plan.v_elements = points * size_t(best_t) * channels_padded;
  plan.m_elements = points * size_t(best_t) * out_channels_padded;
  return plan;
}

}  // namespace hawc
