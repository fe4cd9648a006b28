// Integer NEON. Two scans:
//  - the common one reads only the high byte of each value (sign, the 5
//    exponent bits, 2 mantissa bits): LD4 de-interleaves 64 bytes so that two
//    registers hold the high bytes of 32 values, SHL #1 drops the sign and
//    UMAX keeps the largest: 12 instructions per 64 values. The result has
//    the exact exponent and the mantissa's low 8 bits rounded up;
//  - the exact one, UMAX of (bits & 0x7fff) (the magnitude bits order like
//    the values), 11 instructions per 32 values: for NCHW8C's partial last
//    block (lane masks), tails, tensors whose largest value is subnormal,
//    and, with NaN and Inf masked out, tensors that hold them.
#include <arm_neon.h>

#include "kernels/fp16_max_abs.h"

namespace hawc {
namespace {

inline uint16x8_t lane_mask(int lanes) {
  static const uint16_t kIota[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  return vandq_u16(vcltq_u16(vld1q_u16(kIota), vdupq_n_u16(uint16_t(lanes))), vdupq_n_u16(0x7fff));
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

// Largest (high byte << 1) over p[0, blocks * 64): (exponent << 3) |
// (top two mantissa bits << 1); 0xf8 and up where a NaN or Inf is.
uint8_t max_high_byte_shifted(const uint16_t* p, size_t blocks) {
  uint8x16_t m0 = vdupq_n_u8(0), m1 = m0, m2 = m0, m3 = m0;
  asm("1:\n\t"
      "ld4 {v4.16b-v7.16b}, [%[p]], #64\n\t"
      "ld4 {v16.16b-v19.16b}, [%[p]], #64\n\t"
      "shl v5.16b, v5.16b, #1\n\t"
      "shl v7.16b, v7.16b, #1\n\t"
      "shl v17.16b, v17.16b, #1\n\t"
      "shl v19.16b, v19.16b, #1\n\t"
      "umax %[m0].16b, %[m0].16b, v5.16b\n\t"
      "umax %[m1].16b, %[m1].16b, v7.16b\n\t"
      "umax %[m2].16b, %[m2].16b, v17.16b\n\t"
      "umax %[m3].16b, %[m3].16b, v19.16b\n\t"
      "subs %[blocks], %[blocks], #1\n\t"
      "b.ne 1b"
      :
      [p] "+r"(p), [blocks] "+r"(blocks), [m0] "+w"(m0), [m1] "+w"(m1), [m2] "+w"(m2), [m3] "+w"(m3)
      :
      : "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "cc", "memory");
  return vmaxvq_u8(vmaxq_u8(vmaxq_u8(m0, m1), vmaxq_u8(m2, m3)));
}

uint16_t exact_max(const uint16_t* p, size_t n, int lanes) {
  const uint16x8_t mask = lane_mask(lanes);
  const uint16_t all = max_magnitude<false>(p, n, mask);
  return all < 0x7c00 ? all : max_magnitude<true>(p, n, mask);
}

}  // namespace

uint16_t fp16_max_finite_abs_neon(const uint16_t* p, size_t n, int lanes) {
  const size_t blocks = n / 64;
  if (lanes < 8 || blocks == 0) return exact_max(p, n, lanes);
  const uint8_t top = max_high_byte_shifted(p, blocks);
  // NaN or Inf, or nothing above the subnormals: the exact scan decides.
  if (top >= 0xf8 || top < 0x08) return exact_max(p, n, lanes);
  const uint16_t bound = uint16_t((top >> 1) << 8 | 0xff);
  const size_t done = blocks * 64;
  const uint16_t tail = done < n ? exact_max(p + done, n - done, 8) : 0;
  return bound > tail ? bound : tail;
}

}  // namespace hawc
