// The NEON FP16 input and output transforms against the portable ones, for
// every variant x layout: channel counts 1..17 and 64 (partial blocks), tile
// ranges that start mid-image and cross rows, channel ranges, edge tiles,
// asymmetric padding 0..2, bias and activations, and on two thirds of the
// calls FP16 range scaling's input and M factors (x16, x1/8), which route the
// NEON kernels to their scaled paths. The NEON results (FP16, and
// computed in FP16 where a variant does so) may differ from the portable FP32
// ones by kRoundings FP16 roundings of the magnitude their terms add up to
// (|B^T| |d| |B|, |A^T| |M| |A| + |bias|); unit impulses check the
// coefficients exactly. All buffers sit against an
// inaccessible page (after, or before the data), so a kernel that reads or
// writes outside them faults, and outputs start as a NaN sentinel so that
// stray writes inside the output show up. Needs a CPU with FP16 arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <iterator>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "src/fp16.h"
#include "tests/support/guarded_buffer.h"
#include "transforms/winograd_matrices.h"
#include "transforms/winograd_transforms.h"

namespace {

using hawc::Activation;
using hawc::InputTransformArgs;
using hawc::Layout;
using hawc::OutputTransformArgs;
using hawc::Variant;
using hawc_test::GuardedBuffer;

// A rounding of FP16 is at most 2^-11 relative; a value goes through at most
// 4 roundings per 1-D transform, each of a partial sum bounded by the final
// magnitude, and two 1-D passes.
constexpr double kRoundings = 8;
constexpr double kUnitRoundoff = 1.0 / 2048;
constexpr uint16_t kSentinel = 0x7e5a;  // a NaN no kernel produces

struct NeonTransforms {
  void (*input)(const InputTransformArgs&);
  void (*output)(const OutputTransformArgs&);
  void (*input_portable)(const InputTransformArgs&);
  void (*output_portable)(const OutputTransformArgs&);
};

// fp16_arith: F(4x4)'s FAST transforms, FP16 arithmetic instead of FP32.
NeonTransforms transforms(Variant v, bool fp16_arith = false) {
  using namespace hawc;
  if (v == Variant::F4x3 && fp16_arith)
    return {winograd_f4x3_input_transform_neon_fp16_fp16arith,
            winograd_f4x3_output_transform_neon_fp16_fp16arith,
            winograd_input_transform_portable<Variant::F4x3>,
            winograd_output_transform_portable<Variant::F4x3>};
  switch (v) {
    case Variant::F2x3:
      return {winograd_f2x3_input_transform_neon_fp16, winograd_f2x3_output_transform_neon_fp16,
              winograd_input_transform_portable<Variant::F2x3>,
              winograd_output_transform_portable<Variant::F2x3>};
    case Variant::F4x3:
      return {winograd_f4x3_input_transform_neon_fp16, winograd_f4x3_output_transform_neon_fp16,
              winograd_input_transform_portable<Variant::F4x3>,
              winograd_output_transform_portable<Variant::F4x3>};
    default:
      return {winograd_f6x3_input_transform_neon_fp16, winograd_f6x3_output_transform_neon_fp16,
              winograd_input_transform_portable<Variant::F6x3>,
              winograd_output_transform_portable<Variant::F6x3>};
  }
}

// |entries| of a transform matrix (rows x cols), as doubles.
std::vector<double> abs_matrix(const hawc::Rational* r, int rows, int cols) {
  std::vector<double> m(size_t(rows) * cols);
  for (size_t i = 0; i < m.size(); ++i) m[i] = std::fabs(r[i].value());
  return m;
}

// out (rows x rows) = L x (n x n) x L^T with L rows x n.
void sandwich(const std::vector<double>& l, int rows, int n, const double* x, double* out) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < rows; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k)
        for (int q = 0; q < n; ++q) s += l[i * n + k] * x[k * n + q] * l[j * n + q];
      out[i * rows + j] = s;
    }
}

// Element (tile t of a block of `count`, channel c) of point p in the V layout.
size_t v_index(int p, size_t stride, int t, int count, int cp, int c) {
  const int mr = std::min(hawc::kGemmMR, count - t / hawc::kGemmMR * hawc::kGemmMR);
  return p * stride + hawc::v_panel_offset(t, cp) + size_t(c / 8) * mr * 8 + (t % 8) * 8 + c % 8;
}

struct Geometry {
  int h, w, pad_top, pad_left, pad_bottom, pad_right;  // of the input
};
// Single edge tile, edge tiles only, and images with interior tiles for every
// variant; out_h, out_w mostly not multiples of m.
constexpr Geometry kGeometries[] = {
    {1, 1, 1, 1, 1, 1}, {5, 3, 0, 2, 1, 0}, {9, 14, 2, 0, 0, 1}, {15, 17, 1, 1, 1, 1}, {16, 13, 0, 1, 2, 2},
};
constexpr int kChannelCounts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 64};

struct Case {
  Variant variant;
  Layout layout;
  int channels;
  Geometry g;
  bool fp16_arith = false;  // F(4x4)'s FAST transforms
  int out_h() const { return g.h + g.pad_top + g.pad_bottom - 2; }
  int out_w() const { return g.w + g.pad_left + g.pad_right - 2; }
  int m() const { return hawc::variant_m(variant); }
  int tiles_w() const { return (out_w() + m() - 1) / m(); }
  int tiles() const { return tiles_w() * ((out_h() + m() - 1) / m()); }
  std::string name() const {
    static const char* const kLayout[] = {"NCHW", "NHWC", "NCHW8C"};
    return "F" + std::to_string(m()) + "x3" + (fp16_arith ? "fp16" : "") + " " + kLayout[int(layout)] + " C" + std::to_string(channels) +
           " " + std::to_string(g.h) + "x" + std::to_string(g.w) + " pad t" + std::to_string(g.pad_top) +
           " l" + std::to_string(g.pad_left) + " b" + std::to_string(g.pad_bottom) + " r" +
           std::to_string(g.pad_right);
  }
};

// Tiles [tile_begin, +tile_count), channels [channel_begin, channel_end) of
// one kernel call.
struct Range {
  int tile_begin, tile_count, channel_begin, channel_end;
};

// The whole image; tiles from inside the first tile row, crossing into the
// next ones and ending before the last tile; and a channel range of a few
// threads' share (8 channels from 8, or the rest from 8).
std::vector<Range> ranges(const Case& c) {
  std::vector<Range> r{{0, c.tiles(), 0, INT_MAX}};
  if (c.tiles() > 2) {
    const int begin = std::min(c.tiles_w() / 2 + 1, c.tiles() - 2);
    r.push_back({begin, std::min(c.tiles() - 1 - begin, c.tiles_w() + 9), 0, INT_MAX});
  }
  const int padded = int(hawc::round_up(c.channels, 8));
  if (padded > 8) r.push_back({0, c.tiles(), 8, padded > 16 ? 16 : INT_MAX});
  return r;
}

std::string range_name(const Range& r) {
  return "tiles " + std::to_string(r.tile_begin) + "+" + std::to_string(r.tile_count) + " channels " +
         std::to_string(r.channel_begin) + ".." + std::to_string(r.channel_end);
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  int i = 0;
  for (Variant v : {Variant::F2x3, Variant::F4x3, Variant::F6x3})
    for (bool fp16_arith : {false, true}) {
      if (fp16_arith && v != Variant::F4x3) continue;
      for (Layout l : {Layout::NCHW, Layout::NHWC, Layout::NCHW8C})
        for (int c : kChannelCounts)
          for (int k = 0; k < 2; ++k, ++i)  // two geometries per channel count, in rotation
            cases.push_back(
                {v, l, c, kGeometries[(i / 2 + k * 2) % std::size(kGeometries)], fp16_arith});
    }
  return cases;
}

uint16_t random_half(std::mt19937& rng) {
  return hawc::fp32_to_fp16(std::normal_distribution<float>(0.0f, 1.0f)(rng));
}

// Random input; NCHW8C padding lanes hold NaN, which V must not see.
void fill_input(const Case& c, std::mt19937& rng, GuardedBuffer<uint16_t>& in) {
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = (c.layout == Layout::NCHW8C && int(i / (size_t(c.g.h) * c.g.w * 8) * 8 + i % 8) >= c.channels)
                ? 0x7e00
                : random_half(rng);
}

// FP16 range scaling's factors (InputTransformArgs::input_scale,
// OutputTransformArgs::m_scale), which the portable transforms apply too: a
// third of the calls at 1 (the unscaled path), the others scaled up or down.
float range_scale(uint32_t seed) { return seed % 3 == 0 ? 1.0f : seed % 3 == 1 ? 16.0f : 0.125f; }

void check_input_transform(const Case& c, const Range& range, bool guard_after, uint32_t seed) {
  const float scale = range_scale(seed);
  SCOPED_TRACE(c.name() + " " + range_name(range) + " scale " + std::to_string(scale));
  const int begin = range.tile_begin, count = range.tile_count;
  const int alpha = hawc::variant_alpha(c.variant), points = alpha * alpha;
  const int cp = int(hawc::round_up(c.channels, 8));
  GuardedBuffer<uint16_t> in(hawc::image_elements(c.layout, c.channels, c.g.h, c.g.w), guard_after);
  std::mt19937 rng(seed);
  fill_input(c, rng, in);
  const size_t stride = size_t(count) * cp;
  GuardedBuffer<float> v32(points * stride, guard_after);
  GuardedBuffer<uint16_t> v16(points * stride, guard_after);
  std::fill_n(v16.data(), v16.size(), kSentinel);  // channels outside the range stay so
  InputTransformArgs a{in.data(), c.layout, c.channels, c.g.h, c.g.w, c.g.pad_top, c.g.pad_left,
                       c.tiles_w(), begin, count, cp, v32.data(), stride};
  a.channel_begin = range.channel_begin;
  a.channel_end = range.channel_end;
  a.input_scale = scale;
  transforms(c.variant).input_portable(a);
  a.v = v16.data();
  transforms(c.variant, c.fp16_arith).input(a);

  const std::vector<double> bt = abs_matrix(hawc::winograd_matrices(c.variant).BT, alpha, alpha);
  double d[hawc::kMaxPoints], bound[hawc::kMaxPoints];
  for (int t = 0; t < count; ++t) {
    const int y0 = (begin + t) / c.tiles_w() * c.m() - c.g.pad_top;
    const int x0 = (begin + t) % c.tiles_w() * c.m() - c.g.pad_left;
    for (int ch = 0; ch < cp; ++ch) {
      if (ch < range.channel_begin || ch >= range.channel_end) {
        for (int p = 0; p < points; ++p)
          ASSERT_EQ(v16[v_index(p, stride, t, count, cp, ch)], kSentinel) << "channel " << ch << " written";
        continue;
      }
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j) {
          const int y = y0 + i, x = x0 + j;
          const bool inside = ch < c.channels && y >= 0 && y < c.g.h && x >= 0 && x < c.g.w;
          d[i * alpha + j] = inside ? std::fabs(hawc::fp16_to_fp32(in[hawc::tensor_offset(
                                          c.layout, c.channels, c.g.h, c.g.w, ch, y, x)])) *
                                          scale
                                    : 0.0;
        }
      sandwich(bt, alpha, alpha, d, bound);
      for (int p = 0; p < points; ++p) {
        const size_t i = v_index(p, stride, t, count, cp, ch);
        const double got = hawc::fp16_to_fp32(v16[i]), want = v32[i];
        ASSERT_LE(std::fabs(got - want), kRoundings * kUnitRoundoff * bound[p])
            << "tile " << begin + t << " channel " << ch << " point " << p << ": " << got << " vs " << want;
      }
    }
  }
}

void check_output_transform(const Case& c, const Range& range, bool guard_after, uint32_t seed) {
  const Activation act = Activation(seed % 3);
  const bool with_bias = seed % 4 != 1;
  const float scale = range_scale(seed / 3);
  SCOPED_TRACE(c.name() + " " + range_name(range) + " act " + std::to_string(int(act)) +
               (with_bias ? " bias" : "") + " scale " + std::to_string(scale));
  const int begin = range.tile_begin, count = range.tile_count;
  const int alpha = hawc::variant_alpha(c.variant), points = alpha * alpha, m = c.m();
  const int k_out = c.channels, kp = int(hawc::round_up(k_out, 8));
  const int oh = c.out_h(), ow = c.out_w();
  std::mt19937 rng(seed);
  // M, bias as the GEMM and create() give them, but with nonzero padding
  // channels: NCHW8C must write +0 there whatever M holds.
  const size_t stride = size_t(count) * kp;
  GuardedBuffer<float> m32(points * stride, guard_after);  // M is FP32 for both kernel sets
  for (size_t i = 0; i < points * stride; ++i) m32[i] = hawc::fp16_to_fp32(random_half(rng));
  GuardedBuffer<uint16_t> bias16(kp, guard_after);
  GuardedBuffer<float> bias32(kp, guard_after);
  for (int k = 0; k < kp; ++k)
    bias32[k] = hawc::fp16_to_fp32(bias16[k] = with_bias && k < k_out ? random_half(rng) : 0);

  const size_t out_elements = hawc::image_elements(c.layout, k_out, oh, ow);
  GuardedBuffer<uint16_t> want(out_elements, guard_after), got(out_elements, guard_after);
  std::fill_n(want.data(), out_elements, kSentinel);
  std::fill_n(got.data(), out_elements, kSentinel);
  OutputTransformArgs a{m32.data(), stride, kp, want.data(), c.layout, k_out, oh, ow, c.tiles_w(),
                        begin, count, bias32.data(), bias16.data(), act};
  a.k_begin = range.channel_begin;
  a.k_end = range.channel_end;
  a.m_scale = scale;
  transforms(c.variant).output_portable(a);
  a.output = got.data();
  transforms(c.variant, c.fp16_arith).output(a);

  for (size_t i = 0; i < out_elements; ++i)
    ASSERT_EQ(got[i] == kSentinel, want[i] == kSentinel) << "element " << i << " written by one only";
  const std::vector<double> at = abs_matrix(hawc::winograd_matrices(c.variant).AT, m, alpha);
  double mabs[hawc::kMaxPoints], bound[hawc::kMaxPoints];
  for (int t = 0; t < count; ++t) {
    const int y0 = (begin + t) / c.tiles_w() * m, x0 = (begin + t) % c.tiles_w() * m;
    for (int k = 0; k < kp; ++k) {
      for (int p = 0; p < points; ++p)
        mabs[p] = std::fabs(m32[p * stride + size_t(t) * kp + k]) * scale;
      sandwich(at, m, alpha, mabs, bound);
      for (int i = 0; i < m && y0 + i < oh; ++i)
        for (int j = 0; j < m && x0 + j < ow; ++j) {
          if ((k >= k_out && c.layout != Layout::NCHW8C) || k < range.channel_begin || k >= range.channel_end)
            continue;  // not in the tensor, or left to another call (the sentinel check covers it)
          const size_t e = hawc::tensor_offset(c.layout, k_out, oh, ow, k, y0 + i, x0 + j);
          if (k >= k_out) {
            ASSERT_EQ(got[e], 0) << "padding lane " << k << " must be +0";
            continue;
          }
          const double g = hawc::fp16_to_fp32(got[e]), w = hawc::fp16_to_fp32(want[e]);
          if (g == w) continue;  // also the same infinity (scaled F(6x6) outputs past 65504)
          const double tol = (kRoundings * (bound[i * m + j] + std::fabs(bias32[k])) + std::fabs(w)) * kUnitRoundoff;
          ASSERT_LE(std::fabs(g - w), tol) << "tile " << begin + t << " channel " << k << " y " << y0 + i
                                           << " x " << x0 + j << ": " << g << " vs " << w;
        }
    }
  }
}

class NeonFp16Transforms : public testing::TestWithParam<Case> {};

TEST_P(NeonFp16Transforms, InputMatchesPortable) {
  const Case& c = GetParam();
  uint32_t seed = uint32_t(c.channels * 131 + c.g.h);
  for (const Range& r : ranges(c)) {
    check_input_transform(c, r, seed % 2 == 0, seed);
    ++seed;
  }
}

TEST_P(NeonFp16Transforms, OutputMatchesPortable) {
  const Case& c = GetParam();
  uint32_t seed = uint32_t(c.channels * 37 + c.g.w);
  for (const Range& r : ranges(c)) {
    check_output_transform(c, r, seed % 2 == 1, seed);
    ++seed;
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariantsLayouts, NeonFp16Transforms, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string n = info.param.name() + "_" + std::to_string(info.index);
                           std::replace_if(n.begin(), n.end(), [](char ch) { return !std::isalnum(ch); }, '_');
                           return n;
                         });

// Unit impulses in an interior tile: the NEON result is one product of
// matrix entries (exact in FP16) and must equal the portable one exactly.
// (variant, FP16 arithmetic)
class NeonFp16TransformCoefficients : public testing::TestWithParam<std::pair<Variant, bool>> {};

TEST_P(NeonFp16TransformCoefficients, InputImpulsesExact) {
  const auto [v, fp16_arith] = GetParam();
  const int alpha = hawc::variant_alpha(v), points = alpha * alpha;
  // One tile, no padding, 8 channels: channel ch holds the impulse at pixel q + ch.
  for (int q = 0; q < points; q += 8) {
    std::vector<uint16_t> in(size_t(8) * points, 0);
    for (int ch = 0; ch < 8 && q + ch < points; ++ch) in[size_t(q + ch) * 8 + ch] = 0x3c00;  // 1.0, NCHW8C
    std::vector<float> v32(size_t(points) * 8);
    std::vector<uint16_t> v16(v32.size());
    InputTransformArgs a{in.data(), Layout::NCHW8C, 8, alpha, alpha, 0, 0, 1, 0, 1, 8, v32.data(), 8};
    transforms(v).input_portable(a);
    a.v = v16.data();
    transforms(v, fp16_arith).input(a);
    for (size_t i = 0; i < v32.size(); ++i)
      ASSERT_EQ(hawc::fp16_to_fp32(v16[i]), v32[i]) << "impulse at pixel " << q + i % 8 << ", point " << i / 8;
  }
}

TEST_P(NeonFp16TransformCoefficients, OutputImpulsesExact) {
  const auto [v, fp16_arith] = GetParam();
  const int alpha = hawc::variant_alpha(v), points = alpha * alpha, m = hawc::variant_m(v);
  // Channel k holds the impulse at point q + k; with bias, the bias alone.
  for (int q = 0; q < points; q += 8)
    for (bool bias : {false, true}) {
      std::vector<uint16_t> b16(8, 0), got(size_t(8) * m * m);
      std::vector<float> m32(size_t(points) * 8, 0.0f), b32(8, 0.0f);
      for (int k = 0; k < 8 && q + k < points; ++k) m32[size_t(q + k) * 8 + k] = 1;
      if (bias) b16[3] = 0x4100, b32[3] = 2.5f;
      std::vector<uint16_t> want16(got.size());
      OutputTransformArgs a{m32.data(), 8, 8, want16.data(), Layout::NCHW8C, 8, m, m, 1, 0, 1,
                            b32.data(), b16.data(), Activation::None};
      transforms(v).output_portable(a);
      a.output = got.data();
      transforms(v, fp16_arith).output(a);
      EXPECT_EQ(got, want16) << "impulses from point " << q << (bias ? " with bias" : "");
    }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, NeonFp16TransformCoefficients,
                         testing::Values(std::pair{Variant::F2x3, false},
                                         std::pair{Variant::F4x3, false},
                                         std::pair{Variant::F4x3, true},
                                         std::pair{Variant::F6x3, false}),
                         [](const auto& info) {
                           return "F" + std::to_string(hawc::variant_m(info.param.first)) + "x3" +
                                  (info.param.second ? "fp16" : "");
                         });

// F(4x4)'s interior NCHW8C tiles run the generated assembly
// (gen_transform_asm.py), every other tile and layout the C++ tile loop; both
// do the same operations, so V is bitwise the same from an NCHW8C and an NHWC
// copy of one image, at both arithmetic precisions, for runs of interior
// tiles that start and end anywhere in a panel.
TEST(NeonFp16TransformAssembly, InteriorTilesBitwiseEqualGenericPath) {
  for (bool fp16_arith : {false, true})
    for (const Geometry g : {Geometry{22, 30, 1, 1, 1, 1}, Geometry{19, 27, 0, 2, 1, 0}})
      for (int channels : {8, 24}) {
        const Case c{Variant::F4x3, Layout::NCHW8C, channels, g, fp16_arith};
        SCOPED_TRACE(c.name());
        std::mt19937 rng(uint32_t(channels + g.h));
        std::vector<uint16_t> nchw8c(hawc::image_elements(Layout::NCHW8C, channels, g.h, g.w));
        std::vector<uint16_t> nhwc(hawc::image_elements(Layout::NHWC, channels, g.h, g.w));
        for (int ch = 0; ch < channels; ++ch)
          for (int y = 0; y < g.h; ++y)
            for (int x = 0; x < g.w; ++x) {
              // Magnitudes over the whole FP16 range, so that roundings differ if the operations do.
              const uint16_t h = hawc::fp32_to_fp16(std::ldexp(
                  std::normal_distribution<float>(0.0f, 1.0f)(rng), int(rng() % 20) - 10));
              nchw8c[hawc::tensor_offset(Layout::NCHW8C, channels, g.h, g.w, ch, y, x)] = h;
              nhwc[hawc::tensor_offset(Layout::NHWC, channels, g.h, g.w, ch, y, x)] = h;
            }
        for (int begin : {0, 3, 5})
          for (int count : {c.tiles() - begin, 11, 13}) {
            if (begin + count > c.tiles()) continue;
            const size_t stride = size_t(count) * channels;
            std::vector<uint16_t> v8c(36 * stride, kSentinel), vhwc(36 * stride, kSentinel);
            InputTransformArgs a{nchw8c.data(), Layout::NCHW8C, channels, g.h, g.w, g.pad_top,
                                 g.pad_left, c.tiles_w(), begin, count, channels, v8c.data(),
                                 stride};
            transforms(Variant::F4x3, fp16_arith).input(a);
            a.input = nhwc.data();
            a.layout = Layout::NHWC;
            a.v = vhwc.data();
            transforms(Variant::F4x3, fp16_arith).input(a);
            for (size_t i = 0; i < v8c.size(); ++i)
              ASSERT_EQ(v8c[i], vhwc[i]) << "tiles " << begin << "+" << count << " element " << i;
          }
      }
}

// The same for the output transform: full NCHW8C tiles run the assembly, the
// NHWC copy the C++ loop; bitwise equal with bias and every activation,
// including partial tiles at the right and bottom edges and a partial last
// channel block (K = 20).
TEST(NeonFp16TransformAssembly, FullOutputTilesBitwiseEqualGenericPath) {
  for (bool fp16_arith : {false, true})
    for (Activation act : {Activation::None, Activation::Relu, Activation::Relu6})
      for (const auto [out_h, out_w, k] : {std::tuple{20, 28, 16}, std::tuple{18, 23, 20}}) {
        SCOPED_TRACE(testing::Message() << (fp16_arith ? "fp16" : "fp32") << " act " << int(act)
                                        << " " << out_h << "x" << out_w << " K" << k);
        const int kp = int(hawc::round_up(k, 8)), tiles_w = (out_w + 3) / 4;
        const int tiles = tiles_w * ((out_h + 3) / 4);
        std::mt19937 rng(uint32_t(out_h * k + int(act)));
        for (int begin : {0, 2, 7}) {
          const int count = tiles - begin;
          const size_t stride = size_t(count) * kp;
          std::vector<float> m(36 * stride), b32(kp, 0.0f);
          std::vector<uint16_t> b16(kp, 0);
          for (float& x : m)
            x = std::ldexp(std::normal_distribution<float>(0.0f, 1.0f)(rng), int(rng() % 12) - 4);
          for (int i = 0; i < k; ++i) {
            b16[i] = hawc::fp32_to_fp16(std::normal_distribution<float>(0.0f, 4.0f)(rng));
            b32[i] = hawc::fp16_to_fp32(b16[i]);
          }
          std::vector<uint16_t> o8c(hawc::image_elements(Layout::NCHW8C, k, out_h, out_w), kSentinel);
          std::vector<uint16_t> ohwc(hawc::image_elements(Layout::NHWC, k, out_h, out_w), kSentinel);
          OutputTransformArgs a{m.data(), stride, kp, o8c.data(), Layout::NCHW8C, k, out_h, out_w,
                                tiles_w, begin, count, b32.data(), b16.data(), act};
          transforms(Variant::F4x3, fp16_arith).output(a);
          a.output = ohwc.data();
          a.layout = Layout::NHWC;
          transforms(Variant::F4x3, fp16_arith).output(a);
          for (int ch = 0; ch < k; ++ch)
            for (int y = 0; y < out_h; ++y)
              for (int x = 0; x < out_w; ++x)
                ASSERT_EQ(o8c[hawc::tensor_offset(Layout::NCHW8C, k, out_h, out_w, ch, y, x)],
                          ohwc[hawc::tensor_offset(Layout::NHWC, k, out_h, out_w, ch, y, x)])
                    << "tiles from " << begin << ", channel " << ch << " pixel " << y << "," << x;
        }
      }
}

}  // namespace
