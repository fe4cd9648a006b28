// FP16 range: how large inputs may be before an output overflows FP16
// (65504), and what NaN / Inf inputs do. Table and semantics:
// examples/FP16_RANGE.md. With range scaling the NEON FP16 transforms no
// longer overflow first: the limit is the FP16 input itself, as on the
// portable path (tests/test_fp16_scales.cpp checks the accuracy across
// scales).
//
// Range: inputs s * N(0, 1) rounded to FP16, He-scaled N(0, 2 / (9C)) FP16
// weights, no bias, 24x24 images, K = 8, C = 64 and 256 (the NEON limit is
// the FP16 input transform, so K does not change it: K = 16 gives the same s). A run at scale s is
// in range when no output is Inf or NaN where the FP32 direct convolution of
// the same FP16 data is finite and below 65504 in magnitude (and the FP16
// input itself is finite: beyond that the reference is mostly Inf too). The largest such
// s is found (up in factors of 4, then 8 bisection steps in log s: 0.5%) for
// every variant and implementation, printed, and checked against the
// documented scales (kDocumentedScale) on the measured data and two other
// draws; the first scale found above it must overflow (it is a boundary).
//
// NaN / Inf: one NaN, +Inf or -Inf input pixel changes exactly the outputs of
// the F(m x m) tiles whose (m + 2) x (m + 2) input patch contains it (all
// output channels, that image): every other output is bitwise the clean
// run's, and the outputs whose 3x3 window holds the pixel are not finite.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "src/conv2d.h"
#include "src/fp16.h"
#include "tests/support/conv_check.h"
#include "tests/support/implementations.h"

namespace {

using hawc::Implementation;
using hawc_test::ConvCase;

constexpr float kFp16Max = 65504.0f;
const hawc_algorithm kVariants[] = {HAWC_ALGORITHM_WINOGRAD_F2X3, HAWC_ALGORITHM_WINOGRAD_F4X3,
                                    HAWC_ALGORITHM_WINOGRAD_F6X3};
const char* variant_name(hawc_algorithm a) {
  return a == HAWC_ALGORITHM_WINOGRAD_F2X3   ? "F2x3"
         : a == HAWC_ALGORITHM_WINOGRAD_F4X3 ? "F4x3"
                                             : "F6x3";
}
int tile_m(hawc_algorithm a) {
  return a == HAWC_ALGORITHM_WINOGRAD_F2X3 ? 2 : a == HAWC_ALGORITHM_WINOGRAD_F4X3 ? 4 : 6;
}

// The documented input scales (examples/FP16_RANGE.md): about 0.8 x the
// lowest boundary measured on seeds 1, 2 and 3, rounded down to two digits.
// With FP16 range scaling (src/range_scaling.h) the NEON FP16 path reaches
// the portable path's limit: where the FP16 input itself overflows (before,
// its transforms overflowed from s = 260 (F(4x4)), 230 (F(6x6)) and 5200
// (F(2x2))).
double documented_scale(Implementation, hawc_algorithm, int) { return 11000; }

ConvCase range_case(int channels, double scale, uint32_t seed) {
  ConvCase c;
  c.shape = {1, channels, 8, 24, 24};
  c.layout = HAWC_LAYOUT_NCHW8C;
  c.bias = false;
  c.seed = seed;
  c.input_scale = float(scale);
  return c;
}

struct Overflow {
  long bad = 0;                   // not finite where the reference is finite and < 65504
  bool input_overflow = false;    // the FP16 input itself has an Inf
  long bad_nan = 0, bad_inf = 0;  // of those, NaN and +-Inf
  long excluded = 0;              // reference outputs >= 65504 or not finite
  double max_in = 0, max_ref = 0,
         max_out = 0;  // max |x|, max finite |ref| < 65504, max finite |out|
};

// FP32 direct convolution (float accumulation: only finiteness and the
// 65504 limit matter here), padded NCHW, no bias; fast enough for QEMU.
std::vector<float> fp32_direct(const ConvCase& c, const hawc_test::ConvData& d) {
  const hawc_ref::ConvShape& s = c.shape;
  const int ph = s.in_h + s.pad_top + s.pad_bottom, pw = s.in_w + s.pad_left + s.pad_right;
  const int oh = s.out_h(), ow = s.out_w();
  const std::vector<float> x =
      hawc_test::layout_to_nchw(d.input.data(), s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
  std::vector<float> padded(size_t(s.in_channels) * ph * pw, 0.0f);
  for (int ch = 0; ch < s.in_channels; ++ch)
    for (int y = 0; y < s.in_h; ++y)
      for (int xx = 0; xx < s.in_w; ++xx)
        padded[(size_t(ch) * ph + y + s.pad_top) * pw + xx + s.pad_left] =
            x[(size_t(ch) * s.in_h + y) * s.in_w + xx];
  std::vector<float> out(size_t(s.out_channels) * oh * ow, 0.0f);
  for (int k = 0; k < s.out_channels; ++k)
    for (int ch = 0; ch < s.in_channels; ++ch)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          const float w =
              hawc::fp16_to_fp32(d.weights[((size_t(k) * s.in_channels + ch) * 3 + i) * 3 + j]);
          for (int y = 0; y < oh; ++y) {
            const float* in_row = &padded[(size_t(ch) * ph + y + i) * pw + j];
            float* o = &out[(size_t(k) * oh + y) * ow];
            for (int xx = 0; xx < ow; ++xx) o[xx] += w * in_row[xx];
          }
        }
  return out;
}

// The data and reference of a (channels, seed, scale), kept: the searches of
// every variant and implementation go through the same first scales.
const hawc_test::ConvData& data_for(const ConvCase& c) {
  static std::map<std::tuple<int, uint32_t, float>, hawc_test::ConvData> cache;
  const auto key = std::make_tuple(c.shape.in_channels, c.seed, c.input_scale);
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (cache.size() > 256) cache.clear();
    hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
    d.reference = fp32_direct(c, d);
    it = cache.emplace(key, std::move(d)).first;
  }
  return it->second;
}

Overflow run_at(hawc_conv2d* conv, const ConvCase& c) {
  const hawc_test::ConvData& d = data_for(c);
  const hawc_ref::ConvShape& s = c.shape;
  std::vector<uint16_t> out(d.output_elements);
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 2;
  EXPECT_EQ(hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, d.input.data(), out.data(), &o),
            HAWC_STATUS_SUCCESS);
  const std::vector<float> got = hawc_test::layout_to_nchw(out.data(), s.batch, s.out_channels,
                                                           s.out_h(), s.out_w(), c.layout);
  Overflow r;
  for (uint16_t x : d.input) {
    const float v = std::fabs(hawc::fp16_to_fp32(x));
    if (std::isfinite(v)) r.max_in = std::max(r.max_in, double(v));
    r.input_overflow |= !std::isfinite(v);
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const float ref = d.reference[i];
    if (std::isfinite(got[i])) r.max_out = std::max(r.max_out, double(std::fabs(got[i])));
    if (!std::isfinite(ref) || std::fabs(ref) >= kFp16Max) {
      ++r.excluded;
      continue;
    }
    r.max_ref = std::max(r.max_ref, double(std::fabs(ref)));
    if (!std::isfinite(got[i])) ++r.bad, ++(std::isnan(got[i]) ? r.bad_nan : r.bad_inf);
  }
  return r;
}

hawc_conv2d* create_for(Implementation impl, hawc_algorithm a, int channels, uint32_t seed) {
  ConvCase c = range_case(channels, 1.0, seed);
  c.algorithm = a;
  const hawc_test::ConvData d = hawc_test::make_conv_inputs(c);  // weights do not depend on s
  const hawc_conv2d_params p = hawc_test::params_for(c);
  hawc_conv2d* conv = nullptr;
  EXPECT_EQ(hawc::create_conv2d(&p, d.weights.data(), nullptr, impl, &conv), HAWC_STATUS_SUCCESS);
  return conv;
}

struct Row {
  Implementation impl;
  hawc_algorithm variant;
  int channels;
  double boundary;  // largest in-range s found
  Overflow at, above;
};

TEST(Fp16Range, LargestInputScaleWithoutOverflow) {
  // HAWC_FP16_RANGE_SEED: measure on another draw (the documented scales
  // were chosen from seeds 1, 2 and 3).
  const char* seed_env = std::getenv("HAWC_FP16_RANGE_SEED");
  const uint32_t seed0 = seed_env != nullptr ? uint32_t(std::strtoul(seed_env, nullptr, 0)) : 1;
  std::vector<Row> rows;
  const auto t0 = std::chrono::steady_clock::now();
  for (Implementation impl : hawc_test::available_implementations())
    for (hawc_algorithm a : kVariants)
      for (int channels : {64, 256}) {
        hawc_conv2d* conv = create_for(impl, a, channels, seed0);
        ASSERT_NE(conv, nullptr);
        // Out of range: an output overflowed, or the FP16 input itself did.
        auto bad_at = [&](double s) {
          const Overflow r = run_at(conv, range_case(channels, s, seed0));
          return r.bad + (r.input_overflow ? 1 : 0);
        };
        // Up by factors of 4 to the first overflow, then bisect (in log s).
        double lo = 1, hi = 4;
        ASSERT_EQ(bad_at(lo), 0) << "overflow at s = 1";
        while (bad_at(hi) == 0) {
          lo = hi, hi *= 4;
          ASSERT_LT(lo, 4 * kFp16Max) << "no overflow found";
        }
        for (int step = 0; step < 8; ++step) {
          const double mid = std::sqrt(lo * hi);
          (bad_at(mid) == 0 ? lo : hi) = mid;
        }
        Row row{impl,
                a,
                channels,
                lo,
                run_at(conv, range_case(channels, lo, seed0)),
                run_at(conv, range_case(channels, 1.25 * lo, seed0))};
        rows.push_back(row);
        const double doc = documented_scale(impl, a, channels);
        const std::string what = hawc_test::implementation_name(impl) + " " + variant_name(a) +
                                 " C=" + std::to_string(channels);
        EXPECT_GE(lo, doc) << what << ": boundary below the documented scale";
        // Slightly below the boundary and at the documented scale (three
        // draws): no overflow.
        EXPECT_EQ(bad_at(0.95 * lo), 0) << what;
        for (uint32_t seed : {1u, 2u, 3u}) {
          hawc_conv2d* other = seed == seed0 ? conv : create_for(impl, a, channels, seed);
          EXPECT_EQ(run_at(other, range_case(channels, doc, seed)).bad, 0)
              << what << ", seed " << seed << ": overflow at the documented scale " << doc;
          if (other != conv) hawc_conv2d_destroy(other);
        }
        // Just above the boundary: an output or the input itself overflows
        // (so the boundary is one).
        EXPECT_GT(bad_at(hi), 0) << what;
        hawc_conv2d_destroy(conv);
      }
  std::printf(
      "\n| implementation | variant | C | largest s | max |x| | max |ref| | documented s |"
      " at 1.25 x s: overflowed outputs (NaN, Inf) of the in-range ones |\n"
      "|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows)
    std::printf("| %s | %s | %d | %.3g | %.3g | %.3g | %.3g | %ld (%ld, %ld) of %ld |\n",
                hawc_test::implementation_name(r.impl).c_str(), variant_name(r.variant), r.channels,
                r.boundary, r.at.max_in, r.at.max_ref,
                documented_scale(r.impl, r.variant, r.channels), r.above.bad, r.above.bad_nan,
                r.above.bad_inf, 24L * 24 * 8 - r.above.excluded);
  std::printf("(%.1f s)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

// ---- NaN / Inf inputs -----------------------------------------------------------

struct Special {
  uint16_t bits;
  const char* name;
};

TEST(Fp16Range, NanOrInfInputAffectsOnlyItsTiles) {
  const Special specials[] = {{0x7e00, "NaN"}, {0x7c00, "+Inf"}, {0xfc00, "-Inf"}};
  long checked = 0;
  for (Implementation impl : hawc_test::available_implementations())
    for (hawc_algorithm a : kVariants)
      for (int layout = 0; layout <= 2; ++layout) {
        ConvCase c;
        c.shape = {2, 5, 11, 13, 11};
        c.shape.pad_top = 1, c.shape.pad_left = 0, c.shape.pad_bottom = 2, c.shape.pad_right = 1;
        c.layout = static_cast<hawc_layout>(layout);
        c.algorithm = a;
        c.activation = static_cast<hawc_activation>((layout + int(a)) % 3);
        c.seed = 7;
        const hawc_test::ConvData d = hawc_test::make_conv_data(c);
        const hawc_ref::ConvShape& s = c.shape;
        const hawc_conv2d_params p = hawc_test::params_for(c);
        hawc_conv2d* conv = nullptr;
        ASSERT_EQ(hawc::create_conv2d(&p, d.weights.data(), d.bias.data(), impl, &conv),
                  HAWC_STATUS_SUCCESS);
        const int m = tile_m(a), oh = s.out_h(), ow = s.out_w();
        auto run = [&](const std::vector<uint16_t>& input) {
          std::vector<uint16_t> out(d.output_elements, 0x5a5a);
          hawc_run_options o;
          hawc_run_options_init(&o);
          o.num_threads = 3;
          EXPECT_EQ(hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, input.data(), out.data(), &o),
                    HAWC_STATUS_SUCCESS);
          return hawc_test::layout_to_nchw(out.data(), s.batch, s.out_channels, oh, ow, c.layout);
        };
        const std::vector<float> clean = run(d.input);
        const std::vector<float> clean_in = hawc_test::layout_to_nchw(
            d.input.data(), s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
        // Corners, edges, the interior, tile boundaries; image 1, channel 4.
        const int pixels[][2] = {{0, 0}, {12, 10}, {0, 10}, {6, 5},
                                 {3, 4}, {4, 3},   {7, 8},  {12, 0}};
        for (const Special& sp : specials)
          for (const auto& px : pixels) {
            const int n0 = 1, c0 = 4, y0 = px[0], x0 = px[1];
            std::vector<float> poisoned_in = clean_in;
            poisoned_in[((size_t(n0) * s.in_channels + c0) * s.in_h + y0) * s.in_w + x0] =
                hawc::fp16_to_fp32(sp.bits);
            const std::vector<float> got = run(hawc_test::nchw_to_layout(
                poisoned_in, s.batch, s.in_channels, s.in_h, s.in_w, c.layout));
            long in_tiles = 0, non_finite = 0;
            for (int n = 0; n < s.batch; ++n)
              for (int k = 0; k < s.out_channels; ++k)
                for (int y = 0; y < oh; ++y)
                  for (int x = 0; x < ow; ++x) {
                    const size_t i = ((size_t(n) * s.out_channels + k) * oh + y) * ow + x;
                    // Tile (y / m, x / m) reads input rows ty*m - pad_top .. + m + 1.
                    const int ry = y / m * m - s.pad_top, rx = x / m * m - s.pad_left;
                    const bool tile =
                        n == n0 && y0 >= ry && y0 < ry + m + 2 && x0 >= rx && x0 < rx + m + 2;
                    const bool window = n == n0 && y0 >= y - s.pad_top && y0 <= y - s.pad_top + 2 &&
                                        x0 >= x - s.pad_left && x0 <= x - s.pad_left + 2;
                    const std::string where =
                        hawc_test::implementation_name(impl) + " " + variant_name(a) + " layout " +
                        std::to_string(layout) + " act " + std::to_string(int(c.activation)) +
                        ", " + sp.name + " at (" + std::to_string(y0) + "," + std::to_string(x0) +
                        "): output n" + std::to_string(n) + " k" + std::to_string(k) + " (" +
                        std::to_string(y) + "," + std::to_string(x) + ")";
                    if (!tile) {
                      uint32_t a_bits, b_bits;
                      std::memcpy(&a_bits, &got[i], 4);
                      std::memcpy(&b_bits, &clean[i], 4);
                      ASSERT_EQ(a_bits, b_bits) << where << " outside the pixel's tiles changed";
                      continue;
                    }
                    ++in_tiles;
                    if (!std::isfinite(got[i])) ++non_finite;
                    // Where the true result is not finite (no activation, or
                    // NaN through ReLU: max(NaN, 0) is NaN), hawc's is not either.
                    const bool truly_non_finite =
                        window && (c.activation == HAWC_ACTIVATION_NONE || sp.bits == 0x7e00);
                    if (truly_non_finite)
                      ASSERT_FALSE(std::isfinite(got[i])) << where << " is finite: " << got[i];
                  }
            ++checked;
            if (checked <= 3 || (y0 == 6 && x0 == 5 && layout == 0 && sp.bits == 0x7e00))
              std::printf("%s %s %s at (%d,%d): %ld outputs in its tiles, %ld of them not finite\n",
                          hawc_test::implementation_name(impl).c_str(), variant_name(a), sp.name,
                          y0, x0, in_tiles, non_finite);
          }
        hawc_conv2d_destroy(conv);
      }
  std::printf("%ld poisoned runs checked\n", checked);
}

}  // namespace
