#include "src/cache_info.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef HAWC_DEFAULT_L1D_BYTES
#define HAWC_DEFAULT_L1D_BYTES (64 * 1024)
#endif
#ifndef HAWC_DEFAULT_L2_BYTES
#define HAWC_DEFAULT_L2_BYTES (512 * 1024)
#endif

namespace hawc {
namespace {

// Size in bytes of cpu0's cache at `level` holding data, or 0.
size_t sysfs_cache_bytes(int level) {
  for (int index = 0; index < 8; ++index) {
    char path[96], text[32];
    auto read = [&](const char* file) {
      std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index,
                    file);
      FILE* f = std::fopen(path, "r");
      if (f == nullptr) return false;
      const bool ok = std::fgets(text, sizeof text, f) != nullptr;
      std::fclose(f);
      return ok;
    };
    if (!read("level")) return 0;
    if (std::atoi(text) != level) continue;
    if (!read("type") || std::strncmp(text, "Instruction", 11) == 0) continue;
    if (!read("size")) return 0;
    char unit = 0;
    unsigned long value = 0;
    if (std::sscanf(text, "%lu%c", &value, &unit) < 1) return 0;
    return unit == 'K' ? value << 10 : unit == 'M' ? value << 20 : value;
  }
  return 0;
}

// HAWC_L1D_BYTES / HAWC_L2_BYTES in the environment, or 0.
size_t environment_bytes(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? size_t(std::strtoull(v, nullptr, 10)) : 0;
}

CacheSizes detect() {
  // The environment first: to plan for a target CPU elsewhere (under QEMU
  // sysfs describes the host) or to override a wrong reading.
  CacheSizes c{environment_bytes("HAWC_L1D_BYTES"), environment_bytes("HAWC_L2_BYTES")};
  if (c.l1d == 0) c.l1d = sysfs_cache_bytes(1);
  if (c.l2 == 0) c.l2 = sysfs_cache_bytes(2);
  // Implausible readings (emulators, containers) fall back to the defaults.
  if (c.l1d < (16u << 10) || c.l1d > (4u << 20)) c.l1d = HAWC_DEFAULT_L1D_BYTES;
  if (c.l2 < (128u << 10) || c.l2 > (64u << 20)) c.l2 = HAWC_DEFAULT_L2_BYTES;
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = detect();
  return sizes;
}

}  // namespace hawc
