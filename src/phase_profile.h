// Per-phase profiling of runs, for benchmarks (not part of the C API).
// HAWC_PROFILE_PHASE=input|gemm|output: that kernel family's calls are wrapped
// in the QEMU plugin's ROI markers (instruction counts per phase, bench/profile).
// HAWC_PROFILE_PHASE=time: every kernel call is timed and the nanoseconds are
// summed per phase over all threads (CPU time per phase on real hardware;
// hawc_bench reports them as counters).
#pragma once

#include <cstdint>

namespace hawc {

enum class ProfiledPhase { Input = 0, Gemm = 1, Output = 2 };

// Nanoseconds summed over threads since the last reset, per ProfiledPhase.
void phase_time_reset();
uint64_t phase_time_ns(ProfiledPhase phase);
bool phase_timing_enabled();

}  // namespace hawc
