#include "src/winograd_conv.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "bench/hawc_roi.h"
#include "src/parallel.h"
#include "src/phase_profile.h"
#include "src/planner.h"
#include "src/range_scaling.h"

namespace hawc {
namespace {

struct Run {
  const hawc_conv2d* conv;
  // FP16 range scaling: the input's largest finite magnitude (FP16 bits),
  // found by the scan pass before any transform reads the input.
  std::atomic<unsigned> input_max{0};
  RunShape shape;
  const uint16_t* input;
  uint16_t* output;
  RunPlan plan;
  int tiles_w, tiles;
  size_t in_image, out_image;  // elements per image
  unsigned char* workspace;    // 64-byte aligned
  size_t v_bytes, slot_bytes;  // fused: per task V block, then M block
};

// The plan treats each (image, group) pair of a grouped convolution as an
// image of its own ("virtual image" vn = n * groups + g): the passes and
// blocks below index them so, and every group has its own V and M.
RunPlan plan_for(const hawc_conv2d& c, const RunShape& s, int threads) {
  const int m = variant_m(c.variant);
  const int tiles = int(div_up(s.out_h, m) * div_up(s.out_w, m));
  return c.plan_cache.get(c.variant, c.channels_padded, c.out_channels_padded, tiles,
                          s.batch * c.groups, threads);
}

// Fused: one slot (V then M) per task. Phased: the batch's V then M, shared.
// Saturating (SIZE_MAX: does not fit).
size_t v_bytes_of(const RunPlan& plan, const WinogradKernels& k) {
  return round_up_sat(mul_sat(plan.v_elements, k.v_element_size), 64);
}
size_t slot_bytes_of(const RunPlan& plan, const WinogradKernels& k) {
  return add_sat(v_bytes_of(plan, k), round_up_sat(mul_sat(plan.m_elements, k.m_element_size), 64));
}

// Per-phase profiling (src/phase_profile.h): with HAWC_PROFILE_PHASE set to
// input, gemm or output, every call of that kernel family is wrapped in the
// QEMU plugin's region-of-interest markers (counted per thread with
// roi=thread; the markers are no-op instructions); with "time", every call is
// timed. Without the variable the check is one predictable branch per call.
enum Phase { kInputPhase, kGemmPhase, kOutputPhase, kNoPhase, kTimePhases };

Phase profiled_phase() {
  static const Phase phase = [] {
    const char* v = std::getenv("HAWC_PROFILE_PHASE");
    if (v == nullptr) return kNoPhase;
    if (std::strcmp(v, "input") == 0) return kInputPhase;
    if (std::strcmp(v, "gemm") == 0) return kGemmPhase;
    if (std::strcmp(v, "output") == 0) return kOutputPhase;
    if (std::strcmp(v, "time") == 0) return kTimePhases;
    return kNoPhase;
  }();
  return phase;
}

std::atomic<uint64_t> g_phase_ns[3];

template <typename Kernel, typename Args>
inline void run_phase(Phase phase, Kernel kernel, const Args& args) {
  const Phase profiled = profiled_phase();
  if (profiled == kNoPhase || (profiled != phase && profiled != kTimePhases)) {
    kernel(args);
  } else if (profiled == kTimePhases) {
    const auto start = std::chrono::steady_clock::now();
    kernel(args);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - start);
    g_phase_ns[phase].fetch_add(uint64_t(ns.count()), std::memory_order_relaxed);
  } else {
    HAWC_ROI_BEGIN();
    kernel(args);
    HAWC_ROI_END();
  }
}

// The scan pass (kernel sets with FP16 V only): task `task`'s share of the
// batch's input, in whole 8-value groups; NCHW8C's last channel block counts
// its real lanes only.
void scan_task(void* context, int32_t task) {
  Run& r = *static_cast<Run*>(context);
  const hawc_conv2d& c = *r.conv;
  const Layout layout = static_cast<Layout>(c.params.layout);
  const size_t total = r.in_image * size_t(r.shape.batch);
  const size_t per = round_up(div_up(total, size_t(r.plan.tasks)), 8);
  const size_t begin = std::min(total, per * size_t(task)), end = std::min(total, begin + per);
  unsigned best = 0;
  const int last_lanes = c.params.in_channels % 8;
  if (layout != Layout::NCHW8C || last_lanes == 0) {
    best = c.kernels->max_finite_abs(r.input + begin, end - begin, 8);
  } else {  // plane by plane: a plane is one 8-channel block of one image
    const size_t plane = size_t(r.shape.in_h) * r.shape.in_w * 8;
    const size_t blocks = div_up(size_t(c.params.in_channels), 8);
    for (size_t at = begin; at < end;) {
      const size_t next = std::min(end, (at / plane + 1) * plane);
      const int lanes = (at / plane) % blocks == blocks - 1 ? last_lanes : 8;
      best = std::max<unsigned>(best, c.kernels->max_finite_abs(r.input + at, next - at, lanes));
      at = next;
    }
  }
  unsigned seen = r.input_max.load(std::memory_order_relaxed);
  while (best > seen && !r.input_max.compare_exchange_weak(seen, best)) {
  }
}

// The run's scales, once the scan pass is done (each task computes the same).
RunScales scales_of(const Run& r) {
  const hawc_conv2d& c = *r.conv;
  if (c.kernels->max_finite_abs == nullptr) return {};
  return run_scales(c.variant, c.kernels->u_element_size == 2, c.filter_exponent, c.scaled_u_max,
                    uint16_t(r.input_max.load(std::memory_order_relaxed)));
}

// The kernel arguments for tiles [tile_begin, tile_begin + count) of virtual
// image vn, with V and M blocks laid out for exactly those tiles.
InputTransformArgs input_args(const Run& r, const RunScales& scales, int vn, int tile_begin,
                              int count, void* v, size_t v_stride) {
  const hawc_conv2d& c = *r.conv;
  const hawc_conv2d_params& p = c.params;
  const int n = vn / c.groups, group_channels = p.in_channels / c.groups;
  InputTransformArgs a{r.input + r.in_image * n,
                       static_cast<Layout>(p.layout),
                       group_channels,
                       r.shape.in_h,
                       r.shape.in_w,
                       p.pad_top,
                       p.pad_left,
                       r.tiles_w,
                       tile_begin,
                       count,
                       c.channels_padded,
                       v,
                       v_stride};
  a.geometry = c.geometry;
  if (c.groups > 1) a.channel_offset = vn % c.groups * group_channels, a.tensor_channels = p.in_channels;
  a.input_scale = scales.input_scale;
  return a;
}

GemmArgs gemm_args(const Run& r, int vn, int count, const void* v, size_t v_stride, void* m,
                   size_t m_stride) {
  const hawc_conv2d& c = *r.conv;
  const size_t group_u = size_t(variant_points(c.variant)) * c.channels_padded *
                         c.out_channels_padded * c.kernels->u_element_size;
  GemmArgs a{v,
             v_stride,
             static_cast<const unsigned char*>(c.u()) + group_u * size_t(vn % c.groups),
             m,
             m_stride,
             count,
             c.channels_padded,
             c.out_channels_padded,
             0,
             variant_points(c.variant)};
  // Winograd: the zero channels past C may be skipped. Gemm: its V rows
  // have padding inside (per tap); none is skipped.
  a.channels = is_winograd(c.variant) ? c.params.in_channels : 0;
  return a;
}

OutputTransformArgs output_args(const Run& r, const RunScales& scales, int vn, int tile_begin,
                                int count, const void* m, size_t m_stride) {
  const hawc_conv2d& c = *r.conv;
  const hawc_conv2d_params& p = c.params;
  const int n = vn / c.groups, g = vn % c.groups, group_channels = p.out_channels / c.groups;
  OutputTransformArgs a{m,
                        m_stride,
                        c.out_channels_padded,
                        r.output + r.out_image * n,
                        static_cast<Layout>(p.layout),
                        group_channels,
                        r.shape.out_h,
                        r.shape.out_w,
                        r.tiles_w,
                        tile_begin,
                        count,
                        c.bias_f32.data() + size_t(g) * c.out_channels_padded,
                        c.bias_f16.data() + size_t(g) * c.out_channels_padded,
                        static_cast<Activation>(p.activation)};
  a.m_scale = scales.m_scale;
  if (c.groups > 1) a.channel_offset = g * group_channels, a.tensor_channels = p.out_channels;
  return a;
}

// Fused task i: its contiguous share of the blocks, each through input
// transform, GEMM and output transform in the task's own slot.
void fused_task(void* context, int32_t task) {
  const Run& r = *static_cast<const Run*>(context);
  const hawc_conv2d& c = *r.conv;
  const WinogradKernels& k = *c.kernels;
  unsigned char* v = r.workspace + r.slot_bytes * size_t(task);
  unsigned char* m = v + r.v_bytes;
  const RunPlan& plan = r.plan;
  const RunScales scales = scales_of(r);
  for (long item = first_item(plan.work_items, plan.tasks, task);
       item < first_item(plan.work_items, plan.tasks, task + 1); ++item) {
    const int n = int(item / plan.blocks_per_image);  // virtual image
    const int tile_begin = int(item % plan.blocks_per_image) * plan.tiles_per_block;
    const int count = std::min(plan.tiles_per_block, r.tiles - tile_begin);
    const size_t v_stride = size_t(count) * c.channels_padded;
    const size_t m_stride = size_t(count) * c.out_channels_padded;
    run_phase(kInputPhase, k.input_transform,
              input_args(r, scales, n, tile_begin, count, v, v_stride));
    run_phase(kGemmPhase, k.gemm, gemm_args(r, n, count, v, v_stride, m, m_stride));
    run_phase(kOutputPhase, k.output_transform,
              output_args(r, scales, n, tile_begin, count, m, m_stride));
  }
}

// Phased: image n's V (and M) is one block of all its tiles; the passes cut
// it by kGemmMR-tile panels and channel chunks.
struct PhasedBlock {
  unsigned char* v;
  unsigned char* m;
  size_t v_stride, m_stride;  // point strides (elements)
};

PhasedBlock phased_block(const Run& r, int n) {
  const hawc_conv2d& c = *r.conv;
  const size_t es = c.kernels->v_element_size, m_es = c.kernels->m_element_size;
  const size_t v_image = size_t(variant_points(c.variant)) * r.tiles * c.channels_padded;
  const size_t m_image = size_t(variant_points(c.variant)) * r.tiles * c.out_channels_padded;
  return {r.workspace + v_image * es * n, r.workspace + r.v_bytes + m_image * m_es * n,
          size_t(r.tiles) * c.channels_padded, size_t(r.tiles) * c.out_channels_padded};
}

// The items of task `task` in a transform pass cut in groups of `per` tiles x
// `chunk` channels (or output channels): fn(n, tile group, first channel).
template <typename Fn>
void for_each_transform_item(const Run& r, long items, int task, int per, int channels_padded,
                             int chunk, Fn fn) {
  const long chunks = long(div_up(channels_padded, chunk));
  const long groups = tile_groups(r.tiles, per);
  for (long item = first_item(items, r.plan.tasks, task);
       item < first_item(items, r.plan.tasks, task + 1); ++item)
    fn(int(item / (groups * chunks)), tile_group(r.tiles, per, item / chunks % groups),
       int(item % chunks) * chunk);
}

void phased_input_task(void* context, int32_t task) {
  const Run& r = *static_cast<const Run*>(context);
  const RunPlan& plan = r.plan;
  const hawc_conv2d& c = *r.conv;
  const RunScales scales = scales_of(r);
  for_each_transform_item(
      r, plan.input_items, task, plan.input_tiles, c.channels_padded, plan.channel_chunk,
      [&](int n, const TileGroup& g, int channel_begin) {
        const PhasedBlock b = phased_block(r, n);
        InputTransformArgs a =
            input_args(r, scales, n, g.begin, g.count,
                       b.v + v_panel_offset(g.begin, c.channels_padded) * c.kernels->v_element_size,
                       b.v_stride);
        a.v_part = g.part;
        a.channel_begin = channel_begin;
        a.channel_end = channel_begin + plan.channel_chunk;
        run_phase(kInputPhase, c.kernels->input_transform, a);
      });
}

void phased_gemm_task(void* context, int32_t task) {
  const Run& r = *static_cast<const Run*>(context);
  const RunPlan& plan = r.plan;
  const hawc_conv2d& c = *r.conv;
  const int points = variant_points(c.variant);
  const long chunks = long(div_up(c.out_channels_padded, plan.gemm_out_chunk));
  const long groups = tile_groups(r.tiles, plan.gemm_tiles);
  for (long item = first_item(plan.gemm_items, plan.tasks, task);
       item < first_item(plan.gemm_items, plan.tasks, task + 1); ++item) {
    const TileGroup g = tile_group(r.tiles, plan.gemm_tiles, item % groups);
    const long chunk = item / groups;  // (image, point, output-channel chunk)
    const long image_point = chunk / chunks;
    const int vn = int(image_point / points);
    const PhasedBlock b = phased_block(r, vn);
    GemmArgs a = gemm_args(
        r, vn, g.count, b.v + v_panel_offset(g.begin, c.channels_padded) * c.kernels->v_element_size,
        b.v_stride, b.m + size_t(g.begin) * c.out_channels_padded * c.kernels->m_element_size,
        b.m_stride);
    a.v_part = g.part;
    a.point_begin = int(image_point % points);
    a.point_end = a.point_begin + 1;
    a.k_begin = int(chunk % chunks) * plan.gemm_out_chunk;
    a.k_end = a.k_begin + plan.gemm_out_chunk;
    run_phase(kGemmPhase, c.kernels->gemm, a);
  }
}

void phased_output_task(void* context, int32_t task_index) {
  const Run& r = *static_cast<const Run*>(context);
  const RunPlan& plan = r.plan;
  const hawc_conv2d& c = *r.conv;
  const RunScales scales = scales_of(r);
  for_each_transform_item(
      r, plan.output_items, output_pass_task(plan.tasks, task_index), plan.output_tiles,
      c.out_channels_padded, plan.output_out_chunk, [&](int n, const TileGroup& g, int k_begin) {
        const PhasedBlock b = phased_block(r, n);
        OutputTransformArgs a = output_args(
            r, scales, n, g.begin, g.count,
            b.m + size_t(g.begin) * c.out_channels_padded * c.kernels->m_element_size, b.m_stride);
        a.k_begin = k_begin;
        a.k_end = k_begin + plan.output_out_chunk;
        run_phase(kOutputPhase, c.kernels->output_transform, a);
      });
}

}  // namespace

void phase_time_reset() {
  for (auto& ns : g_phase_ns) ns.store(0);
}
uint64_t phase_time_ns(ProfiledPhase phase) { return g_phase_ns[int(phase)].load(); }
bool phase_timing_enabled() { return profiled_phase() == kTimePhases; }

size_t winograd_workspace_bytes(const hawc_conv2d& c, const RunShape& s, int threads) {
  const RunPlan plan = plan_for(c, s, threads);
  const size_t slots = plan.schedule == Schedule::Fused ? size_t(plan.tasks) : 1;
  return add_sat(mul_sat(slot_bytes_of(plan, *c.kernels), slots),
                 AlignedBuffer<unsigned char>::kAlignment);
}

void run_winograd(const hawc_conv2d& c, const RunShape& s, const uint16_t* input, uint16_t* output,
                  const hawc_run_options& o, int threads, unsigned char* workspace) {
  Run r;
  r.conv = &c;
  r.shape = s;
  r.input = input;
  r.output = output;
  r.plan = plan_for(c, s, threads);
  const int m = variant_m(c.variant);
  r.tiles_w = int(div_up(s.out_w, m));
  r.tiles = r.tiles_w * int(div_up(s.out_h, m));
  const Layout layout = static_cast<Layout>(c.params.layout);
  r.in_image = image_elements(layout, c.params.in_channels, s.in_h, s.in_w);
  r.out_image = image_elements(layout, c.params.out_channels, s.out_h, s.out_w);
  const uintptr_t base = reinterpret_cast<uintptr_t>(workspace);
  r.workspace = workspace + (round_up(base, AlignedBuffer<unsigned char>::kAlignment) - base);
  r.v_bytes = v_bytes_of(r.plan, *c.kernels);
  r.slot_bytes = slot_bytes_of(r.plan, *c.kernels);
  // Kernel sets with FP16 V scan the input first (range scaling): one more
  // pass, in the same parallel region.
  const bool scan = c.kernels->max_finite_abs != nullptr;
  if (r.plan.schedule == Schedule::Fused) {
    const hawc_task_fn passes[] = {scan_task, fused_task};
    parallel_passes(o, r.plan.tasks, passes + !scan, 2 - !scan, &r);
  } else {
    const hawc_task_fn passes[] = {scan_task, phased_input_task, phased_gemm_task,
                                   phased_output_task};
    parallel_passes(o, r.plan.tasks, passes + !scan, 4 - !scan, &r);
  }
}

}  // namespace hawc
