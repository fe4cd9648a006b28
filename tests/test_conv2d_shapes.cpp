// The convolutions other than 3x3 stride 1 (the Gemm pipeline): every shape
// class real networks use (1x1, 1x1 stride 2, 3x3 stride 2, the 7x7 stride-2
// stem, 1xN / Nx1, 5x5, dilation, mixed strides and asymmetric padding), for
// each implementation, layout and precision level, against the FP32
// reference: small covering shapes (channel counts around the 8-channel
// blocks, images down to one output pixel) and realistic channel counts at
// the data scales of real layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>

#include "src/conv2d.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"
#include "tests/support/implementations.h"

namespace {

using hawc::Implementation;
using hawc_test::ConvCase;
using hawc_test::error_bound;

struct ShapeClass {
  const char* name;
  int kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  int groups = 1;  // the case's channel counts are multiplied by it
};

constexpr ShapeClass kClasses[] = {
    {"1x1", 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"1x1s2", 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {"3x3s2", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"3x3s2same", 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},  // TensorFlow's SAME: the extra pad after
    {"7x7s2", 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},
    {"1x3", 1, 3, 1, 1, 1, 1, 0, 1, 0, 1},
    {"3x1", 3, 1, 1, 1, 1, 1, 1, 0, 1, 0},
    {"1x7", 1, 7, 1, 1, 1, 1, 0, 3, 0, 3},
    {"7x1", 7, 1, 1, 1, 1, 1, 3, 0, 3, 0},
    {"5x5", 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},
    {"3x3d2", 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
    {"2x3s1x2", 2, 3, 1, 2, 1, 1, 1, 0, 0, 1},
    {"5x3s2d1x3", 5, 3, 2, 1, 1, 3, 0, 1, 2, 3},
    {"3x3gemm", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  // the shape Winograd runs, forced to GEMM
    {"3x3g4", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4},  // grouped: ResNeXt's 3x3
    {"3x3s2g2", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2},
    {"1x1g3", 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3},
    {"3x3g32", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32},
    {"3x3s2g32", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 32},
};

ConvCase class_case(const ShapeClass& k, int c, int kout, int h, int w) {
  ConvCase cc;
  cc.shape = {1, c * k.groups, kout * k.groups, h, w};
  cc.shape.groups = k.groups;
  cc.shape.kernel_h = k.kh, cc.shape.kernel_w = k.kw;
  cc.shape.stride_h = k.sh, cc.shape.stride_w = k.sw;
  cc.shape.dilation_h = k.dh, cc.shape.dilation_w = k.dw;
  cc.shape.pad_top = k.pt, cc.shape.pad_left = k.pl;
  cc.shape.pad_bottom = k.pb, cc.shape.pad_right = k.pr;
  // The smallest input with one output pixel, and larger ones.
  cc.shape.in_h = std::max(h, cc.shape.extent_h() - k.pt - k.pb);
  cc.shape.in_w = std::max(w, cc.shape.extent_w() - k.pl - k.pr);
  cc.algorithm = std::string(k.name) == "3x3gemm" ? HAWC_ALGORITHM_GEMM : HAWC_ALGORITHM_AUTO;
  return cc;
}

std::string describe(const ConvCase& c, const char* cls) {
  const hawc_ref::ConvShape& s = c.shape;
  return std::string(cls) + " N" + std::to_string(s.batch) + " C" + std::to_string(s.in_channels) +
         " K" + std::to_string(s.out_channels) + " " + std::to_string(s.in_h) + "x" +
         std::to_string(s.in_w) + " act " + std::to_string(c.activation) + " x" +
         std::to_string(c.input_scale) + " w" + std::to_string(c.weight_scale);
}

// Runs one case on `impl` and returns its error (negative: a call failed).
double run_case(const ConvCase& c, const hawc_test::ConvData& d, Implementation impl, int threads) {
  const hawc_conv2d_params p = hawc_test::params_for(c);
  hawc_conv2d* conv = nullptr;
  if (hawc::create_conv2d(&p, d.weights.data(), c.bias ? d.bias.data() : nullptr, impl, &conv) !=
      HAWC_STATUS_SUCCESS)
    return -1;
  EXPECT_EQ(hawc_conv2d_algorithm(conv), HAWC_ALGORITHM_GEMM);
  const double err = hawc_test::run_and_compare(conv, c, d, threads);
  hawc_conv2d_destroy(conv);
  return err;
}

using Param = std::tuple<Implementation, hawc_layout, hawc_precision>;
class Conv2dShapes : public testing::TestWithParam<Param> {};

constexpr int kChannels[] = {1, 3, 7, 8, 9, 16, 33, 64};
constexpr int kSizes[] = {1, 2, 5, 8, 13, 17};

TEST_P(Conv2dShapes, EveryClassMatchesTheReferenceOnCoveringShapes) {
  const auto [impl, layout, precision] = GetParam();
  double worst = 0;
  int i = 0;
  for (const ShapeClass& k : kClasses) {
    if (k.groups > 4) continue;  // the realistic test's
    for (int j = 0; j < 6; ++j, ++i) {
      // Grouped: 2..16 channels a group (1 is depthwise: not implemented).
      const int channels = k.groups > 1 ? std::clamp(kChannels[(i + j) % 8], 2, 16)
                                        : kChannels[(i + j) % 8];
      const int out = k.groups > 1 ? std::min(kChannels[(3 * i + 5 * j + 1) % 8], 16)
                                   : kChannels[(3 * i + 5 * j + 1) % 8];
      ConvCase c = class_case(k, channels, out,
                              kSizes[(i + 2 * j) % 6], kSizes[(2 * i + j) % 6]);
      c.shape.batch = i % 4 == 3 ? 2 : 1;
      c.layout = layout;
      c.precision = precision;
      c.activation = static_cast<hawc_activation>(i % 3);
      c.bias = i % 5 != 1;
      c.seed = 500 + i;
      const hawc_test::ConvData d = hawc_test::make_conv_data(c);
      const double err = run_case(c, d, impl, 1 + i % 3);
      ASSERT_GE(err, 0.0) << describe(c, k.name) << ": " << hawc_last_error_message();
      EXPECT_LE(err, error_bound(impl, HAWC_ALGORITHM_GEMM, precision)) << describe(c, k.name);
      worst = std::max(worst, err);
    }
  }
  std::printf("worst relative error %.3g (bound %.3g)\n", worst,
              error_bound(impl, HAWC_ALGORITHM_GEMM, precision));
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  static const char* const kLayout[] = {"NCHW", "NHWC", "NCHW8C"};
  return hawc_test::implementation_name(std::get<0>(info.param)) + "_" +
         kLayout[std::get<1>(info.param)] +
         (std::get<2>(info.param) == HAWC_PRECISION_FAST ? "_Fast" : "_High");
}

INSTANTIATE_TEST_SUITE_P(
    AllLayouts, Conv2dShapes,
    testing::Combine(testing::ValuesIn(hawc_test::available_implementations()),
                     testing::Values(HAWC_LAYOUT_NCHW, HAWC_LAYOUT_NHWC, HAWC_LAYOUT_NCHW8C),
                     testing::Values(HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST)),
    param_name);

// Layers of real networks (channel counts 64-512, ResNet-50's bottleneck 1x1s,
// its strided 3x3 and 1x1 projections, the 7x7 stem, Inception's 1x7 / 7x1
// and 5x5, a dilated 3x3) at the data scales the levels promise: inputs from
// 1e-4 to 1e2, weights from 1e-3 to 1e3 (times He initialisation), paired so
// that the outputs are normal FP16 numbers (1e2 x 1e3 overflows 65504, 1e-4
// x 1e-3 is subnormal: no FP16 result can be accurate there). No bias: it
// would hide the products at small scales.
TEST(Conv2dShapesRealistic, EachLevelWithinItsBoundAtEveryScale) {
  struct Layer {
    const char* cls;
    int c, k, h, w;
    hawc_layout layout;
  };
  const Layer layers[] = {
      {"1x1", 256, 64, 14, 13, HAWC_LAYOUT_NCHW8C}, {"1x1", 64, 256, 11, 11, HAWC_LAYOUT_NHWC},
      {"1x1s2", 512, 128, 14, 14, HAWC_LAYOUT_NCHW8C}, {"3x3s2", 128, 128, 15, 15, HAWC_LAYOUT_NCHW8C},
      {"7x7s2", 3, 64, 30, 30, HAWC_LAYOUT_NCHW},   {"1x7", 128, 96, 9, 9, HAWC_LAYOUT_NHWC},
      {"7x1", 96, 128, 9, 9, HAWC_LAYOUT_NCHW8C},    {"5x5", 48, 64, 11, 11, HAWC_LAYOUT_NCHW},
      {"3x3d2", 256, 64, 10, 10, HAWC_LAYOUT_NCHW8C},
      // ResNeXt-50's grouped 3x3s: 32 groups of 4 (element paths) and of 8
      // (vector paths); the class multiplies channels by its groups.
      {"3x3g32", 4, 4, 14, 14, HAWC_LAYOUT_NCHW8C},    {"3x3s2g32", 8, 8, 15, 15, HAWC_LAYOUT_NHWC},
  };
  struct Scale {
    float input, weight;
  };
  const Scale scales[] = {{1, 1}, {1e-4f, 1e3f}, {1e2f, 1e-3f}, {1e2f, 10}};
  for (const Layer& l : layers) {
    const ShapeClass* k = std::find_if(std::begin(kClasses), std::end(kClasses),
                                       [&](const ShapeClass& s) { return s.name == std::string(l.cls); });
    for (const Scale& s : scales) {
      ConvCase c = class_case(*k, l.c, l.k, l.h, l.w);
      c.layout = l.layout;
      c.input_scale = s.input;
      c.weight_scale = s.weight;
      c.activation = HAWC_ACTIVATION_NONE;
      c.bias = false;
      c.seed = uint32_t(l.c * 31 + l.k);
      const hawc_test::ConvData d = hawc_test::make_conv_data(c);
      for (Implementation impl : hawc_test::available_implementations())
        for (hawc_precision precision : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST}) {
          if (impl == Implementation::Portable && (precision == HAWC_PRECISION_FAST || s.input != 1))
            continue;  // FP32 arithmetic: one level and scale tell all
          c.precision = precision;
          const double err = run_case(c, d, impl, 4);
          ASSERT_GE(err, 0.0) << describe(c, l.cls) << ": " << hawc_last_error_message();
          const double bound = error_bound(impl, HAWC_ALGORITHM_GEMM, precision);
          EXPECT_LE(err, bound) << describe(c, l.cls);
          std::printf("%-6s %s %-8s C%-4d K%-4d %s x%g w%g: %.3g (bound %.3g)\n",
                      hawc_test::implementation_name(impl).c_str(),
                      precision == HAWC_PRECISION_FAST ? "FAST" : "HIGH", l.cls,
                      c.shape.in_channels, c.shape.out_channels,
                      l.layout == HAWC_LAYOUT_NCHW ? "NCHW" : l.layout == HAWC_LAYOUT_NHWC ? "NHWC" : "NCHW8C",
                      s.input, s.weight, err, bound);
        }
    }
  }
}

}  // namespace
