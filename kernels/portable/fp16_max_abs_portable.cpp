#include "kernels/fp16_max_abs.h"

namespace hawc {

uint16_t fp16_max_finite_abs_portable(const uint16_t* p, size_t n, int lanes) {
  uint16_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    if (int(i % 8) >= lanes) continue;
    const uint16_t magnitude = p[i] & 0x7fff;
    if (magnitude < 0x7c00 && magnitude > best) best = magnitude;  // finite: exponent not all ones
  }
  return best;
}

}  // namespace hawc
