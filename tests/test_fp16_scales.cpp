// FP16 range scaling (src/range_scaling.h) on the NEON FP16 path: accuracy
// at every input and weight scale engines meet, and the two problem reports
// it fixes. Under QEMU -cpu max (FP16 arithmetic).
//
// Envelope: inputs s_x * N(0, 1) for s_x from 1e-4 to 1e2, He-shaped weights
// times s_w for s_w from 1e-3 to 1e3, C in {3, 16, 64, 256}, K = 16, one
// 12x12 image, no bias (a bias would hide the convolution's error at small
// scales), both precision levels, AUTO. Criterion: max-rel error <= the
// level's bound + the "FP16 floor", the max-rel error of rounding the exact
// result to FP16 once. The floor is what any convolution with FP16 outputs
// pays (XNNPACK f16 and ncnn included): about 3e-4 where the outputs are
// normal FP16 numbers, up to 6e-2 where they are subnormals (1e-4 inputs
// times 1e-3 weights). Runs whose exact result leaves FP16's range are
// skipped and counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernels/fp16_max_abs.h"
#include "src/conv2d.h"
#include "src/cpu_features.h"
#include "src/fp16.h"
#include "src/range_scaling.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"

namespace {

using hawc::Implementation;
using hawc_test::ConvCase;

bool neon_fp16_available() {
  return hawc::neon_fp16_kernels_built() && hawc::cpu_features().fp16_arith;
}

struct Measured {
  double error = 0;  // max-rel against the FP64 reference
  double floor = 0;  // max-rel of the reference rounded to FP16 once
  double max_ref = 0;
  bool ran = false;
  hawc_algorithm algorithm = HAWC_ALGORITHM_AUTO;  // what AUTO chose
};

Measured measure(const ConvCase& c, std::vector<uint16_t>* output = nullptr,
                 const std::vector<uint16_t>* weights = nullptr) {
  hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
  if (weights != nullptr) d.weights = *weights;
  hawc_test::compute_reference(c, &d);
  Measured m;
  std::vector<float> rounded(d.reference.size());
  for (size_t i = 0; i < rounded.size(); ++i) {
    rounded[i] = hawc::fp16_to_fp32(hawc::fp32_to_fp16(d.reference[i]));
    m.max_ref = std::max(m.max_ref, double(std::fabs(d.reference[i])));
  }
  m.floor = hawc_test::relative_max_error(rounded, d.reference);
  const hawc_conv2d_params p = hawc_test::params_for(c);
  hawc_conv2d* conv = nullptr;
  if (hawc::create_conv2d(&p, d.weights.data(), c.bias ? d.bias.data() : nullptr,
                          Implementation::NeonFp16, &conv) != HAWC_STATUS_SUCCESS)
    return m;
  m.algorithm = hawc_conv2d_algorithm(conv);
  m.error = hawc_test::run_and_compare(conv, c, d, 2, output);
  m.ran = m.error >= 0;
  hawc_conv2d_destroy(conv);
  return m;
}

ConvCase scale_case(int channels, double input_scale, double weight_scale,
                    hawc_precision precision) {
  ConvCase c;
  c.shape = {1, channels, 16, 12, 12};
  c.layout = HAWC_LAYOUT_NCHW8C;
  c.precision = precision;
  c.bias = false;
  c.input_scale = float(input_scale);
  c.weight_scale = float(weight_scale);
  c.seed = uint32_t(channels * 7 + 3);
  return c;
}

TEST(Fp16Scales, EnvelopeBothLevels) {
  if (!neon_fp16_available()) GTEST_SKIP() << "no FP16 arithmetic";
  const double input_scales[] = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100};
  const double weight_scales[] = {1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3};
  int skipped = 0, checked = 0;
  for (hawc_precision level : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST}) {
    for (int channels : {3, 16, 64, 256}) {
      std::printf("%s C=%d: max-rel error (floor) by input scale (rows) x weight scale\n",
                  level == HAWC_PRECISION_HIGH ? "HIGH" : "FAST", channels);
      double worst = 0, worst_excess = 0;
      for (double sx : input_scales) {
        std::printf("  x %-6g", sx);
        for (double sw : weight_scales) {
          const ConvCase c = scale_case(channels, sx, sw, level);
          const Measured m = measure(c);
          if (m.max_ref >= 60000) {  // the exact result leaves FP16's range
            ++skipped;
            std::printf("  %17s", "(out of range)");
            continue;
          }
          ++checked;
          ASSERT_TRUE(m.ran);
          const double bound =
              hawc_test::error_bound(Implementation::NeonFp16, m.algorithm, level, channels);
          std::printf("  %8.2e(%7.1e)", m.error, m.floor);
          worst = std::max(worst, m.error);
          worst_excess = std::max(worst_excess, m.error - m.floor);
          EXPECT_LE(m.error, bound + m.floor)
              << "C=" << channels << " input scale " << sx << " weight scale " << sw << ": max-rel "
              << m.error << ", bound " << bound << ", FP16 floor " << m.floor;
        }
        std::printf("\n");
      }
      std::printf("SUMMARY %s C=%d AUTO: worst max-rel %.2e, worst above the FP16 floor %.2e\n",
                  level == HAWC_PRECISION_HIGH ? "HIGH" : "FAST", channels, worst, worst_excess);
    }
  }
  std::printf("%d runs checked, %d out of FP16 range\n", checked, skipped);
}

// The same envelope for each forced variant (C = 64, a coarser grid), against
// the variant's documented bound at the level (tests/support/error_bounds.h).
TEST(Fp16Scales, EnvelopeForcedVariants) {
  if (!neon_fp16_available()) GTEST_SKIP() << "no FP16 arithmetic";
  for (hawc_precision level : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST})
    for (hawc_algorithm a : {HAWC_ALGORITHM_WINOGRAD_F2X3, HAWC_ALGORITHM_WINOGRAD_F4X3,
                             HAWC_ALGORITHM_WINOGRAD_F6X3}) {
      double worst = 0;
      int checked = 0;
      for (double sx : {1e-4, 1e-2, 1.0, 100.0})
        for (double sw : {1e-3, 1e-1, 10.0, 1e3}) {
          ConvCase c = scale_case(64, sx, sw, level);
          c.algorithm = a;
          const Measured m = measure(c);
          if (m.max_ref >= 60000) continue;  // the exact result leaves FP16's range
          ASSERT_TRUE(m.ran);
          ++checked;
          worst = std::max(worst, m.error - m.floor);
          EXPECT_LE(m.error,
                    hawc_test::error_bound(Implementation::NeonFp16, a, level, 64) + m.floor)
              << "algorithm " << a << " input scale " << sx << " weight scale " << sw;
        }
      std::printf("%s algorithm %d: %d runs, worst max-rel error minus FP16 floor %.2e\n",
                  level == HAWC_PRECISION_HIGH ? "HIGH" : "FAST", int(a), checked, worst);
    }
}

// The problem report's R8: C = 64, K = 16, a 12x12 image, weights
// U[-1, 1] / 24, inputs U[-1, 1] x s. Before range scaling AUTO measured
// 6.5e-3 at s = 1, 2.9e-2 at 1e-3, 0.27 at 1e-4 and about 0.9 with
// subnormal inputs; F(6x6) 2-19, F(2x2) 1.8-4.5e-2.
TEST(Fp16Scales, SmallInputsKeepTheirBits) {
  if (!neon_fp16_available()) GTEST_SKIP() << "no FP16 arithmetic";
  const double scales[] = {1, 1e-3, 1e-4, 3e-6 /* all inputs subnormal: below 6.1e-5 */};
  for (hawc_precision level : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST})
    for (hawc_algorithm a : {HAWC_ALGORITHM_AUTO, HAWC_ALGORITHM_WINOGRAD_F2X3,
                             HAWC_ALGORITHM_WINOGRAD_F4X3, HAWC_ALGORITHM_WINOGRAD_F6X3})
      for (double s : scales) {
        ConvCase c = scale_case(64, 1.0, 1.0, level);
        c.algorithm = a;
        c.input_distribution = hawc_test::Distribution::Uniform;
        c.input_scale = float(s);
        c.weight_distribution = hawc_test::Distribution::Uniform;
        c.weight_scale = 1.0f / 24;
        const Measured m = measure(c);
        ASSERT_TRUE(m.ran);
        const double bound =
            hawc_test::error_bound(Implementation::NeonFp16, m.algorithm, level, 64);
        std::printf("%s algorithm %d, s = %g: %.2e (FP16 floor %.1e)\n",
                    level == HAWC_PRECISION_HIGH ? "HIGH" : "FAST", int(m.algorithm), s, m.error,
                    m.floor);
        EXPECT_LE(m.error, bound + m.floor) << "algorithm " << a << ", input scale " << s;
      }
}

// R7: C = 12, K = 4, F(2x2), an 8x8 image, every weight 30000 and inputs
// about 1e-3: the exact outputs are 1000-3200, and all 256 came out Inf
// (U, in FP16, overflowed from |w| of about 29112; F(6x6) from 42320).
TEST(Fp16Scales, LargeWeightsDoNotOverflow) {
  if (!neon_fp16_available()) GTEST_SKIP() << "no FP16 arithmetic";
  for (hawc_algorithm a :
       {HAWC_ALGORITHM_WINOGRAD_F2X3, HAWC_ALGORITHM_WINOGRAD_F4X3, HAWC_ALGORITHM_WINOGRAD_F6X3})
    for (hawc_precision level : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST}) {
      ConvCase c;
      c.shape = {1, 12, 4, 8, 8};
      c.layout = HAWC_LAYOUT_NCHW;
      c.algorithm = a;
      c.precision = level;
      c.bias = false;
      c.input_distribution = hawc_test::Distribution::Uniform;
      c.input_scale = 2e-3f;  // U[-1, 1] x 2e-3, about 1e-3 in magnitude
      std::vector<uint16_t> weights(size_t(4) * 12 * 9, hawc::fp32_to_fp16(30000.0f));
      std::vector<uint16_t> out;
      const Measured m = measure(c, &out, &weights);
      ASSERT_TRUE(m.ran);
      EXPECT_LT(m.max_ref, 65504.0);
      for (uint16_t y : out) ASSERT_TRUE(std::isfinite(hawc::fp16_to_fp32(y)));
      EXPECT_LE(m.error, hawc_test::error_bound(Implementation::NeonFp16, a, level))
          << "algorithm " << a;
    }
}

// Scaling in-range data up must not change a bit where the transforms
// compute in FP32 (HIGH F(4x4), F(6x6)): powers of two are exact through
// FP16 products, FP16 chains and FP32 sums as long as nothing becomes
// subnormal. Scaling down makes the smallest inputs subnormal (some bits
// go), and where the transforms compute in FP16 the scaled path's FP32
// output transform rounds differently: those stay within their bound.
TEST(Fp16Scales, ForcedScalingIsExact) {
  if (!neon_fp16_available()) GTEST_SKIP() << "no FP16 arithmetic";
  struct Case {
    hawc_algorithm algorithm;
    hawc_precision level;
    int channels;
    bool bitwise;
  };
  const Case cases[] = {
      {HAWC_ALGORITHM_WINOGRAD_F4X3, HAWC_PRECISION_HIGH, 64, true},  // FP16 chains
      {HAWC_ALGORITHM_WINOGRAD_F4X3, HAWC_PRECISION_HIGH, 16, true},  // FP32 sums
      {HAWC_ALGORITHM_WINOGRAD_F6X3, HAWC_PRECISION_HIGH, 24, true},
      {HAWC_ALGORITHM_WINOGRAD_F4X3, HAWC_PRECISION_FAST, 72, false},  // FP16 transforms
      {HAWC_ALGORITHM_WINOGRAD_F2X3, HAWC_PRECISION_HIGH, 40, false},
  };
  for (const Case& k : cases)
    for (hawc_layout layout : {HAWC_LAYOUT_NCHW, HAWC_LAYOUT_NHWC, HAWC_LAYOUT_NCHW8C})
      for (int b : {-2, 3}) {
        ConvCase c = scale_case(k.channels, 1.0, 1.0, k.level);
        c.shape.in_h = 13, c.shape.in_w = 11;  // partial tiles
        c.layout = layout;
        c.algorithm = k.algorithm;
        c.bias = true;
        c.activation = HAWC_ACTIVATION_RELU6;
        std::vector<uint16_t> plain, scaled;
        const Measured m0 = measure(c, &plain);
        hawc::force_input_scale_exponent(b);
        const Measured m1 = measure(c, &scaled);
        hawc::force_input_scale_exponent(hawc::kNoForcedInputExponent);
        ASSERT_TRUE(m0.ran && m1.ran);
        const std::string what = "algorithm " + std::to_string(k.algorithm) +
                                 " C=" + std::to_string(k.channels) + " layout " +
                                 std::to_string(layout) + " b=" + std::to_string(b);
        if (k.bitwise && b > 0)
          EXPECT_EQ(plain, scaled) << what;
        else
          EXPECT_LE(m1.error, hawc_test::error_bound(Implementation::NeonFp16, k.algorithm, k.level,
                                                     k.channels))
              << what;
      }
}

// The input scan: the portable kernel against a plain loop (exact), the
// NEON kernel against both (exact exponent, mantissa at or above), on random
// bits with NaN, Inf, subnormals and negative zeros, at odd offsets and
// lengths (around its 64-value blocks), with and without NCHW8C lane masks.
TEST(Fp16Scales, ScanFindsTheLargestFiniteMagnitude) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 600; ++trial) {
    const size_t n = rng() % (trial % 2 == 0 ? 300 : 2000) + (trial % 3 == 0 ? 0 : 1);
    const size_t offset = rng() % 8;
    std::vector<uint16_t> data(n + offset + 8);
    const int kind = trial % 5;
    for (uint16_t& v : data) {
      v = uint16_t(rng());
      if (kind == 1) v &= 0x83ff;                             // zeros and subnormals only
      if (kind == 2 && rng() % 4 != 0) v |= 0x7c00;           // mostly NaN / Inf
      if (kind == 3) v = uint16_t((v & 0x87ff) | 0x3800);     // around 1
      if (kind == 4) v &= rng() % 64 == 0 ? 0xffff : 0xbbff;  // a few large ones, rare Inf
    }
    const int lanes = trial % 2 == 0 ? 8 : int(rng() % 8) + 1;
    const size_t len = lanes == 8 ? n : n / 8 * 8;
    const uint16_t* p = data.data() + (lanes == 8 ? offset : 0);
    uint16_t expected = 0;
    for (size_t i = 0; i < len; ++i) {
      const uint16_t m = p[i] & 0x7fff;
      if (int(i % 8) < lanes && m < 0x7c00) expected = std::max(expected, m);
    }
    EXPECT_EQ(hawc::fp16_max_finite_abs_portable(p, len, lanes), expected) << trial;
#if HAWC_HAVE_NEON_FP16
    const uint16_t got = hawc::fp16_max_finite_abs_neon(p, len, lanes);
    if (expected < 0x0400) {  // zero or subnormal: exact
      EXPECT_EQ(got, expected) << trial;
    } else {
      EXPECT_EQ(got >> 10, expected >> 10) << trial;  // the exponent
      EXPECT_GE(got, expected) << trial;
      EXPECT_LT(got, 0x7c00) << trial;
    }
#endif
  }
}

}  // namespace
