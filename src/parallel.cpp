#include "src/parallel.h"

#include <algorithm>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hawc {

void parallel_for(const hawc_run_options& o, int n, hawc_task_fn fn, void* ctx) {
  if (n <= 1) {
    if (n == 1) fn(ctx, 0);
    return;
  }
  if (o.parallel_for != nullptr) {
    o.parallel_for(o.parallel_context, n, fn, ctx);
    return;
  }
  // One task per thread, statically: which thread runs which task does not
  // change any result (each task owns its outputs and its workspace slot).
#pragma omp parallel for num_threads(n) schedule(static, 1)
  for (int i = 0; i < n; ++i) fn(ctx, i);
}

void parallel_passes(const hawc_run_options& o, int n, const hawc_task_fn* passes, int pass_count,
                     void* ctx) {
  if (n <= 1 || o.parallel_for != nullptr) {
    for (int p = 0; p < pass_count; ++p) parallel_for(o, n, passes[p], ctx);
    return;
  }
#ifdef _OPENMP
  // The team may be smaller than n (OMP_THREAD_LIMIT, nesting): each thread
  // runs every team-size-th task, as schedule(static, 1) would.
#pragma omp parallel num_threads(n)
  {
    const int first = omp_get_thread_num(), step = omp_get_num_threads();
    for (int p = 0; p < pass_count; ++p) {
      for (int i = first; i < n; i += step) passes[p](ctx, i);
#pragma omp barrier
    }
  }
#else
  for (int p = 0; p < pass_count; ++p)
    for (int i = 0; i < n; ++i) passes[p](ctx, i);
#endif
}

int default_threads(const hawc_run_options& o) {
  if (o.num_threads > 0) return std::min<int>(o.num_threads, HAWC_MAX_THREADS);
  if (o.parallel_for != nullptr)
    return int(
        std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()), HAWC_MAX_THREADS));
#ifdef _OPENMP
  return std::min(omp_get_max_threads(), HAWC_MAX_THREADS);
#else
  return 1;
#endif
}

}  // namespace hawc
