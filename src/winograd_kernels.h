// The three kernel families of the Winograd pipeline and the packed layouts
// through which they hand data to each other. A kernel set (portable or NEON
// FP16) implements all three for one variant; the driver (winograd_conv.cpp)
// only moves blocks of tiles through them.
//
// Packed layouts (P = alpha^2 Winograd points; Cp, Kp = channel counts rounded
// up to 8, the padding channels hold zeros). V and U are FP16 for the NEON FP16
// kernels (WinogradKernels::v_element_size, u_element_size; U is FP32 for the
// FP32-summing F(4x4) set below 64 channels) and M is FP32 for all sets
// (m_element_size): the GEMM sums in FP32 anyway, and rounding M to FP16
// before the output transform's cancellations was the largest single error
// term of F(4x4,3x3). The portable kernels keep everything in FP32: they are
// the accuracy reference and the fallback on CPUs without FP16 arithmetic.
//   U  filter, per point p at p * Cp * Kp: panels of kGemmNR output channels
//      (the last one 8 wide when Kp % 16 == 8); panel j at j * kGemmNR * Cp,
//      inside it [c][nr]. Made once by winograd_filter_transform.
//   V  transformed input of a block of T tiles, per point at p * v_point_stride:
//      panels of kGemmMR tiles; panel i at i * kGemmMR * Cp, inside it
//      [c / 8][mr][8] with mr = tiles in that panel (the last may be < kGemmMR).
//      The GEMM reads 8 channels of one tile as one vector and uses its lanes
//      by element, so the input transform can write channel vectors directly.
//   M  GEMM result of the block, per point at p * m_point_stride: [tile][Kp].
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>

#include "src/conv2d_types.h"

namespace hawc {

constexpr int kGemmMR = 8;   // tiles per GEMM micro-tile
constexpr int kGemmNR = 16;  // output channels per GEMM micro-tile

// By default a V block starts a panel and its panels hold kGemmMR tiles (the
// last one the rest). The phased schedule also cuts one panel's tiles over
// several threads: then v points at the panel, which holds `tiles` tiles, and
// the args' tiles start at its tile `first` (first + count <= tiles).
struct VPanelPart {
  int tiles = 0;  // 0: not a part
  int first = 0;
};

// Where the args' tile lt (0-based) lives in a V block: element (c) of it is at
// v + offset + (c / 8) * panel_tiles * 8 + c % 8.
struct VTileSlot {
  size_t offset;
  int panel_tiles;
};
inline VTileSlot v_tile_slot(int lt, int tile_count, int channels_padded, VPanelPart part) {
  if (part.tiles > 0) return {size_t(part.first + lt) * 8, part.tiles};
  const int panel_begin = lt / kGemmMR * kGemmMR;
  return {size_t(panel_begin) * channels_padded + size_t(lt - panel_begin) * 8,
          tile_count - panel_begin < kGemmMR ? tile_count - panel_begin : kGemmMR};
}

struct InputTransformArgs {
  const uint16_t* input;  // one image in `layout`, FP16
  Layout layout;
  int channels, height, width;
  int pad_top, pad_left;
  int tiles_w;                 // tiles per row of the output
  int tile_begin, tile_count;  // row-major tile range of the image
  int channels_padded;         // Cp
  void* v;
  size_t v_point_stride;  // in elements
  // Channels to transform: [channel_begin, min(channel_end, Cp)), both
  // multiples of 8, so that few-tile layers can spread one tile's channels
  // over several threads.
  int channel_begin = 0, channel_end = INT_MAX;
  // Part of one V panel (see VPanelPart).
  VPanelPart v_part = {};
  // Gemm: the receptive field of each tile (one output pixel) and the V
  // row's layout (src/conv2d_types.h); tiles_w is the output's width, and
  // channels_padded and the channel range count V row elements.
  ConvGeometry geometry = {};
  // Gemm, grouped convolution: the call reads input channels
  // [channel_offset, channel_offset + channels) of a tensor of
  // tensor_channels channels (0: channels, no groups).
  int channel_offset = 0, tensor_channels = 0;
  // FP16 range scaling (src/range_scaling.h): a power of two that multiplies
  // every input pixel before the transform, exactly (V = B^T (s d) B). 1 for
  // data in the kernels' comfortable range; the kernels may take a slower
  // path otherwise.
  float input_scale = 1.0f;
};

struct GemmArgs {
  const void* v;
  size_t v_point_stride;
  const void* u;  // point stride Cp * Kp
  void* m;
  size_t m_point_stride;
  int tiles;  // T
  int channels_padded, out_channels_padded;
  int point_begin, point_end;
  // Output channels to compute: [k_begin, min(k_end, Kp)); k_begin is a
  // multiple of kGemmNR, k_end one too or >= Kp.
  int k_begin = 0, k_end = INT_MAX;
  // Part of one V panel (see VPanelPart).
  VPanelPart v_part = {};
  // The real input channels (0: Cp). Channels from here to Cp are zero
  // padding in V and U, which a kernel may skip.
  int channels = 0;
};

struct OutputTransformArgs {
  const void* m;
  size_t m_point_stride;
  int out_channels_padded;  // Kp
  uint16_t* output;         // one image in `layout`, FP16
  Layout layout;
  int out_channels, out_h, out_w;
  int tiles_w;
  int tile_begin, tile_count;
  const float* bias_f32;     // Kp values (zeros without bias)
  const uint16_t* bias_f16;  // the same, FP16
  Activation activation;
  // Output channels to write: [k_begin, min(k_end, Kp)), multiples of 8
  // (NCHW8C's zero lanes belong to the block that holds them).
  int k_begin = 0, k_end = INT_MAX;
  // FP16 range scaling: a power of two that multiplies M (in FP32, exactly)
  // before the transform: Y = A^T (s M) A + bias. It undoes the scales of
  // the packed filter and of input_scale.
  float m_scale = 1.0f;
  // Gemm, grouped convolution: M's out_channels columns are output channels
  // [channel_offset, channel_offset + out_channels) of a tensor of
  // tensor_channels channels (0: out_channels, no groups). In NCHW8C the
  // call that writes the tensor's last channel also writes the padding
  // lanes after it (+0).
  int channel_offset = 0, tensor_channels = 0;
};

struct WinogradKernels {
  const char* name;
  size_t v_element_size;  // bytes of a V element: 2 (FP16) or 4 (FP32)
  size_t u_element_size;  // bytes of a U element: 2 (FP16) or 4 (FP32)
  size_t m_element_size;  // bytes of an M element: 4 (FP32)
  void (*input_transform)(const InputTransformArgs&);
  void (*gemm)(const GemmArgs&);
  void (*output_transform)(const OutputTransformArgs&);
  // For sets whose V and U are FP16: the input scan of FP16 range scaling
  // (src/range_scaling.h, kernels/fp16_max_abs.h). nullptr: FP32 V and U
  // need no scaling, the driver passes scales of 1.
  uint16_t (*max_finite_abs)(const uint16_t* p, size_t n, int lanes) = nullptr;
};

// Portable C++ kernels: FP16 storage, FP32 arithmetic. Any host.
const WinogradKernels& portable_winograd_kernels(Variant v);

// NEON FP16 kernels for a layer of `channels` input channels at a precision
// level, or nullptr when the library was built without them. Only call them
// on a CPU with FP16 arithmetic, and the fhm set only with FEAT_FHM (see
// cpu_features.h). At HIGH, F(4x4) below kF4x3F32SumsBelowChannels input
// channels gets the GEMM that sums in FP32 (gemm.h).
constexpr int kF4x3F32SumsBelowChannels = 64;
constexpr int kFastKernelsFromChannels = 64;
const WinogradKernels* neon_fp16_winograd_kernels(Variant v, int channels, Precision precision,
                                                  bool fhm);
inline bool neon_fp16_kernels_built() {
  return neon_fp16_winograd_kernels(Variant::F2x3, 0, Precision::High, false) != nullptr;
}

// Filter transform in FP32 into the packed U layout.
// weights: K x C x 3 x 3 FP16 (OIHW); u: P * Cp * Kp values.
void winograd_filter_transform(Variant v, const uint16_t* weights, int channels, int out_channels,
                               float* u);
// The Gemm pipeline's U: the weights (K x C x kernel_h x kernel_w FP16) in
// FP32, rows ordered as the gather writes V (ConvGeometry), in the same
// panels; u: gemm_reduction(g) * Kp values.
void gemm_filter_pack(const ConvGeometry& g, const uint16_t* weights, int channels,
                      int out_channels, float* u);

inline size_t v_panel_offset(int tile, int channels_padded) {
  return size_t(tile / kGemmMR) * kGemmMR * size_t(channels_padded);
}

}  // namespace hawc
