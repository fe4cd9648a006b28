// Runs hawc's tasks on the engine's thread pool when the run options carry
// one, otherwise on OpenMP threads.
#pragma once

#include "hawc/hawc.h"

namespace hawc {

// fn(ctx, i) for every i in [0, n); returns when all are done.
void parallel_for(const hawc_run_options& o, int n, hawc_task_fn fn, void* ctx);

// parallel_for of passes[0], then of passes[1], ...: pass p + 1 starts when
// every task of pass p is done. On OpenMP one parallel region with barriers
// between the passes: the calling thread starts the team once (its cost
// grows with the thread count) instead of once per pass. With the engine's
// parallel_for, one call per pass.
void parallel_passes(const hawc_run_options& o, int n, const hawc_task_fn* passes, int pass_count,
                     void* ctx);

// The thread count a run uses when the options say 0.
int default_threads(const hawc_run_options& o);

}  // namespace hawc
