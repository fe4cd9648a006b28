// The Gemm pipeline's transforms (Variant::Gemm, src/conv2d_types.h): the
// input side gathers each output pixel's receptive field into V (implicit
// im2col; for a 1x1 stride-1 layer a copy), the output side adds bias and
// activation to M and stores FP16. Layout contracts: src/winograd_kernels.h.
#pragma once

#include "src/winograd_kernels.h"

namespace hawc {

// Where tile t's receptive field starts: tap (i, j) reads input pixel
// (y0 + i * dilation_h, x0 + j * dilation_w).
struct ReceptiveField {
  int y0, x0;
};
inline ReceptiveField receptive_field(const InputTransformArgs& a, int t) {
  const ConvGeometry& g = a.geometry;
  return {(t / a.tiles_w) * g.stride_h - a.pad_top, (t % a.tiles_w) * g.stride_w - a.pad_left};
}

// The receptive fields of consecutive tiles from tile t on, without a
// division per tile: the output pixel walks along its row.
class ReceptiveFieldWalk {
 public:
  ReceptiveFieldWalk(const InputTransformArgs& a, int t)
      : a_(a), oy_(t / a.tiles_w), ox_(t % a.tiles_w) {}
  ReceptiveField operator*() const {
    return {oy_ * a_.geometry.stride_h - a_.pad_top, ox_ * a_.geometry.stride_w - a_.pad_left};
  }
  void next() {
    if (++ox_ == a_.tiles_w) ox_ = 0, ++oy_;
  }

 private:
  const InputTransformArgs& a_;
  int oy_, ox_;
};

// NCHW8C owns +0 lanes after the tensor's last channel; they belong to the
// block of that channel: the call that writes it writes them at pixel (y, x).
inline void write_nchw8c_padding_lanes(const OutputTransformArgs& a, int y, int x) {
  const int tensor_channels = a.tensor_channels > 0 ? a.tensor_channels : a.out_channels;
  const int last = a.out_channels - 1;  // of this call's channels
  if (a.layout != Layout::NCHW8C || a.channel_offset + a.out_channels != tensor_channels ||
      last < a.k_begin || last >= a.k_end)
    return;
  for (int k = tensor_channels; k % 8 != 0; ++k)
    a.output[tensor_offset(a.layout, tensor_channels, a.out_h, a.out_w, k, y, x)] = 0;
}

// Portable: FP32 V and M; the reference for the NEON kernels.
void gemm_input_transform_portable(const InputTransformArgs& a);
void gemm_output_transform_portable(const OutputTransformArgs& a);

// NEON FP16: FP16 V, FP32 M. Only on a CPU with FP16 arithmetic; built when
// HAWC_HAVE_NEON_FP16.
void gemm_input_transform_neon_fp16(const InputTransformArgs& a);
void gemm_output_transform_neon_fp16(const OutputTransformArgs& a);

}  // namespace hawc
