// Runs hawc's tasks on the engine's thread pool when the run options carry
// one, otherwise on OpenMP threads.
#pragma once

#include "hawc/hawc.h"

namespace hawc {

// fn(ctx, i) for every i in [0, n); returns when all are done.
void parallel_for(const hawc_run_options& o, int n, hawc_task_fn fn, void* ctx);

// The thread count a run uses when the options say 0.
int default_threads(const hawc_run_options& o);

}  // namespace hawc
