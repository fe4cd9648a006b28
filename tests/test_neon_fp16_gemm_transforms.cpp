// The NEON FP16 transforms of the Gemm pipeline against the portable ones,
// bit for bit: the gather only copies (and scales by powers of two) and the
// output side rounds one FP32 value per element, so the NEON results must be
// exactly the portable FP32 results rounded to FP16. Random receptive fields
// (kernels 1..7, strides 1..2, dilations 1..3, asymmetric padding), both V
// row forms (whole 8-channel blocks per tap, and taps back to back), channel
// counts around the 8-channel blocks and at 64, groups (a call reads or
// writes one group's channels of a larger tensor), every layout, tile ranges
// that start mid-row and cross rows, channel ranges, parts of one V panel,
// and range-scale factors. NCHW8C's padding lanes hold NaN on input (V must
// see zeros) and must come out +0. Buffers sit against an inaccessible page;
// outputs start as a sentinel so stray writes show up. Needs a CPU with FP16
// arithmetic.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>

#include "src/fp16.h"
#include "tests/support/guarded_buffer.h"
#include "transforms/gemm_transforms.h"

namespace {

using hawc::ConvGeometry;
using hawc::InputTransformArgs;
using hawc::Layout;
using hawc::OutputTransformArgs;
using hawc_test::GuardedBuffer;

constexpr uint16_t kSentinel = 0x7e5a;  // a NaN no kernel produces

struct Case {
  Layout layout;
  int channels, h, w;
  int pad_top, pad_left, pad_bottom, pad_right;
  ConvGeometry g;
  int groups = 1, group = 0;  // the call's channels are group `group` of `groups`
  int tensor_channels() const { return channels * groups; }
  int out_h() const {
    return (h + pad_top + pad_bottom - (g.kernel_h - 1) * g.dilation_h - 1) / g.stride_h + 1;
  }
  int out_w() const {
    return (w + pad_left + pad_right - (g.kernel_w - 1) * g.dilation_w - 1) / g.stride_w + 1;
  }
  int rows() const { return hawc::gemm_reduction(g); }
  std::string name() const {
    static const char* const kLayout[] = {"NCHW", "NHWC", "NCHW8C"};
    return std::string(kLayout[int(layout)]) + " C" + std::to_string(channels) + " " +
           std::to_string(h) + "x" + std::to_string(w) + " k" + std::to_string(g.kernel_h) + "x" +
           std::to_string(g.kernel_w) + " s" + std::to_string(g.stride_h) + "x" +
           std::to_string(g.stride_w) + " d" + std::to_string(g.dilation_h) + "x" +
           std::to_string(g.dilation_w) + " pad " + std::to_string(pad_top) + "," +
           std::to_string(pad_left) + "," + std::to_string(pad_bottom) + "," +
           std::to_string(pad_right) + " taps of " + std::to_string(g.tap_channels) + " group " +
           std::to_string(group) + " of " + std::to_string(groups);
  }
};

Case random_case(std::mt19937& rng, int i) {
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  constexpr int kChannels[] = {1, 3, 5, 8, 12, 16, 24, 33, 64};
  Case c;
  c.layout = Layout(i % 3);
  c.channels = kChannels[(i / 3) % std::size(kChannels)];
  c.g.kernel_h = pick(1, 7), c.g.kernel_w = pick(1, 7);
  c.g.stride_h = pick(1, 2), c.g.stride_w = pick(1, 2);
  c.g.dilation_h = i % 4 == 0 ? pick(1, 3) : 1, c.g.dilation_w = i % 4 == 0 ? pick(1, 3) : 1;
  const int eh = (c.g.kernel_h - 1) * c.g.dilation_h + 1, ew = (c.g.kernel_w - 1) * c.g.dilation_w + 1;
  c.pad_top = pick(0, eh - 1), c.pad_bottom = pick(0, eh - 1);
  c.pad_left = pick(0, ew - 1), c.pad_right = pick(0, ew - 1);
  c.h = std::max(pick(1, 19), eh - c.pad_top - c.pad_bottom);
  c.w = std::max(pick(1, 27), ew - c.pad_left - c.pad_right);
  // Both row forms wherever the library could pick them (api.cpp picks
  // back-to-back taps below 32 channels that are not a multiple of 8).
  if (i % 5 == 1) c.groups = pick(2, 4), c.group = pick(0, c.groups - 1);
  const bool dense = c.channels % 8 != 0 && i % 2 == 0;
  c.g.tap_channels = dense ? c.channels : int(hawc::round_up(c.channels, 8));
  return c;
}

struct Range {
  int tile_begin, tile_count, row_begin, row_end;
  hawc::VPanelPart part;
};

// The whole image; a range from mid-row across rows; a row chunk; and, for
// images of more than one panel, a part of the second panel.
std::vector<Range> ranges(const Case& c) {
  const int tiles = c.out_h() * c.out_w();
  std::vector<Range> r{{0, tiles, 0, INT_MAX, {}}};
  if (tiles > 3) {
    const int begin = std::min(c.out_w() / 2 + 1, tiles - 2);
    r.push_back({begin, std::min(tiles - begin, c.out_w() + 11), 0, INT_MAX, {}});
  }
  if (c.rows() > 16) r.push_back({0, tiles, 8, 16, {}});
  if (tiles > 12) {
    const int panel_tiles = std::min(hawc::kGemmMR, tiles - hawc::kGemmMR);
    r.push_back({hawc::kGemmMR + 2, std::min(2, panel_tiles - 2), 0, INT_MAX, {panel_tiles, 2}});
  }
  return r;
}

float range_scale(uint32_t seed) { return seed % 3 == 0 ? 1.0f : seed % 3 == 1 ? 16.0f : 0.125f; }

// Index of (tile lt, row r) in the V block of a range.
size_t v_index(const Range& range, int rows, int lt, int r) {
  const hawc::VTileSlot s = hawc::v_tile_slot(lt, range.tile_count, rows, range.part);
  return s.offset + size_t(r / 8) * s.panel_tiles * 8 + r % 8;
}

size_t v_elements(const Range& range, int rows) {
  if (range.part.tiles > 0) return size_t(range.part.tiles) * rows;
  return hawc::round_up(range.tile_count, hawc::kGemmMR) * rows;
}

void check_input(const Case& c, const Range& range, uint32_t seed) {
  const float scale = range_scale(seed);
  SCOPED_TRACE(c.name() + " tiles " + std::to_string(range.tile_begin) + "+" +
               std::to_string(range.tile_count) + " rows " + std::to_string(range.row_begin) +
               ".." + std::to_string(range.row_end) + " part " + std::to_string(range.part.tiles) +
               " scale " + std::to_string(scale));
  const int rows = c.rows();
  std::mt19937 rng(seed);
  GuardedBuffer<uint16_t> in(hawc::image_elements(c.layout, c.tensor_channels(), c.h, c.w),
                             seed % 2 == 0);
  for (size_t i = 0; i < in.size(); ++i) {
    const bool padding_lane = c.layout == Layout::NCHW8C &&
                              int(i / (size_t(c.h) * c.w * 8) * 8 + i % 8) >= c.tensor_channels();
    in[i] = padding_lane ? 0x7e00 : hawc::fp32_to_fp16(std::normal_distribution<float>()(rng));
  }
  const size_t n = v_elements(range, rows);
  GuardedBuffer<float> v32(n, seed % 2 == 1);
  GuardedBuffer<uint16_t> v16(n, seed % 2 == 0);
  std::fill_n(v32.data(), n, 12345.0f);
  std::fill_n(v16.data(), n, kSentinel);
  InputTransformArgs a{in.data(), c.layout,  c.channels,         c.h,  c.w,       c.pad_top,
                       c.pad_left, c.out_w(), range.tile_begin, range.tile_count, rows, v32.data(),
                       n};
  a.geometry = c.g;
  if (c.groups > 1) a.channel_offset = c.group * c.channels, a.tensor_channels = c.tensor_channels();
  a.channel_begin = range.row_begin;
  a.channel_end = range.row_end;
  a.v_part = range.part;
  a.input_scale = scale;
  hawc::gemm_input_transform_portable(a);
  a.v = v16.data();
  hawc::gemm_input_transform_neon_fp16(a);
  for (int lt = 0; lt < range.tile_count; ++lt)
    for (int r = 0; r < rows; ++r) {
      const size_t i = v_index(range, rows, lt, r);
      if (r < range.row_begin || r >= range.row_end) {
        ASSERT_EQ(v16[i], kSentinel) << "tile " << lt << " row " << r << " written";
        continue;
      }
      ASSERT_EQ(v16[i], hawc::fp32_to_fp16(v32[i]))
          << "tile " << range.tile_begin + lt << " row " << r << ": " << hawc::fp16_to_fp32(v16[i])
          << " vs " << v32[i];
    }
}

void check_output(const Case& c, const Range& range, uint32_t seed) {
  const hawc::Activation act = hawc::Activation(seed % 3);
  const float scale = range_scale(seed / 3);
  const int k_out = c.channels, kp = int(hawc::round_up(k_out, 8));
  SCOPED_TRACE(c.name() + " tiles " + std::to_string(range.tile_begin) + "+" +
               std::to_string(range.tile_count) + " act " + std::to_string(int(act)) + " scale " +
               std::to_string(scale));
  std::mt19937 rng(seed);
  GuardedBuffer<float> m(size_t(range.tile_count) * kp, seed % 2 == 0);
  for (size_t i = 0; i < m.size(); ++i) m[i] = std::normal_distribution<float>(0, 4)(rng);
  GuardedBuffer<uint16_t> bias16(kp, true);
  GuardedBuffer<float> bias32(kp, false);
  for (int k = 0; k < kp; ++k)
    bias32[k] = hawc::fp16_to_fp32(bias16[k] = k < k_out ? hawc::fp32_to_fp16(
                                                             std::normal_distribution<float>()(rng))
                                                       : 0);
  const size_t out_elements =
      hawc::image_elements(c.layout, c.tensor_channels(), c.out_h(), c.out_w());
  GuardedBuffer<uint16_t> want(out_elements, true), got(out_elements, false);
  std::fill_n(want.data(), out_elements, kSentinel);
  std::fill_n(got.data(), out_elements, kSentinel);
  OutputTransformArgs a{m.data(), 0,  kp, want.data(), c.layout, k_out, c.out_h(), c.out_w(),
                        c.out_w(), range.tile_begin, range.tile_count, bias32.data(),
                        bias16.data(), act};
  a.k_begin = range.row_begin;
  a.k_end = range.row_end;
  a.m_scale = scale;
  if (c.groups > 1) a.channel_offset = c.group * k_out, a.tensor_channels = c.tensor_channels();
  hawc::gemm_output_transform_portable(a);
  a.output = got.data();
  hawc::gemm_output_transform_neon_fp16(a);
  for (size_t i = 0; i < out_elements; ++i)
    ASSERT_EQ(got[i], want[i]) << "element " << i << ": " << hawc::fp16_to_fp32(got[i]) << " vs "
                               << hawc::fp16_to_fp32(want[i]);
}

TEST(NeonFp16GemmTransforms, BitwiseEqualToPortable) {
  std::mt19937 rng(2026);
  int checked = 0;
  for (int i = 0; i < 240; ++i) {
    const Case c = random_case(rng, i);
    uint32_t seed = 7000 + uint32_t(i) * 5;
    for (const Range& r : ranges(c)) {
      check_input(c, r, seed++);
      if (r.part.tiles == 0) check_output(c, r, seed++);  // M has no panel parts
      if (testing::Test::HasFatalFailure()) return;
      ++checked;
    }
  }
  std::printf("%d ranges checked\n", checked);
}

// The shapes that have fast paths of their own, in every layout, so that each
// path is reached whatever the random draws: stems with few channels (7x7 s2
// and 3x3 s2 over 3 channels, with their pads), small groups (3x3 over 4
// channels of 32 groups), 1x1 stride-1 copies (16 and 64 channels, with
// groups), and whole blocks per pixel (1, 2, 4 and 8 blocks per tap, unrolled,
// and 3 and 5 through the general loop; strided, dilated, grouped).
TEST(NeonFp16GemmTransforms, FastPathShapesBitwiseEqualToPortable) {
  struct Shape {
    int channels, k, stride, dilation, pad, h, w, groups;
  };
  const Shape shapes[] = {{3, 7, 2, 1, 3, 23, 29, 1}, {3, 3, 2, 1, 1, 17, 21, 1},
                          {3, 3, 2, 1, 0, 19, 19, 1}, {4, 3, 1, 1, 1, 14, 14, 4},
                          {16, 1, 1, 1, 0, 9, 13, 1}, {64, 1, 1, 1, 0, 7, 9, 2},
                          {64, 3, 2, 1, 1, 13, 11, 1}, {32, 3, 1, 2, 2, 12, 10, 1},
                          {32, 1, 2, 1, 0, 15, 14, 3}, {8, 3, 2, 1, 1, 15, 17, 4},
                          {16, 3, 1, 1, 1, 14, 14, 2}, {24, 3, 2, 1, 1, 13, 13, 1},
                          {40, 5, 2, 1, 2, 16, 15, 1}};
  uint32_t seed = 90999;  // a multiple of 3: range_scale() 1, the fast paths run unscaled
  int checked = 0;
  for (const Shape& sh : shapes)
    for (int layout = 0; layout < 3; ++layout)
      for (int group = 0; group < sh.groups; group += std::max(1, sh.groups - 1)) {
        Case c;
        c.layout = Layout(layout);
        c.channels = sh.channels;
        c.g.kernel_h = c.g.kernel_w = sh.k;
        c.g.stride_h = c.g.stride_w = sh.stride;
        c.g.dilation_h = c.g.dilation_w = sh.dilation;
        c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = sh.pad;
        c.h = sh.h, c.w = sh.w;
        c.groups = sh.groups, c.group = group;
        const bool dense = c.channels % 8 != 0 && c.channels < 32;  // as api.cpp picks
        c.g.tap_channels = dense ? c.channels : int(hawc::round_up(c.channels, 8));
        for (const Range& r : ranges(c)) {
          check_input(c, r, seed);
          if (r.part.tiles == 0) check_output(c, r, seed + 1);
          seed += 3;
          if (testing::Test::HasFatalFailure()) return;
          ++checked;
        }
      }
  std::printf("%d ranges checked\n", checked);
}

// A 1x1 stride-1 layer's gather is a copy of each pixel's channels.
TEST(NeonFp16GemmTransforms, OneByOneIsACopy) {
  Case c{Layout::NHWC, 24, 3, 11, 0, 0, 0, 0, {}};
  c.g.kernel_h = c.g.kernel_w = 1;
  c.g.tap_channels = 24;
  const int tiles = 33, rows = 24;
  std::vector<uint16_t> in(size_t(tiles) * rows), v(size_t(hawc::round_up(tiles, 8)) * rows);
  for (size_t i = 0; i < in.size(); ++i) in[i] = hawc::fp32_to_fp16(float(i % 1000) / 8);
  InputTransformArgs a{in.data(), c.layout, c.channels, c.h, c.w, 0, 0, c.w, 0, tiles, rows,
                       v.data(), v.size()};
  a.geometry = c.g;
  hawc::gemm_input_transform_neon_fp16(a);
  const Range whole{0, tiles, 0, INT_MAX, {}};
  for (int t = 0; t < tiles; ++t)
    for (int ch = 0; ch < rows; ++ch)
      ASSERT_EQ(v[v_index(whole, rows, t, ch)], in[size_t(t) * rows + ch]) << t << " " << ch;
}

}  // namespace
