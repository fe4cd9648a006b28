#include "src/planner.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "src/cache_info.h"
#include "src/winograd_kernels.h"

namespace hawc {
namespace {
// A fused block of T tiles: the GEMM of one Winograd point reads V_p (T x Cp)
// once per output-channel panel and writes M_p (T x Kp), so V_p + M_p should
// fill at most half the core's L2; the filter streams once per block, so T
// should be large. All points' V and M together stay within kMaxTaskBytes
// per task (they are written once and read once per point: L2 or L3).
constexpr size_t kMaxTaskBytes = 4u << 20;
constexpr int kMaxTilesPerBlock = 64;
// Fixed cost of a fused block in tile-equivalents: the filter panels stream
// through the core once per block whatever its size, so bigger blocks win.
constexpr long kBlockOverhead = 4;
// Call overhead of a phased item in quarters of its unit of work, from the
// instruction counts of bench/profile: a transform call's setup is a small
// part of one tile's 8-channel transform (600-1600 instructions); a GEMM call
// (its micro-kernel calls load the U panel and set up the accumulators) costs
// about 64 channels of one tile x 16 output channels, whatever Cp is. Larger
// values cut coarser: fewer instructions in total, less even threads. Tried
// at 64 threads: GEMM at 16 channels took vgg16.conv1_1 (Cp = 8) from 1.09x
// to 1.29x the 1-thread instructions for a max/mean of 1.05 instead of 1.14.
constexpr int kTransformCallQuarters = 1;
constexpr int kGemmCallChannels = 64;
// Fewest tiles per GEMM item: the FP32-sum kernels' 4x16 block.
constexpr int kGemmMinTiles = 4;
// The phased schedule keeps the batch's V and M in memory: only for layers
// whose transformed tensors are small (few tiles).
constexpr size_t kPhasedMaxBytes = 32u << 20;
// A forced phased schedule whose V and M exceed this is not planned (its
// passes' item counts would overflow); its workspace size says so.
constexpr size_t kMaxPlannedBytes = size_t(1) << 50;

// Cost of the busiest task when `batch` images of `tiles` tiles are cut into
// blocks of t tiles and the blocks are split contiguously over `tasks`: it
// gets ceil(items / tasks) blocks; all but an image's last are full. O(1):
// planning runs on the calling thread before every run.
long busiest_task_cost(int tiles, int batch, int t, int tasks) {
  const long blocks = long(div_up(tiles, t)), items = blocks * batch;
  const long per_task = long(div_up(items, tasks));
  const long full_blocks =
      std::min(per_task, items - batch);  // blocks that are not an image's last
  const long last = tiles - (blocks - 1) * t;
  return full_blocks * t + (per_task - full_blocks) * last + per_task * kBlockOverhead;
}

// How a phased pass cuts its work: items of `tiles_per_item` tiles x `units`
// units of the other dimension (channel or output-channel blocks).
struct PassCut {
  int tiles_per_item, units;
  long items;
};

// The cut of a pass over `groups` independent (image, point) groups of
// `tiles` tiles x `total_units` units that gives the busiest of `threads`
// tasks the least work: ceil(items / threads) items, each costing its
// tiles x units plus call_quarters / 4 units of call overhead. Tiles per item
// from min_tiles up (parts of a V panel, then whole panels). On a tie the
// first found. O(log(tiles) x total_units); PlanCache keeps the result.
PassCut balanced_cut(int tiles, int total_units, long groups, int min_tiles, int call_quarters,
                     int threads) {
  PassCut best{0, 0, 0};
  long best_cost = -1;
  for (int per = min_tiles; per < 2 * int(round_up(tiles, kGemmMR)); per *= 2) {
    const long tile_items = groups * tile_groups(tiles, per);
    const long busiest_tiles = std::min<long>(per, tiles);
    for (int units = total_units; units >= 1; --units) {
      const long items = tile_items * long(div_up(total_units, units));
      const long cost = long(div_up(items, threads)) * (4 * busiest_tiles * units + call_quarters);
      if (best_cost < 0 || cost < best_cost) best_cost = cost, best = {per, units, items};
    }
  }
  return best;
}

RunPlan fused_plan(size_t points, int cp, int kp, int tiles, int batch, int threads) {
  const size_t point_bytes_per_tile = size_t(cp + kp) * 2;
  const size_t by_l2 = cache_sizes().l2 / 2 / point_bytes_per_tile;
  const size_t by_task = kMaxTaskBytes / (points * point_bytes_per_tile);
  int t_max = int(std::max<size_t>(1, std::min<size_t>({kMaxTilesPerBlock, by_l2, by_task})));
  if (t_max > kGemmMR) t_max = t_max / kGemmMR * kGemmMR;  // whole GEMM panels
  t_max = std::min(t_max, tiles);
  // The block size that makes the busiest task's share smallest; on a tie the
  // larger block. Deterministic in (shape, threads).
  int best_t = t_max;
  long best_cost = -1;
  for (int t = t_max; t >= 1; --t) {
    const long items = long(div_up(tiles, t)) * batch;
    const long cost = busiest_task_cost(tiles, batch, t, int(std::min<long>(threads, items)));
    if (best_cost < 0 || cost < best_cost) best_cost = cost, best_t = t;
    if (items >= 64L * threads) break;  // finer blocks cannot help any more
  }
  RunPlan p{};
  p.schedule = Schedule::Fused;
  p.tiles_per_block = best_t;
  p.blocks_per_image = int(div_up(tiles, best_t));
  p.work_items = long(p.blocks_per_image) * batch;
  p.tasks = int(std::min<long>(threads, p.work_items));
  p.v_elements = points * size_t(best_t) * cp;
  p.m_elements = points * size_t(best_t) * kp;
  return p;
}

RunPlan phased_plan(size_t points, int cp, int kp, int tiles, int batch, int threads) {
  RunPlan p{};
  p.schedule = Schedule::Phased;
  // Units: input 8-channel blocks; GEMM kGemmNR-wide output-channel panels;
  // output 8-channel blocks.
  const PassCut in = balanced_cut(tiles, cp / 8, batch, 1, kTransformCallQuarters, threads);
  const PassCut gemm =
      balanced_cut(tiles, int(div_up(kp, kGemmNR)), long(points) * batch, kGemmMinTiles,
                   std::max(1, 4 * kGemmCallChannels / cp), threads);
  const PassCut out = balanced_cut(tiles, kp / 8, batch, 1, kTransformCallQuarters, threads);
  p.input_tiles = in.tiles_per_item, p.channel_chunk = in.units * 8, p.input_items = in.items;
  p.gemm_tiles = gemm.tiles_per_item, p.gemm_out_chunk = gemm.units * kGemmNR;
  p.gemm_items = gemm.items;
  p.output_tiles = out.tiles_per_item, p.output_out_chunk = out.units * 8;
  p.output_items = out.items;
  p.v_elements = mul_sat(mul_sat(points * size_t(tiles), size_t(cp)), size_t(batch));
  p.m_elements = mul_sat(mul_sat(points * size_t(tiles), size_t(kp)), size_t(batch));
  // No more tasks than the largest pass has items: an extra task would only
  // wait at the barriers (and each OpenMP task is a thread).
  p.tasks = int(std::min<long>(threads, std::max({p.input_items, p.gemm_items, p.output_items})));
  return p;
}

ScheduleChoice choice_from_environment() {
  const char* v = std::getenv("HAWC_SCHEDULE");
  if (v != nullptr && std::strcmp(v, "fused") == 0) return ScheduleChoice::Fused;
  if (v != nullptr && std::strcmp(v, "phased") == 0) return ScheduleChoice::Phased;
  return ScheduleChoice::Auto;
}

std::atomic<ScheduleChoice> g_forced{choice_from_environment()};

}  // namespace

void force_schedule(ScheduleChoice choice) { g_forced.store(choice); }

RunPlan PlanCache::get(Variant v, int cp, int kp, int tiles, int batch, int threads) {
  const ScheduleChoice forced = g_forced.load();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!valid_ || tiles != tiles_ || batch != batch_ || threads != threads_ || forced != forced_) {
    plan_ = plan_run(v, cp, kp, tiles, batch, threads);
    valid_ = true, tiles_ = tiles, batch_ = batch, threads_ = threads, forced_ = forced;
  }
  return plan_;
}

RunPlan plan_run(Variant v, int cp, int kp, int tiles, int batch, int threads) {
  const size_t points = variant_points(v);
  const RunPlan fused = fused_plan(points, cp, kp, tiles, batch, threads);
  // Saturating: a batch of huge images must not wrap to a small size here
  // (it once made the planner pick the phased schedule with a 64-byte
  // workspace for a run that needed 2^65 bytes).
  const size_t phased_bytes =
      mul_sat(mul_sat(points * size_t(tiles), size_t(batch)), size_t(cp + kp) * 2);
  const ScheduleChoice forced = g_forced.load();
  if (forced == ScheduleChoice::Fused) return fused;
  if (forced == ScheduleChoice::Phased) {
    if (phased_bytes > kMaxPlannedBytes) {  // cannot run: the caller reports the size
      RunPlan p{};
      p.schedule = Schedule::Phased;
      p.tasks = 1;
      p.v_elements = p.m_elements = SIZE_MAX;
      return p;
    }
    return phased_plan(points, cp, kp, tiles, batch, threads);
  }
  if (threads == 1 || phased_bytes > kPhasedMaxBytes) return fused;
  // Phased when the fused blocks cannot give every thread an even share (the
  // busiest task carries over 3% more than the mean in this model: at 16
  // threads the fused blocks of vgg16.conv3_2 and yolov3.res3 (modelled
  // 4.6% and 3.0% over) left the busiest thread 7-9% over the mean in
  // instructions, the phased passes 0.1%, with 1.5% fewer instructions in
  // all; bench/RESULTS_ncnn.md), or only by cutting
  // blocks below one GEMM panel: the micro-kernels then reload the filter
  // panel for every tile or two (measured 1.55x the instructions of the
  // phased schedule at 16 threads on a 16-tile layer).
  const long total = long(tiles) * batch + fused.work_items * kBlockOverhead;
  const long busiest = busiest_task_cost(tiles, batch, fused.tiles_per_block, fused.tasks);
  const bool small_blocks = fused.tiles_per_block < std::min(kGemmMR, tiles);
  if (small_blocks || busiest * threads * 100 > total * 103)
    return phased_plan(points, cp, kp, tiles, batch, threads);
  return fused;
}

}  // namespace hawc
