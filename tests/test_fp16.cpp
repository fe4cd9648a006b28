// The scalar FP16 conversions are exact (every half round-trips) and round
// to nearest even; on aarch64 the software and hardware paths agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "src/fp16.h"

namespace {

float bits_to_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = hawc::fp16_to_fp32_soft(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(hawc::fp16_to_fp32_soft(hawc::fp32_to_fp16_soft(f)))) << h;
      continue;
    }
    EXPECT_EQ(hawc::fp32_to_fp16_soft(f), h) << std::hex << h;
  }
}

TEST(Fp16, KnownValues) {
  EXPECT_EQ(hawc::fp32_to_fp16_soft(1.0f), 0x3c00);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(-2.0f), 0xc000);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(65504.0f), 0x7bff);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(65519.99f), 0x7bff);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(65520.0f), 0x7c00);  // ties to even overflow
  EXPECT_EQ(hawc::fp32_to_fp16_soft(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: 0
  EXPECT_EQ(hawc::fp32_to_fp16_soft(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(hawc::fp32_to_fp16_soft(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie: even
  EXPECT_EQ(hawc::fp32_to_fp16_soft(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie: even
  EXPECT_EQ(hawc::fp32_to_fp16_soft(INFINITY), 0x7c00);
  EXPECT_TRUE(std::isnan(hawc::fp16_to_fp32_soft(hawc::fp32_to_fp16_soft(NAN))));
}

TEST(Fp16, SoftwareMatchesPlatformConversion) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const uint32_t bits = rng();
    const float f = bits_to_float(bits);
    if (std::isnan(f)) continue;
    ASSERT_EQ(hawc::fp32_to_fp16_soft(f), hawc::fp32_to_fp16(f)) << std::hex << bits;
  }
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float a = hawc::fp16_to_fp32_soft(uint16_t(h)), b = hawc::fp16_to_fp32(uint16_t(h));
    if (std::isnan(a)) {
      EXPECT_TRUE(std::isnan(b));
      continue;
    }
    ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << std::hex << h;
  }
}

}  // namespace
