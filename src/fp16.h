// Scalar IEEE binary16 <-> binary32 conversion, round to nearest even.
// aarch64 has FCVT for half precision in the ARMv8.0 baseline, so there the
// compiler's __fp16 conversion is used; elsewhere the bit-exact software path.
#pragma once

#include <cstdint>
#include <cstring>

namespace hawc {

inline float fp16_to_fp32_soft(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // Inf or NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    uint32_t e = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    bits = sign | (e << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline uint16_t fp32_to_fp16_soft(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u)  // Inf stays Inf; NaN stays a quiet NaN
    return uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u | ((abs >> 13) & 0x3ffu) : 0u));
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to >= 65520: overflow
  if (abs < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    if (abs < 0x33000000u) return sign;  // < 2^-25 rounds to zero
    const uint32_t e = abs >> 23;
    const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - e;  // value / 2^-24 = m * 2^(e - 126)
    uint32_t r = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return uint16_t(sign | r);
  }
  uint32_t r = abs - 0x38000000u;  // rebias exponent 127 -> 15
  const uint32_t rem = r & 0x1fffu;
  r >>= 13;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;
  return uint16_t(sign | r);
}

#if defined(__aarch64__)
inline float fp16_to_fp32(uint16_t h) {
  __fp16 v;
  std::memcpy(&v, &h, sizeof v);
  return float(v);
}
inline uint16_t fp32_to_fp16(float f) {
  const __fp16 v = __fp16(f);
  uint16_t h;
  std::memcpy(&h, &v, sizeof h);
  return h;
}
#else
inline float fp16_to_fp32(uint16_t h) { return fp16_to_fp32_soft(h); }
inline uint16_t fp32_to_fp16(float f) { return fp32_to_fp16_soft(f); }
#endif

inline float round_to_fp16(float f) { return fp16_to_fp32(fp32_to_fp16(f)); }

// Powers of two for FP16 range scaling, without libm (the library links no
// math library). pow2f(e) = 2^e for e in [-126, 127]; exponent_of(x) =
// floor(log2 |x|) for a positive, normal, finite x.
inline float pow2f(int e) {
  const uint32_t bits = uint32_t(e + 127) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline int exponent_of(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return int((bits >> 23) & 0xffu) - 127;
}

}  // namespace hawc
