#include "src/winograd_conv.h"

#include <algorithm>

#include "src/planner.h"
#include "src/status.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hawc {

hawc_status run_winograd(const hawc_conv2d& c, const RunShape& s, const uint16_t* input,
                         uint16_t* output, int threads) {
  const hawc_conv2d_params& p = c.params;
  const int m = variant_m(c.variant), points = variant_points(c.variant);
  const Layout layout = static_cast<Layout>(p.layout);
  const int tiles_h = int(div_up(s.out_h, m)), tiles_w = int(div_up(s.out_w, m));
  const int tiles = tiles_h * tiles_w;
  const TilePlan plan =
      plan_tiles(c.variant, c.channels_padded, c.out_channels_padded, tiles, s.batch, threads);
  const long work_items = long(s.batch) * plan.blocks_per_image;
  threads = int(std::min<long>(threads, work_items));

  const WinogradKernels& k = *c.kernels;
  // Per thread: V block, then M block, each starting on a cache line.
  const size_t v_bytes = round_up(plan.v_elements * k.element_size, 64);
  const size_t per_thread = v_bytes + round_up(plan.m_elements * k.element_size, 64);
  AlignedBuffer<unsigned char> workspace;
  if (!workspace.allocate(per_thread * size_t(threads)))
    return fail(HAWC_STATUS_OUT_OF_MEMORY, "hawc_conv2d_run: cannot allocate %zu bytes of workspace",
                per_thread * size_t(threads));

  const size_t in_image = image_elements(layout, p.in_channels, s.in_h, s.in_w);
  const size_t out_image = image_elements(layout, p.out_channels, s.out_h, s.out_w);

#pragma omp parallel num_threads(threads) if (threads > 1)
  {
#ifdef _OPENMP
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    unsigned char* v = workspace.data() + per_thread * size_t(tid);
    unsigned char* mbuf = v + v_bytes;
    // Static schedule: a work item's result does not depend on which thread
    // runs it, so outputs are bitwise identical for any thread count.
#pragma omp for schedule(static)
    for (long item = 0; item < work_items; ++item) {
      const int n = int(item / plan.blocks_per_image);
      const int tile_begin = int(item % plan.blocks_per_image) * plan.tiles_per_block;
      const int count = std::min(plan.tiles_per_block, tiles - tile_begin);
      const size_t v_stride = size_t(count) * c.channels_padded;
      const size_t m_stride = size_t(count) * c.out_channels_padded;

      InputTransformArgs in{input + in_image * n, layout, p.in_channels, s.in_h, s.in_w,
                            p.pad_top, p.pad_left, tiles_w, tile_begin, count,
                            c.channels_padded, v, v_stride};
      k.input_transform(in);

      GemmArgs g{v, v_stride, c.u(), mbuf, m_stride, count, c.channels_padded,
                 c.out_channels_padded, 0, points};
      k.gemm(g);

      OutputTransformArgs out{mbuf, m_stride, c.out_channels_padded, output + out_image * n,
                              layout, p.out_channels, s.out_h, s.out_w, tiles_w, tile_begin,
                              count, c.bias_f32.data(), c.bias_f16.data(), static_cast<Activation>(p.activation)};
      k.output_transform(out);
    }
  }
  return HAWC_STATUS_SUCCESS;
}

}  // namespace hawc
