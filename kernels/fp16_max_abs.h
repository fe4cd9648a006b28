// The largest finite magnitude in an FP16 tensor: what FP16 range scaling
// (src/range_scaling.h) measures of every run's input. It needs the binary
// exponent only (it scales by powers of two).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hawc {

// max |x| over the finite x of p[0, n), as FP16 bits (0 .. 0x7bff; 0 when
// every finite x is 0): exact in its exponent, and at or above the exact
// value in its mantissa (the NEON kernel rounds the mantissa's low 8 bits
// up; the portable one is exact). NaN and Inf are skipped: one bad pixel
// must not change the scale of every other tile. With lanes < 8, p holds
// groups of 8 values (n a multiple of 8) of which only the first `lanes`
// count (NCHW8C's last channel block, whose padding lanes may hold anything).
uint16_t fp16_max_finite_abs_portable(const uint16_t* p, size_t n, int lanes);
// The same with NEON integer instructions (any aarch64 CPU).
uint16_t fp16_max_finite_abs_neon(const uint16_t* p, size_t n, int lanes);

}  // namespace hawc
