// Integer NEON: the magnitude bits of FP16 values order like the values, so
// UMAX of (bits & 0x7fff) is the largest magnitude. 2 instructions per 8
// values (plus a quarter of a 4-register load); a tensor holding NaN or Inf
// (0x7c00 and up) is scanned a second time with them masked out (3 per 8).
#include <arm_neon.h>

#include "kernels/fp16_max_abs.h"

namespace hawc {
namespace {

inline uint16x8_t lane_mask(int lanes) {
  static const uint16_t kIota[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  return vandq_u16(vcltq_u16(vld1q_u16(kIota), vdupq_n_u16(uint16_t(lanes))),
                   vdupq_n_u16(0x7fff));
}

// Largest (bits & mask), and with SkipNonFinite of those below 0x7c00.
template <bool SkipNonFinite>
uint16_t max_magnitude(const uint16_t* p, size_t n, uint16x8_t mask) {
  const uint16x8_t inf = vdupq_n_u16(0x7c00);
  auto magnitude = [&](uint16x8_t x) {
    const uint16x8_t m = vandq_u16(x, mask);
    return SkipNonFinite ? vandq_u16(m, vcltq_u16(m, inf)) : m;
  };
  uint16x8_t m0 = vdupq_n_u16(0), m1 = m0, m2 = m0, m3 = m0;
  size_t i = 0;
  if (!SkipNonFinite && n >= 32) {
    // The common case in assembly: GCC 12 copied all four accumulators in
    // every iteration of the intrinsics loop (15 instructions per 32 values
    // instead of 11).
    const uint16_t* q = p;
    size_t blocks = n / 32;
    asm("1:\n\t"
        "ld1 {v4.8h-v7.8h}, [%[q]], #64\n\t"
        "and v4.16b, v4.16b, %[mask].16b\n\t"
        "and v5.16b, v5.16b, %[mask].16b\n\t"
        "and v6.16b, v6.16b, %[mask].16b\n\t"
        "and v7.16b, v7.16b, %[mask].16b\n\t"
        "umax %[m0].8h, %[m0].8h, v4.8h\n\t"
        "umax %[m1].8h, %[m1].8h, v5.8h\n\t"
        "umax %[m2].8h, %[m2].8h, v6.8h\n\t"
        "umax %[m3].8h, %[m3].8h, v7.8h\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "b.ne 1b"
        : [q] "+r"(q), [blocks] "+r"(blocks), [m0] "+w"(m0), [m1] "+w"(m1), [m2] "+w"(m2),
          [m3] "+w"(m3)
        : [mask] "w"(mask)
        : "v4", "v5", "v6", "v7", "cc", "memory");
    i = n / 32 * 32;
  }
  for (; i + 32 <= n; i += 32) {
    const uint16x8x4_t x = vld1q_u16_x4(p + i);
    m0 = vmaxq_u16(m0, magnitude(x.val[0]));
    m1 = vmaxq_u16(m1, magnitude(x.val[1]));
    m2 = vmaxq_u16(m2, magnitude(x.val[2]));
    m3 = vmaxq_u16(m3, magnitude(x.val[3]));
  }
  for (; i + 8 <= n; i += 8) m0 = vmaxq_u16(m0, magnitude(vld1q_u16(p + i)));
  uint16_t best = vmaxvq_u16(vmaxq_u16(vmaxq_u16(m0, m1), vmaxq_u16(m2, m3)));
  for (; i < n; ++i) {  // fewer than 8 left (only with lanes == 8)
    const uint16_t m = p[i] & 0x7fff;
    if ((!SkipNonFinite || m < 0x7c00) && m > best) best = m;
  }
  return best;
}

}  // namespace

uint16_t fp16_max_finite_abs_neon(const uint16_t* p, size_t n, int lanes) {
  const uint16x8_t mask = lane_mask(lanes);
  const uint16_t all = max_magnitude<false>(p, n, mask);
  return all < 0x7c00 ? all : max_magnitude<true>(p, n, mask);
}

}  // namespace hawc
