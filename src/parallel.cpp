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

int default_threads(const hawc_run_options& o) {
  if (o.num_threads > 0) return std::min<int>(o.num_threads, HAWC_MAX_THREADS);
  if (o.parallel_for != nullptr)
    return int(std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()), HAWC_MAX_THREADS));
#ifdef _OPENMP
  return std::min(omp_get_max_threads(), HAWC_MAX_THREADS);
#else
  return 1;
#endif
}

}  // namespace hawc
