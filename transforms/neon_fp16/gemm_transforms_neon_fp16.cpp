// NEON FP16 transforms of the Gemm pipeline (transforms/gemm_transforms.h).
//
// Input: the receptive-field gather (implicit im2col). V rows of whole
// 8-channel blocks per tap move as vectors through the layout readers of
// layout_io_neon_fp16.h; a panel of 8 tiles that are consecutive pixels of
// one input row (stride 1 along x, inside the image) reads them as one row,
// which for NCHW is a transposing load instead of 8 gathers. Rows whose taps
// hold few channels back to back (tap_channels = C) gather element by
// element.
// Output: M (FP32) times the range scale, plus bias, activation, to FP16,
// through the layout writers; runs of 8 tiles of one output row as rows.
#include <arm_neon.h>

#include <algorithm>
#include <type_traits>

#include "src/fp16.h"
#include "transforms/gemm_transforms.h"
#include "transforms/neon_fp16/layout_io_neon_fp16.h"
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"

namespace hawc {
namespace {

using namespace neon_fp16;

// Reads one 8-channel block of the input, plain or range-scaled.
template <template <bool> class Reader, bool Partial, bool Scaled>
struct BlockReader {
  using Plain = Reader<Partial>;
  std::conditional_t<Scaled, ScaledReader<Plain>, Plain> r;
  BlockReader(const InputTransformArgs& a, int block) : r(make(a, block)) {}
  static auto make(const InputTransformArgs& a, int block) {
    if constexpr (Scaled)
      return ScaledReader<Plain>(Plain(a, block), a.input_scale);
    else
      return Plain(a, block);
  }
};

// The tiles [t0, t0 + mr) of one V panel: where their receptive fields start,
// and whether they are 8 consecutive pixels of one output row at stride 1
// along x.
struct PanelTiles {
  int mr;
  int y0[kGemmMR], x0[kGemmMR];
  bool row_run;
};

PanelTiles panel_tiles(const InputTransformArgs& a, int t0) {
  PanelTiles p;
  p.mr = std::min(kGemmMR, a.tile_count - t0);
  for (int i = 0; i < p.mr; ++i) {
    const ReceptiveField f = receptive_field(a, a.tile_begin + t0 + i);
    p.y0[i] = f.y0, p.x0[i] = f.x0;
  }
  const int first_col = (a.tile_begin + t0) % a.tiles_w;
  p.row_run = p.mr == kGemmMR && a.geometry.stride_w == 1 && first_col + kGemmMR <= a.tiles_w;
  return p;
}

// One V row block (8 elements) of every tile of the panel: channels
// [c0, c0 + 8) of tap (i, j). dst: the block's first tile; 8 elements a tile.
template <template <bool> class Reader, bool Partial, bool Scaled>
void gather_block(const InputTransformArgs& a, const PanelTiles& p, int i, int j, int c0,
                  float16_t* dst) {
  const ConvGeometry& g = a.geometry;
  const BlockReader<Reader, Partial, Scaled> reader(a, c0 / 8);
  const int dy = i * g.dilation_h, dx = j * g.dilation_w;
  if (p.row_run) {
    const int y = p.y0[0] + dy, x = p.x0[0] + dx;
    if (y >= 0 && y < a.height && x >= 0 && x + kGemmMR <= a.width) {
      float16x8_t v[kGemmMR];
      reader.r.template row<kGemmMR>(y, x, v);
      for (int t = 0; t < kGemmMR; ++t) vst1q_f16(dst + t * 8, v[t]);
      return;
    }
  }
  for (int t = 0; t < p.mr; ++t) {
    const int y = p.y0[t] + dy, x = p.x0[t] + dx;
    const bool inside = y >= 0 && y < a.height && x >= 0 && x < a.width;
    vst1q_f16(dst + t * 8, inside ? reader.r.pixel(y, x) : vdupq_n_f16(0));
  }
}

// V rows of whole blocks per tap (tap_channels % 8 == 0).
template <template <bool> class Reader, bool Scaled>
void gather_tap_blocks(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int rows = a.channels_padded, tc = g.tap_channels, taps = g.kernel_h * g.kernel_w;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  for (int t0 = 0; t0 < a.tile_count; t0 += kGemmMR) {
    const PanelTiles p = panel_tiles(a, t0);
    const VTileSlot slot = v_tile_slot(t0, a.tile_count, rows, a.v_part);
    float16_t* panel = static_cast<float16_t*>(a.v) + slot.offset;
    for (int r = r_begin; r < r_end; r += 8) {
      float16_t* dst = panel + size_t(r / 8) * slot.panel_tiles * 8;
      const int tap = r / tc, c0 = r - tap * tc;
      if (tap >= taps || c0 >= a.channels) {  // the row's zero padding
        for (int t = 0; t < p.mr; ++t) vst1q_f16(dst + t * 8, vdupq_n_f16(0));
      } else if (c0 + 8 <= a.channels) {
        gather_block<Reader, false, Scaled>(a, p, tap / g.kernel_w, tap % g.kernel_w, c0, dst);
      } else {
        gather_block<Reader, true, Scaled>(a, p, tap / g.kernel_w, tap % g.kernel_w, c0, dst);
      }
    }
  }
}

// Element by element: V rows with the taps' channels back to back, and
// groups whose channels do not start an NCHW8C block.
void gather_elements(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int rows = a.channels_padded, tc = g.tap_channels, taps = g.kernel_h * g.kernel_w;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.channels;
  const float16_t* in = reinterpret_cast<const float16_t*>(a.input);
  for (int lt = 0; lt < a.tile_count; ++lt) {
    const ReceptiveField f = receptive_field(a, a.tile_begin + lt);
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, rows, a.v_part);
    float16_t* v = static_cast<float16_t*>(a.v) + slot.offset;
    for (int r = r_begin; r < r_end; ++r) {
      const int tap = r / tc, c = r - tap * tc;
      const int y = f.y0 + tap / g.kernel_w * g.dilation_h;
      const int x = f.x0 + tap % g.kernel_w * g.dilation_w;
      float d = 0;
      if (tap < taps && c < a.channels && y >= 0 && y < a.height && x >= 0 && x < a.width)
        d = float(in[tensor_offset(a.layout, tensor_channels, a.height, a.width,
                                   a.channel_offset + c, y, x)]) *
            a.input_scale;
      v[size_t(r / 8) * slot.panel_tiles * 8 + r % 8] = float16_t(d);
    }
  }
}

// V rows of at most kPackedRowsMax elements whose taps hold few channels back
// to back (a stem's RGB input: 7x7 taps of 3 channels; ResNeXt's groups of 4),
// unscaled. One tile (output pixel) at a time: each tap's channels are copied
// into a row buffer, which is then stored as the tile's 8-row blocks of V.
// Every layout addresses channel c of pixel (y, x) at pixel(y, x) +
// channel[c].
// A tile whose receptive field lies inside the image takes a vector path:
// when a pixel's C <= 8 channels are adjacent (NHWC, NCHW8C) one 8-lane load
// and store per tap, whose extra lanes land where the next tap's channels go;
// NCHW with 3 channels and dilation 1, one 8-pixel load per plane and an
// interleaving store (vst3) per kernel row. Those reads stay inside the image
// (checked against its end) and the writes past the last tap land in the
// buffer's slack or its zero rows, which are cleared again. Other tiles copy
// tap by tap, with zeros outside the image.
constexpr int kPackedRowsMax = 7 * 7 * 31 + 1;  // tap_channels < 32 (ConvGeometry)

enum class PackedRow { Scalar, AdjacentChannels, NchwRgb };

// kC, kKw: the channels and the kernel's width when known at compile time
// (0: from `a`), so that the common stems and groups unroll their taps.
template <PackedRow kRow, int kC, int kKw>
void gather_packed_taps(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int C = kC ? kC : a.channels, tc = g.tap_channels, taps = g.kernel_h * g.kernel_w;
  const int rows = a.channels_padded, kh = g.kernel_h, kw = kKw ? kKw : g.kernel_w;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  const int tap_begin = r_begin / tc, tap_end = std::min(taps, (r_end + tc - 1) / tc);
  const size_t tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.channels;
  const auto offset = [&](int c, int y, int x) {
    return tensor_offset(a.layout, tensor_channels, a.height, a.width, a.channel_offset + c, y, x);
  };
  size_t channel[32];
  for (int c = 0; c < C; ++c) channel[c] = offset(c, 0, 0);
  const size_t step_x = offset(0, 0, 1) - channel[0], step_y = step_x * a.width;
  const size_t dx = size_t(g.dilation_w) * step_x, dy = size_t(g.dilation_h) * step_y;
  const int y_span = (kh - 1) * g.dilation_h, x_span = (kw - 1) * g.dilation_w;
  // The vector path's last read ends this far past the last kernel row's
  // first pixel (NchwRgb: 8 pixels of the last plane) or last pixel.
  const size_t read_tail = kRow == PackedRow::NchwRgb ? channel[C - 1] + 8 : channel[0] + 8;
  const size_t read_span = kRow == PackedRow::NchwRgb ? 0 : size_t(x_span) * step_x;
  const size_t image_end = image_elements(a.layout, tensor_channels, a.height, a.width);
  const bool whole = tap_begin == 0 && tap_end == taps;
  const float16_t* in = reinterpret_cast<const float16_t*>(a.input);
  // The row buffer from the first tap on: rows past the taps (and the vector
  // paths' slack) are zeroed once and stay zero; the taps are rewritten per
  // tile. Only what this call uses is zeroed (a grouped layer calls this per
  // group and block of tiles).
  alignas(16) float16_t buf[kPackedRowsMax + 24];
  std::fill(buf + tap_begin * tc, buf + rows + 24, float16_t(0));
  ReceptiveFieldWalk walk(a, a.tile_begin);
  for (int lt = 0; lt < a.tile_count; ++lt, walk.next()) {
    const ReceptiveField f = *walk;
    const size_t first = size_t(f.y0) * step_y + size_t(f.x0) * step_x;  // if inside
    const bool interior = kRow != PackedRow::Scalar && whole && f.y0 >= 0 && f.x0 >= 0 &&
                          f.y0 + y_span < a.height && f.x0 + x_span < a.width &&
                          first + size_t(y_span) * step_y + read_span + read_tail <= image_end;
    if (interior) {
      float16_t* dst = buf;
      const float16_t* row = in + first;
      for (int i = 0; i < kh; ++i, row += dy) {
        if constexpr (kRow == PackedRow::AdjacentChannels) {
          const float16_t* src = row + channel[0];
          for (int j = 0; j < kw; ++j, src += dx, dst += tc) vst1q_f16(dst, vld1q_f16(src));
        } else {
          float16x8x3_t v;
          v.val[0] = vld1q_f16(row + channel[0]);
          v.val[1] = vld1q_f16(row + channel[1]);
          v.val[2] = vld1q_f16(row + channel[2]);
          vst3q_f16(dst, v);  // 8 taps x 3 channels; those past the row are rewritten
          dst += kw * tc;
        }
      }
      vst1q_f16(buf + taps * tc, vdupq_n_f16(0));  // extra lanes past the last tap; rows - taps * tc < 8
    } else {
      // Taps in row-major order without a division per tap: (i, j) walks along.
      int i = tap_begin / kw, j = tap_begin % kw;
      float16_t* dst = buf + tap_begin * tc;
      for (int tap = tap_begin; tap < tap_end; ++i, j = 0) {
        const int y = f.y0 + i * g.dilation_h;
        const bool y_inside = y >= 0 && y < a.height;
        const float16_t* src_row = in + size_t(y_inside ? y : 0) * step_y;
        for (; j < kw && tap < tap_end; ++j, ++tap, dst += tc) {
          const int x = f.x0 + j * g.dilation_w;
          if (y_inside && x >= 0 && x < a.width) {
            const float16_t* src = src_row + size_t(x) * step_x;
            for (int c = 0; c < C; ++c) dst[c] = src[channel[c]];
          } else {
            for (int c = 0; c < C; ++c) dst[c] = 0;
          }
        }
      }
    }
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, rows, a.v_part);
    const size_t block_stride = size_t(slot.panel_tiles) * 8;
    float16_t* v = static_cast<float16_t*>(a.v) + slot.offset + size_t(r_begin / 8) * block_stride;
    for (const float16_t* b = buf + r_begin; b < buf + r_end; b += 8, v += block_stride)
      vst1q_f16(v, vld1q_f16(b));
  }
}

void gather_packed(const InputTransformArgs& a) {
  const int C = a.channels, kw = a.geometry.kernel_w;
  const bool adjacent =  // a pixel's C channels adjacent in memory, at most 8
      C <= 8 && (a.layout == Layout::NHWC ||
                 (a.layout == Layout::NCHW8C && a.channel_offset % 8 + C <= 8));
  constexpr PackedRow kAdjacent = PackedRow::AdjacentChannels;
  if (adjacent && C == 3 && kw == 7) return gather_packed_taps<kAdjacent, 3, 7>(a);
  if (adjacent && C == 3 && kw == 3) return gather_packed_taps<kAdjacent, 3, 3>(a);
  if (adjacent && kw == 3) return gather_packed_taps<kAdjacent, 0, 3>(a);
  if (adjacent) return gather_packed_taps<kAdjacent, 0, 0>(a);
  if (a.layout == Layout::NCHW && C == 3 && a.geometry.dilation_w == 1 && kw <= 8)
    return gather_packed_taps<PackedRow::NchwRgb, 3, 0>(a);
  gather_packed_taps<PackedRow::Scalar, 0, 0>(a);
}

// 1x1 stride-1 layers without padding and whole 8-channel blocks (most of a
// ResNet's work): tile t is pixel t, and in NHWC and NCHW8C 8 channels of a
// pixel are one vector, so V is a plain copy with no per-block bookkeeping.
bool pointwise_copy(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
         a.pad_top == 0 && a.pad_left == 0 && a.tiles_w == a.width && a.channels % 8 == 0 &&
         a.layout != Layout::NCHW && a.input_scale == 1.0f &&
         size_t(a.tile_begin) + a.tile_count <= size_t(a.height) * a.width;
}

template <Layout kLayout>
void gather_pointwise(const InputTransformArgs& a) {
  const int rows = a.channels_padded;
  const int r_begin = a.channel_begin, r_end = std::min(a.channel_end, rows);
  // Pixel and 8-channel block strides of the input.
  const size_t pixel = kLayout == Layout::NHWC ? (a.tensor_channels > 0 ? a.tensor_channels
                                                                        : a.channels)
                                               : 8;
  const size_t block = kLayout == Layout::NHWC ? 8 : size_t(a.height) * a.width * 8;
  const float16_t* in = reinterpret_cast<const float16_t*>(a.input);
  for (int t0 = 0; t0 < a.tile_count; t0 += kGemmMR) {
    const int mr = std::min(kGemmMR, a.tile_count - t0);
    const VTileSlot slot = v_tile_slot(t0, a.tile_count, rows, a.v_part);
    const size_t v_block = size_t(slot.panel_tiles) * 8;
    float16_t* dst = static_cast<float16_t*>(a.v) + slot.offset + size_t(r_begin / 8) * v_block;
    const float16_t* src = in + size_t(a.tile_begin + t0) * pixel + size_t(r_begin / 8) * block;
    for (int r = r_begin; r < r_end; r += 8, dst += v_block, src += block) {
      if (mr == kGemmMR) {
        for (int t = 0; t < kGemmMR; ++t) vst1q_f16(dst + t * 8, vld1q_f16(src + t * pixel));
      } else {
        for (int t = 0; t < mr; ++t) vst1q_f16(dst + t * 8, vld1q_f16(src + t * pixel));
      }
    }
  }
}

// Whole 8-channel blocks per tap in NHWC or NCHW8C, unscaled: per tile and
// tap one pixel address, then one vector load and store per block. Unlike the
// panel paths this needs no run of 8 tiles along one row (strided layers,
// narrow images). With one block per tap at stride 1 (8-channel groups) the
// panel rows cost less, so the caller keeps them there.
template <int kBlocks>  // blocks per tap when known at compile time (0: from `a`)
void gather_pixel_blocks(const InputTransformArgs& a) {
  const ConvGeometry& g = a.geometry;
  const int rows = a.channels_padded, taps = g.kernel_h * g.kernel_w, kw = g.kernel_w;
  const int blocks = kBlocks ? kBlocks : g.tap_channels / 8;  // per tap
  const int rb_begin = a.channel_begin / 8, rb_end = std::min(a.channel_end, rows) / 8;
  const int tap_begin = rb_begin / blocks, tap_end = std::min(taps, (rb_end + blocks - 1) / blocks);
  const bool nhwc = a.layout == Layout::NHWC;
  const size_t pixel = nhwc ? (a.tensor_channels > 0 ? a.tensor_channels : a.channels) : 8;
  const size_t block = nhwc ? 8 : size_t(a.height) * a.width * 8;
  const float16_t* in = reinterpret_cast<const float16_t*>(a.input);
  const bool whole = rb_begin == 0 && rb_end == taps * blocks;
  const int y_span = (g.kernel_h - 1) * g.dilation_h, x_span = (kw - 1) * g.dilation_w;
  const size_t dx = size_t(g.dilation_w) * pixel, dy = size_t(g.dilation_h) * a.width * pixel;
  ReceptiveFieldWalk walk(a, a.tile_begin);
  for (int lt = 0; lt < a.tile_count; ++lt, walk.next()) {
    const auto [y0, x0] = *walk;
    const VTileSlot slot = v_tile_slot(lt, a.tile_count, rows, a.v_part);
    const size_t v_block = size_t(slot.panel_tiles) * 8;
    float16_t* v = static_cast<float16_t*>(a.v) + slot.offset;
    if (whole && y0 >= 0 && x0 >= 0 && y0 + y_span < a.height && x0 + x_span < a.width) {
      // Inside the image: no bounds per tap.
      const float16_t* row = in + (size_t(y0) * a.width + x0) * pixel;
      for (int ii = 0; ii < g.kernel_h; ++ii, row += dy) {
        const float16_t* src = row;
        if constexpr (kBlocks == 0) {
          for (int jj = 0; jj < kw; ++jj, src += dx) {
            const float16_t* p = src;
            int b = 0;
            for (; b + 4 <= blocks; b += 4, p += 4 * block, v += 4 * v_block) {
              const float16x8_t x0 = vld1q_f16(p), x1 = vld1q_f16(p + block);
              const float16x8_t x2 = vld1q_f16(p + 2 * block), x3 = vld1q_f16(p + 3 * block);
              vst1q_f16(v, x0), vst1q_f16(v + v_block, x1);
              vst1q_f16(v + 2 * v_block, x2), vst1q_f16(v + 3 * v_block, x3);
            }
            for (; b < blocks; ++b, p += block, v += v_block) vst1q_f16(v, vld1q_f16(p));
          }
        } else {
          for (int jj = 0; jj < kw; ++jj, src += dx, v += kBlocks * v_block)
            for (int b = 0; b < kBlocks; ++b)  // unrolled
              vst1q_f16(v + b * v_block, vld1q_f16(src + b * block));
        }
      }
      continue;
    }
    int i = tap_begin / kw, j = tap_begin % kw;
    for (int tap = tap_begin; tap < tap_end; ++tap, j = j + 1 == kw ? (++i, 0) : j + 1) {
      const int y = y0 + i * g.dilation_h, x = x0 + j * g.dilation_w;
      const int b_begin = std::max(rb_begin - tap * blocks, 0);
      const int b_end = std::min(rb_end - tap * blocks, blocks);
      float16_t* dst = v + (size_t(tap) * blocks + b_begin) * v_block;
      if (y >= 0 && y < a.height && x >= 0 && x < a.width) {
        const float16_t* src = in + (size_t(y) * a.width + x) * pixel + size_t(b_begin) * block;
        for (int b = b_begin; b < b_end; ++b, src += block, dst += v_block)
          vst1q_f16(dst, vld1q_f16(src));
      } else {
        for (int b = b_begin; b < b_end; ++b, dst += v_block) vst1q_f16(dst, vdupq_n_f16(0));
      }
    }
    // V rows past the last tap (none: blocks * taps == rows when C % 8 == 0).
  }
}

template <bool Scaled>
void gather(const InputTransformArgs& a) {
  switch (a.layout) {
    case Layout::NCHW: return gather_tap_blocks<NchwReader, Scaled>(a);
    case Layout::NHWC: return gather_tap_blocks<NhwcReader, Scaled>(a);
    case Layout::NCHW8C: return gather_tap_blocks<Nchw8cReader, Scaled>(a);
  }
}

// Output channels [k0, k0 + 8) of M rows: scaled, biased, activated, FP16.
// The block's bias and the call's scale and activation are fixed per block,
// so they are loaded and decided once, not per tile.
template <bool kScaled, Activation kActivation>
struct BlockFinish {
  float32x4_t bias_lo, bias_hi;
  float scale;
  BlockFinish(const OutputTransformArgs& a, int k0)
      : bias_lo(vld1q_f32(a.bias_f32 + k0)), bias_hi(vld1q_f32(a.bias_f32 + k0 + 4)),
        scale(a.m_scale) {}
  float16x8_t operator()(const float* m) const {
    float32x4_t lo = vld1q_f32(m), hi = vld1q_f32(m + 4);
    if (kScaled) lo = vmulq_n_f32(lo, scale), hi = vmulq_n_f32(hi, scale);
    lo = vaddq_f32(lo, bias_lo), hi = vaddq_f32(hi, bias_hi);
    if (kActivation != Activation::None)
      lo = vmaxq_f32(lo, vdupq_n_f32(0)), hi = vmaxq_f32(hi, vdupq_n_f32(0));
    if (kActivation == Activation::Relu6)
      lo = vminq_f32(lo, vdupq_n_f32(6)), hi = vminq_f32(hi, vdupq_n_f32(6));
    return vcvt_high_f16_f32(vcvt_f16_f32(lo), hi);
  }
};

template <template <bool> class Writer, bool Partial, class Finish>
void output_block(const OutputTransformArgs& a, int block) {
  const Writer<Partial> w(a, block);
  const Finish finish(a, block * 8);
  const float* m = static_cast<const float*>(a.m) + block * 8;
  const size_t kp = size_t(a.out_channels_padded);
  if constexpr (!std::is_same_v<Writer<Partial>, NchwWriter<Partial>>) {
    // NHWC and NCHW8C: tile t is output pixel t, which the writer addresses
    // directly; no row bookkeeping.
    float16_t* p = w.at(size_t(a.tile_begin));
    const size_t pixel = w.at(1) - w.at(0);
    int lt = 0;
    for (; lt + 4 <= a.tile_count; lt += 4, p += 4 * pixel, m += 4 * kp) {
      w.store(p, finish(m));
      w.store(p + pixel, finish(m + kp));
      w.store(p + 2 * pixel, finish(m + 2 * kp));
      w.store(p + 3 * pixel, finish(m + 3 * kp));
    }
    for (; lt < a.tile_count; ++lt, p += pixel, m += kp) w.store(p, finish(m));
    return;
  }
  for (int lt = 0; lt < a.tile_count;) {
    const int t = a.tile_begin + lt, y = t / a.tiles_w, x = t % a.tiles_w;
    if (lt + kGemmMR <= a.tile_count && x + kGemmMR <= a.tiles_w) {
      float16x8_t v[kGemmMR];
      for (int i = 0; i < kGemmMR; ++i) v[i] = finish(m + (lt + i) * kp);
      w.template row<kGemmMR>(y, x, v);
      lt += kGemmMR;
    } else {
      w.pixel(y, x, finish(m + lt * kp));
      ++lt;
    }
  }
}

template <template <bool> class Writer, bool Partial>
void output_block(const OutputTransformArgs& a, int block) {
  const bool scaled = a.m_scale != 1.0f;
  switch (a.activation) {
    case Activation::None:
      return scaled ? output_block<Writer, Partial, BlockFinish<true, Activation::None>>(a, block)
                    : output_block<Writer, Partial, BlockFinish<false, Activation::None>>(a, block);
    case Activation::Relu:
      return scaled ? output_block<Writer, Partial, BlockFinish<true, Activation::Relu>>(a, block)
                    : output_block<Writer, Partial, BlockFinish<false, Activation::Relu>>(a, block);
    case Activation::Relu6:
      return scaled ? output_block<Writer, Partial, BlockFinish<true, Activation::Relu6>>(a, block)
                    : output_block<Writer, Partial, BlockFinish<false, Activation::Relu6>>(a, block);
  }
}

template <template <bool> class Writer>
void output_layout(const OutputTransformArgs& a) {
  // NCHW8C also owns the zero lanes of its last channel block.
  const int k_end = std::min(a.k_end, int(round_up(a.out_channels, 8)));
  for (int block = a.k_begin / 8; block * 8 < k_end; ++block) {
    if (block * 8 + 8 <= a.out_channels)
      output_block<Writer, false>(a, block);
    else
      output_block<Writer, true>(a, block);
  }
}

// A group's channels [offset, offset + channels) of a tensor as a tensor of
// their own, for the vector paths: NCHW planes and NHWC pixels start at the
// offset (NHWC keeps the tensor's pixel stride); NCHW8C only where the group
// starts a block and its blocks are its own: whole, or the tensor's last,
// whose +0 lanes are the tensor's padding (a partial block elsewhere would
// zero the next group's lanes on output). False: element by element.
template <class Args, class Ptr>
bool group_as_tensor(Args& a, Ptr& data, int channels, int height, int width) {
  if (a.tensor_channels <= 0 || a.tensor_channels == channels) return true;
  const size_t plane = size_t(height) * width;
  switch (a.layout) {
    case Layout::NCHW: data += size_t(a.channel_offset) * plane; break;
    case Layout::NHWC: data += a.channel_offset; break;
    case Layout::NCHW8C:
      if (a.channel_offset % 8 != 0 ||
          (channels % 8 != 0 && a.channel_offset + channels != a.tensor_channels))
        return false;
      data += size_t(a.channel_offset) * plane;  // whole blocks of 8 x plane
      break;
  }
  a.channel_offset = 0;
  if (a.layout != Layout::NHWC) a.tensor_channels = 0;
  return true;
}

}  // namespace

void gemm_input_transform_neon_fp16(const InputTransformArgs& args) {
  InputTransformArgs a = args;
  if (a.geometry.tap_channels % 8 != 0) {
    if (a.input_scale != 1.0f || a.channels > 32 || a.channels_padded > kPackedRowsMax)
      return gather_elements(args);
    return gather_packed(args);
  }
  if (!group_as_tensor(a, a.input, a.channels, a.height, a.width)) return gather_elements(args);
  if (pointwise_copy(a))
    return a.layout == Layout::NHWC ? gather_pointwise<Layout::NHWC>(a)
                                    : gather_pointwise<Layout::NCHW8C>(a);
  // Whole blocks in NHWC / NCHW8C per tile, except one block per tap at
  // stride 1, where the panel rows below cost less.
  if (a.layout != Layout::NCHW && a.channels % 8 == 0 && a.input_scale == 1.0f &&
      !(a.channels == 8 && a.geometry.stride_w == 1)) {
    switch (a.channels) {
      case 8: return gather_pixel_blocks<1>(a);
      case 16: return gather_pixel_blocks<2>(a);
      case 32: return gather_pixel_blocks<4>(a);
      case 64: return gather_pixel_blocks<8>(a);
      default: return gather_pixel_blocks<0>(a);
    }
  }
  if (a.input_scale != 1.0f) return gather<true>(a);
  gather<false>(a);
}

void gemm_output_transform_neon_fp16(const OutputTransformArgs& args) {
  OutputTransformArgs a = args;
  // Groups whose channels do not fill whole NCHW8C blocks: element by
  // element, which is the portable transform (FP32 M either way; the same
  // round-to-nearest-even conversion to FP16).
  if (!group_as_tensor(a, a.output, a.out_channels, a.out_h, a.out_w))
    return gemm_output_transform_portable(args);
  switch (a.layout) {
    case Layout::NCHW: return output_layout<NchwWriter>(a);
    case Layout::NHWC: return output_layout<NhwcWriter>(a);
    case Layout::NCHW8C: return output_layout<Nchw8cWriter>(a);
  }
}

}  // namespace hawc
