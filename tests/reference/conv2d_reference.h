// The test oracle: direct 2-D convolution in FP32 (double accumulation) on
// NCHW float tensors. Deliberately the simplest possible loop nest.
#pragma once

#include <vector>

namespace hawc_ref {

struct ConvShape {
  int batch, in_channels, out_channels, in_h, in_w;
  int kernel_h = 3, kernel_w = 3;
  int pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;  // weights: out_channels x (in_channels / groups) x kh x kw
  int extent_h() const { return (kernel_h - 1) * dilation_h + 1; }
  int extent_w() const { return (kernel_w - 1) * dilation_w + 1; }
  int out_h() const { return (in_h + pad_top + pad_bottom - extent_h()) / stride_h + 1; }
  int out_w() const { return (in_w + pad_left + pad_right - extent_w()) / stride_w + 1; }
};

enum class Activation { None, Relu, Relu6 };

// input: N x C x H x W; weights: K x C/groups x kh x kw; bias: K values or
// empty. Output channel k of group g = k / (K / groups) sees input channels
// [g * C / groups, (g + 1) * C / groups).
std::vector<float> conv2d_reference(const ConvShape& s, const std::vector<float>& input,
                                    const std::vector<float>& weights,
                                    const std::vector<float>& bias, Activation act);

}  // namespace hawc_ref
