// Cache sizes of the running CPU, which size the planner's blocks: from the
// environment (HAWC_L1D_BYTES / HAWC_L2_BYTES, bytes) if set, else read from
// Linux sysfs (cpu0), else the target's defaults set by its toolchain file
// (HAWC_DEFAULT_L1D_BYTES / HAWC_DEFAULT_L2_BYTES), else a 64 KiB / 512 KiB
// core (Kunpeng 920, the smallest L2 of the targets).
#pragma once

#include <cstddef>

namespace hawc {

struct CacheSizes {
  size_t l1d;
  size_t l2;  // per core
};

const CacheSizes& cache_sizes();

}  // namespace hawc
