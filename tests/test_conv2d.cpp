// Every variant x layout x activation against the FP32 reference, for each
// implementation this CPU runs, over a covering set of shapes: all pairs of
// C x K in {1,3,7,8,9,16,33,64}, all pairs of H x W in {1,2,3,5,8,13,17,30},
// batch 1 and 3, symmetric and asymmetric padding 0..2.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "src/conv2d.h"
#include "src/planner.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"
#include "tests/support/implementations.h"

namespace {

using hawc::Implementation;
using hawc_test::ConvCase;

using hawc_test::error_bound;  // tests/support/error_bounds.h

constexpr int kSizes[8] = {1, 2, 3, 5, 8, 13, 17, 30};
constexpr int kChannels[8] = {1, 3, 7, 8, 9, 16, 33, 64};

// Case i of 64: (H, W) = (i % 8, (i + i / 8) % 8) and (C, K) = (i / 8, (i + 3 * (i / 8)) % 8)
// both cover all 64 pairs; padding, batch and activation cycle independently.
ConvCase covering_case(int i, hawc_algorithm algo, hawc_layout layout) {
  ConvCase c;
  c.shape.in_h = kSizes[i % 8];
  c.shape.in_w = kSizes[(i + i / 8) % 8];
  c.shape.in_channels = kChannels[i / 8];
  c.shape.out_channels = kChannels[(i + 3 * (i / 8)) % 8];
  c.shape.batch = (i % 5 == 2) ? 3 : 1;
  c.shape.pad_top = i % 3;
  c.shape.pad_left = (i / 3) % 3;
  c.shape.pad_bottom = (i / 2) % 3;
  c.shape.pad_right = (i / 7) % 3;
  while (c.shape.out_h() < 1) ++(c.shape.pad_top < 2 ? c.shape.pad_top : c.shape.pad_bottom);
  while (c.shape.out_w() < 1) ++(c.shape.pad_left < 2 ? c.shape.pad_left : c.shape.pad_right);
  c.layout = layout;
  c.activation = static_cast<hawc_activation>(i % 3);
  c.algorithm = algo;
  c.bias = (i % 4) != 1;
  c.seed = 1000 + i;
  return c;
}

using Param = std::tuple<Implementation, hawc_algorithm, hawc_layout, hawc_precision>;

class Conv2dTest : public testing::TestWithParam<Param> {};

TEST_P(Conv2dTest, MatchesReferenceOnCoveringShapes) {
  const auto [impl, algo, layout, precision] = GetParam();
  double worst = 0;
  for (int i = 0; i < 64; ++i) {
    ConvCase c = covering_case(i, algo, layout);
    c.precision = precision;
    const hawc_test::ConvData d = hawc_test::make_conv_data(c);
    const hawc_conv2d_params p = hawc_test::params_for(c);
    hawc_conv2d* conv = nullptr;
    ASSERT_EQ(hawc::create_conv2d(&p, d.weights.data(), c.bias ? d.bias.data() : nullptr, impl, &conv),
              HAWC_STATUS_SUCCESS)
        << hawc_last_error_message();
    EXPECT_EQ(hawc_conv2d_algorithm(conv), algo);
    const double err = hawc_test::run_and_compare(conv, c, d, 1 + i % 3);
    hawc_conv2d_destroy(conv);
    ASSERT_GE(err, 0.0) << hawc_last_error_message();
    EXPECT_LE(err, error_bound(impl, algo, precision))
        << "case " << i << ": N" << c.shape.batch << " C" << c.shape.in_channels << " K"
        << c.shape.out_channels << " " << c.shape.in_h << "x" << c.shape.in_w << " pad t"
        << c.shape.pad_top << " l" << c.shape.pad_left << " b" << c.shape.pad_bottom << " r"
        << c.shape.pad_right << " act " << c.activation;
    worst = std::max(worst, err);
  }
  RecordProperty("worst_error", std::to_string(worst));
  std::printf("worst relative error %.3g (bound %.3g)\n", worst,
              error_bound(impl, algo, precision));
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  static const char* const kAlgo[] = {"Auto", "F2x3", "F4x3", "F6x3"};
  static const char* const kLayout[] = {"NCHW", "NHWC", "NCHW8C"};
  return hawc_test::implementation_name(std::get<0>(info.param)) + "_" +
         kAlgo[std::get<1>(info.param)] + "_" + kLayout[std::get<2>(info.param)] +
         (std::get<3>(info.param) == HAWC_PRECISION_FAST ? "_Fast" : "_High");
}

INSTANTIATE_TEST_SUITE_P(
    AllVariantsLayouts, Conv2dTest,
    testing::Combine(testing::ValuesIn(hawc_test::available_implementations()),
                     testing::Values(HAWC_ALGORITHM_WINOGRAD_F2X3, HAWC_ALGORITHM_WINOGRAD_F4X3,
                                     HAWC_ALGORITHM_WINOGRAD_F6X3),
                     testing::Values(HAWC_LAYOUT_NCHW, HAWC_LAYOUT_NHWC, HAWC_LAYOUT_NCHW8C),
                     testing::Values(HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST)),
    param_name);

// The channel counts real layers have (64-512), where the NEON GEMM runs many
// FP16 chains per output and the output transform amplifies their error:
// AUTO at each precision level within its promise, at activation scales far
// from 1 too, with odd sizes that end in partial tiles and panels.
TEST(Conv2dRealisticChannels, AutoWithinEachLevelsBound) {
  struct Shape {
    int c, k, h, w;
  };
  const Shape shapes[] = {{64, 64, 23, 19}, {128, 96, 14, 14}, {256, 40, 9, 11}, {512, 24, 7, 7}};
  for (Implementation impl : hawc_test::available_implementations())
    for (hawc_precision precision : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST})
      for (const Shape& sh : shapes)
        for (float scale : {1.0f, 1e-2f, 30.0f}) {
          ConvCase c;
          c.shape = {1, sh.c, sh.k, sh.h, sh.w};
          c.layout = sh.c % 16 == 0 ? HAWC_LAYOUT_NCHW8C : HAWC_LAYOUT_NHWC;
          c.precision = precision;
          c.input_scale = scale;
          c.seed = uint32_t(sh.c * 7 + sh.k);
          const hawc_test::ConvData d = hawc_test::make_conv_data(c);
          const hawc_conv2d_params p = hawc_test::params_for(c);
          hawc_conv2d* conv = nullptr;
          ASSERT_EQ(hawc::create_conv2d(&p, d.weights.data(), d.bias.data(), impl, &conv),
                    HAWC_STATUS_SUCCESS)
              << hawc_last_error_message();
          EXPECT_EQ(hawc_conv2d_precision(conv), precision);
          const hawc_algorithm algo = hawc_conv2d_algorithm(conv);
          const double err = hawc_test::run_and_compare(conv, c, d, 2);
          hawc_conv2d_destroy(conv);
          const double bound = impl == Implementation::Portable ? 1e-3
                               : precision == HAWC_PRECISION_FAST ? 2e-2
                                                                  : 1e-2;
          EXPECT_LE(err, bound) << hawc_test::implementation_name(impl) << " C" << sh.c << " K"
                                << sh.k << " " << sh.h << "x" << sh.w << " scale " << scale
                                << (precision == HAWC_PRECISION_FAST ? " FAST" : " HIGH");
          EXPECT_LE(err, error_bound(impl, algo, precision));
          std::printf("%s %s C%d K%d scale %g: %.3g\n", hawc_test::implementation_name(impl).c_str(),
                      precision == HAWC_PRECISION_FAST ? "FAST" : "HIGH", sh.c, sh.k, scale, err);
        }
}

// Outputs are bitwise identical for any thread count and either schedule
// (fused blocks or phased passes), on a many-tile and a few-tile layer.
TEST(Conv2dDeterminism, SameBitsForAnyThreadCountAndSchedule) {
  const hawc_ref::ConvShape shapes[] = {{2, 24, 40, 23, 29}, {1, 40, 72, 7, 7}};
  for (Implementation impl : hawc_test::available_implementations())
    for (hawc_precision precision : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST})
    for (const hawc_ref::ConvShape& shape : shapes) {
      ConvCase c;
      c.shape = shape;
      c.layout = HAWC_LAYOUT_NCHW8C;
      c.algorithm = HAWC_ALGORITHM_WINOGRAD_F4X3;
      c.precision = precision;
      const hawc_test::ConvData d = hawc_test::make_conv_data(c);
      const hawc_conv2d_params p = hawc_test::params_for(c);
      hawc_conv2d* conv = nullptr;
      ASSERT_EQ(hawc::create_conv2d(&p, d.weights.data(), d.bias.data(), impl, &conv),
                HAWC_STATUS_SUCCESS);
      std::vector<uint16_t> first, other;
      hawc::force_schedule(hawc::ScheduleChoice::Fused);
      ASSERT_GE(hawc_test::run_and_compare(conv, c, d, 1, &first), 0.0);
      for (auto schedule : {hawc::ScheduleChoice::Fused, hawc::ScheduleChoice::Phased,
                            hawc::ScheduleChoice::Auto}) {
        hawc::force_schedule(schedule);
        for (int threads : {1, 2, 3, 7, 16, 64, 128}) {
          ASSERT_GE(hawc_test::run_and_compare(conv, c, d, threads, &other), 0.0);
          EXPECT_EQ(first, other) << threads << " threads, schedule " << int(schedule) << ", "
                                  << hawc_test::implementation_name(impl) << ", " << shape.in_h
                                  << "x" << shape.in_w;
        }
      }
      hawc::force_schedule(hawc::ScheduleChoice::Auto);
      hawc_conv2d_destroy(conv);
    }
}

// The kernels the library picks by itself match what the CPU offers; the test
// presets say what to expect (HAWC_EXPECT_FP16=1 under QEMU max/neoverse-n1,
// 0 under cortex-a72), so a broken detection cannot pass silently.
TEST(Conv2dDispatch, AutoPicksKernelsForThisCpu) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  const std::vector<uint16_t> w(9, 0x3c00);
  hawc_conv2d* conv = nullptr;
  ASSERT_EQ(hawc_conv2d_create(&p, w.data(), nullptr, &conv), HAWC_STATUS_SUCCESS);
  const bool neon = hawc_test::available_implementations().size() > 1;
  EXPECT_STREQ(hawc_conv2d_implementation(conv), neon ? "neon_fp16" : "portable");
  if (const char* expect = std::getenv("HAWC_EXPECT_FP16"))
    EXPECT_EQ(hawc::cpu_features().fp16_arith, std::string(expect) == "1");
  hawc_conv2d_destroy(conv);
}

// AUTO's variant per implementation and input channel count (the accuracy and
// instruction measurements behind it: auto_variant in src/api.cpp).
TEST(Conv2dDispatch, AutoVariantFollowsChannelCount) {
  using hawc::Implementation;
  struct Expect {
    Implementation impl;
    int c, k;
    hawc_algorithm algo;
    hawc_precision precision = HAWC_PRECISION_HIGH;
  };
  constexpr hawc_precision kFast = HAWC_PRECISION_FAST;
  const Expect expected[] = {
      {Implementation::NeonFp16, 3, 64, HAWC_ALGORITHM_GEMM},  // RGB: fewer instructions
      {Implementation::NeonFp16, 4, 64, HAWC_ALGORITHM_WINOGRAD_F4X3},  // NCHW, C != 3
      {Implementation::NeonFp16, 8, 16, HAWC_ALGORITHM_WINOGRAD_F4X3},
      {Implementation::NeonFp16, 9, 16, HAWC_ALGORITHM_WINOGRAD_F2X3},
      {Implementation::NeonFp16, 16, 16, HAWC_ALGORITHM_WINOGRAD_F2X3},
      {Implementation::NeonFp16, 17, 64, HAWC_ALGORITHM_WINOGRAD_F2X3},
      {Implementation::NeonFp16, 63, 64, HAWC_ALGORITHM_WINOGRAD_F2X3},
      {Implementation::NeonFp16, 64, 8, HAWC_ALGORITHM_WINOGRAD_F4X3},
      {Implementation::NeonFp16, 3, 64, HAWC_ALGORITHM_GEMM, kFast},
      {Implementation::NeonFp16, 24, 24, HAWC_ALGORITHM_WINOGRAD_F4X3, kFast},
      {Implementation::NeonFp16, 512, 512, HAWC_ALGORITHM_WINOGRAD_F4X3, kFast},
      {Implementation::Portable, 3, 64, HAWC_ALGORITHM_WINOGRAD_F4X3},
      {Implementation::Portable, 16, 16, HAWC_ALGORITHM_WINOGRAD_F6X3},
      {Implementation::Portable, 64, 8, HAWC_ALGORITHM_WINOGRAD_F4X3},
      {Implementation::Portable, 16, 16, HAWC_ALGORITHM_WINOGRAD_F6X3, kFast},
  };
  const std::vector<Implementation> impls = hawc_test::available_implementations();
  int checked = 0;
  for (const Expect& e : expected) {
    if (std::find(impls.begin(), impls.end(), e.impl) == impls.end()) continue;
    hawc_conv2d_params p;
    hawc_conv2d_params_init(&p);
    p.in_channels = e.c, p.out_channels = e.k;
    p.precision = e.precision;
    const std::vector<uint16_t> w(size_t(e.c) * e.k * 9, 0x2c00);
    hawc_conv2d* conv = nullptr;
    ASSERT_EQ(hawc::create_conv2d(&p, w.data(), nullptr, e.impl, &conv), HAWC_STATUS_SUCCESS);
    EXPECT_EQ(hawc_conv2d_algorithm(conv), e.algo)
        << hawc_test::implementation_name(e.impl) << " C" << e.c << " K" << e.k;
    hawc_conv2d_destroy(conv);
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
