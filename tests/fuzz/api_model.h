// An independent model of hawc.h's argument rules: which status create and
// run must return for given arguments. Shared by tests/test_property.cpp and
// the libFuzzer target (tests/fuzz/fuzz_conv2d.cpp).
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hawc/hawc.h"

namespace hawc_model {

// Interesting int32 values for garbage size, padding and thread-count fields:
// both ends of the range, small values around the rules' edges and powers of
// two where products overflow.
inline constexpr int32_t kInterestingInt32[] = {INT32_MIN, INT32_MIN + 1,
                                                -65536,    -3,
                                                -2,        -1,
                                                0,         1,
                                                2,         3,
                                                4,         5,
                                                7,         8,
                                                9,         17,
                                                64,        1 << 16,
                                                1 << 20,   1 << 21,
                                                1 << 27,   INT32_MAX - 1,
                                                INT32_MAX};
inline constexpr int kInterestingInt32Count = sizeof kInterestingInt32 / sizeof(int32_t);

using u128 = unsigned __int128;
// Largest tensor or buffer hawc accepts (pointer differences must be valid).
constexpr u128 kMaxBytes = u128(PTRDIFF_MAX);
// No allocation this large can succeed anywhere (beyond a 48-bit user address
// space): create must then return HAWC_STATUS_OUT_OF_MEMORY.
constexpr u128 kImpossibleBytes = u128(1) << 48;

// An enum field as the int a C caller stored in it.
template <typename Enum>
int32_t get_raw(const Enum& field) {
  int32_t v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}
template <typename Enum>
void set_raw(Enum* field, int32_t v) {
  std::memcpy(field, &v, sizeof v);
}

// hawc_conv2d_create with non-NULL pointers: invalid values first, then what
// is valid but not implemented, then sizes beyond the address space.
// The kernel's extent along one axis, (kernel - 1) * dilation + 1.
inline int64_t extent(int32_t kernel, int32_t dilation) { return int64_t(kernel - 1) * dilation + 1; }

// Whether Winograd F(m x m, 3 x 3) runs the shape (else the GEMM does).
inline bool winograd_shape(const hawc_conv2d_params& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 &&
         p.dilation_h == 1 && p.dilation_w == 1 && p.groups == 1;
}

inline hawc_status create_status(const hawc_conv2d_params& p) {
  const int32_t layout = get_raw(p.layout), act = get_raw(p.activation),
                algo = get_raw(p.algorithm), precision = get_raw(p.precision);
  if (p.in_channels < 1 || p.out_channels < 1 || p.kernel_h < 1 || p.kernel_w < 1 ||
      p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 || p.dilation_w < 1 || p.groups < 1 ||
      p.pad_top < 0 || p.pad_left < 0 || p.pad_bottom < 0 || p.pad_right < 0 ||
      p.in_channels % p.groups != 0 || p.out_channels % p.groups != 0 || layout < 0 ||
      layout > 2 || act < 0 || act > 2 || algo < 0 || algo > 4 || precision < 0 || precision > 1)
    return HAWC_STATUS_INVALID_PARAMETER;
  // Implemented: kernels 1..7, strides 1..2, dilations 1..8, padding inside
  // the extent, groups of more than one input channel (not depthwise);
  // Winograd only for its shape.
  const int64_t eh = extent(p.kernel_h, p.dilation_h), ew = extent(p.kernel_w, p.dilation_w);
  if (p.kernel_h > 7 || p.kernel_w > 7 || p.stride_h > 2 || p.stride_w > 2 || p.dilation_h > 8 ||
      p.dilation_w > 8 || p.pad_top >= eh || p.pad_bottom >= eh || p.pad_left >= ew ||
      p.pad_right >= ew || (p.groups > 1 && p.in_channels == p.groups) ||
      (algo != HAWC_ALGORITHM_AUTO && algo != HAWC_ALGORITHM_GEMM && !winograd_shape(p)))
    return HAWC_STATUS_UNSUPPORTED_PARAMETER;
  const u128 cp = (u128(p.in_channels) + 7) / 8 * 8, kp = (u128(p.out_channels) + 7) / 8 * 8;
  const u128 taps = u128(p.kernel_h) * u128(p.kernel_w);
  if (u128(p.in_channels) * u128(p.out_channels) * taps * 2 > kMaxBytes ||
      cp * kp * 64 * 2 > kMaxBytes ||
      ((!winograd_shape(p) || algo == HAWC_ALGORITHM_GEMM) && cp * taps > u128(INT_MAX / 2)))
    return HAWC_STATUS_INVALID_PARAMETER;
  return HAWC_STATUS_SUCCESS;
}

// The smallest buffer a successful create must allocate: FP16 U of F(2x2)
// for Winograd shapes, at least the weights in FP16 for the GEMM.
inline u128 min_packed_bytes(const hawc_conv2d_params& p) {
  const u128 cp = (u128(p.in_channels) + 7) / 8 * 8, kp = (u128(p.out_channels) + 7) / 8 * 8;
  if (winograd_shape(p) && get_raw(p.algorithm) != HAWC_ALGORITHM_GEMM) return cp * kp * 16 * 2;
  return u128(p.in_channels / p.groups) * u128(p.out_channels) * u128(p.kernel_h) *
         u128(p.kernel_w) * 2;
}

struct Run {
  hawc_status status = HAWC_STATUS_INVALID_PARAMETER;
  u128 in_bytes = 0, out_bytes = 0;  // when the shape is valid
};

// hawc_conv2d_run's shape rules (and hawc_conv2d_workspace_size's) for an
// object created with `p` running tiles of m x m outputs (tile_size),
// non-NULL pointers.
inline Run run_status(const hawc_conv2d_params& p, int m, int32_t batch, int32_t h, int32_t w,
                      int32_t threads) {
  Run r;
  if (batch < 1 || threads < 0 || h < 1 || w < 1) return r;
  // Sides up to INT32_MAX - 256: a tile's patch past the image still fits in int.
  if (h > INT32_MAX - 256 || w > INT32_MAX - 256) return r;
  const int64_t span_h = int64_t(h) + p.pad_top + p.pad_bottom - extent(p.kernel_h, p.dilation_h);
  const int64_t span_w = int64_t(w) + p.pad_left + p.pad_right - extent(p.kernel_w, p.dilation_w);
  if (span_h < 0 || span_w < 0) return r;
  const int64_t oh = span_h / p.stride_h + 1, ow = span_w / p.stride_w + 1;
  if (oh > INT32_MAX || ow > INT32_MAX) return r;
  const bool blocked = get_raw(p.layout) == HAWC_LAYOUT_NCHW8C;
  const u128 ic = blocked ? (u128(p.in_channels) + 7) / 8 * 8 : u128(p.in_channels);
  const u128 kc = blocked ? (u128(p.out_channels) + 7) / 8 * 8 : u128(p.out_channels);
  r.in_bytes = u128(batch) * ic * u128(h) * u128(w) * 2;
  r.out_bytes = u128(batch) * kc * u128(oh) * u128(ow) * 2;
  const u128 tiles = u128((oh + m - 1) / m) * u128((ow + m - 1) / m);
  if (r.in_bytes > kMaxBytes || r.out_bytes > kMaxBytes || tiles > u128(INT_MAX)) return r;
  r.status = HAWC_STATUS_SUCCESS;
  return r;
}

inline bool overlaps(const void* a, u128 a_bytes, const void* b, u128 b_bytes) {
  const u128 x = uintptr_t(a), y = uintptr_t(b);
  return x < y + b_bytes && y < x + a_bytes;
}

// Outputs per tile side: m of F(m x m, 3 x 3); the GEMM's tile is a pixel.
inline int tile_size(hawc_algorithm a) {
  return a == HAWC_ALGORITHM_WINOGRAD_F2X3   ? 2
         : a == HAWC_ALGORITHM_WINOGRAD_F4X3 ? 4
         : a == HAWC_ALGORITHM_GEMM          ? 1
                                             : 6;
}

}  // namespace hawc_model
