#include "src/winograd_conv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bench/hawc_roi.h"
#include "src/parallel.h"
#include "src/planner.h"

namespace hawc {
namespace {

struct Run {
  const hawc_conv2d* conv;
  RunShape shape;
  const uint16_t* input;
  uint16_t* output;
  TilePlan plan;
  int tiles_w, tiles;
  size_t in_image, out_image;  // elements per image
  unsigned char* workspace;    // 64-byte aligned
  size_t v_bytes, slot_bytes;  // per task: V block, then M block
};

size_t slot_bytes(const TilePlan& plan, size_t element_size, size_t* v_bytes) {
  *v_bytes = round_up(plan.v_elements * element_size, 64);
  return *v_bytes + round_up(plan.m_elements * element_size, 64);
}

TilePlan plan_for(const hawc_conv2d& c, const RunShape& s, int threads) {
  const int m = variant_m(c.variant);
  const int tiles = int(div_up(s.out_h, m) * div_up(s.out_w, m));
  return plan_tiles(c.variant, c.channels_padded, c.out_channels_padded, tiles, s.batch, threads);
}

// Per-phase instruction profiles (bench/profile): with HAWC_PROFILE_PHASE set
// to input, gemm or output, every call of that kernel family is wrapped in the
// QEMU plugin's region-of-interest markers (counted per thread with
// roi=thread). The markers are no-op instructions; without the variable the
// check is one predictable branch per block.
enum Phase { kNoPhase, kInputPhase, kGemmPhase, kOutputPhase };

Phase profiled_phase() {
  static const Phase phase = [] {
    const char* v = std::getenv("HAWC_PROFILE_PHASE");
    if (v == nullptr) return kNoPhase;
    if (std::strcmp(v, "input") == 0) return kInputPhase;
    if (std::strcmp(v, "gemm") == 0) return kGemmPhase;
    if (std::strcmp(v, "output") == 0) return kOutputPhase;
    return kNoPhase;
  }();
  return phase;
}

template <typename Kernel, typename Args>
inline void run_phase(Phase phase, Kernel kernel, const Args& args) {
  if (profiled_phase() == phase) {
    HAWC_ROI_BEGIN();
    kernel(args);
    HAWC_ROI_END();
  } else {
    kernel(args);
  }
}

// Task i: its contiguous share of the work items, each a block of tiles of one
// image through input transform, GEMM and output transform.
void run_task(void* context, int32_t task) {
  const Run& r = *static_cast<const Run*>(context);
  const hawc_conv2d& c = *r.conv;
  const hawc_conv2d_params& p = c.params;
  const WinogradKernels& k = *c.kernels;
  const Layout layout = static_cast<Layout>(p.layout);
  unsigned char* v = r.workspace + r.slot_bytes * size_t(task);
  unsigned char* m = v + r.v_bytes;
  const long end = task + 1 == r.plan.tasks ? r.plan.work_items : task_first_item(r.plan, task + 1);
  for (long item = task_first_item(r.plan, task); item < end; ++item) {
    const int n = int(item / r.plan.blocks_per_image);
    const int tile_begin = int(item % r.plan.blocks_per_image) * r.plan.tiles_per_block;
    const int count = std::min(r.plan.tiles_per_block, r.tiles - tile_begin);
    const size_t v_stride = size_t(count) * c.channels_padded;
    const size_t m_stride = size_t(count) * c.out_channels_padded;

    run_phase(kInputPhase, k.input_transform,
              InputTransformArgs{r.input + r.in_image * n, layout, p.in_channels, r.shape.in_h,
                                 r.shape.in_w, p.pad_top, p.pad_left, r.tiles_w, tile_begin, count,
                                 c.channels_padded, v, v_stride});
    run_phase(kGemmPhase, k.gemm,
              GemmArgs{v, v_stride, c.u(), m, m_stride, count, c.channels_padded,
                       c.out_channels_padded, 0, variant_points(c.variant)});
    run_phase(kOutputPhase, k.output_transform,
              OutputTransformArgs{m, m_stride, c.out_channels_padded, r.output + r.out_image * n,
                                  layout, p.out_channels, r.shape.out_h, r.shape.out_w, r.tiles_w,
                                  tile_begin, count, c.bias_f32.data(), c.bias_f16.data(),
                                  static_cast<Activation>(p.activation)});
  }
}

}  // namespace

size_t winograd_workspace_bytes(const hawc_conv2d& c, const RunShape& s, int threads) {
  const TilePlan plan = plan_for(c, s, threads);
  size_t v_bytes;
  return slot_bytes(plan, c.kernels->element_size, &v_bytes) * size_t(plan.tasks) +
         AlignedBuffer<unsigned char>::kAlignment;
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
  r.slot_bytes = slot_bytes(r.plan, c.kernels->element_size, &r.v_bytes);
  parallel_for(o, r.plan.tasks, run_task, &r);
}

}  // namespace hawc
