#include "tests/support/conv_check.h"

#include <cmath>
#include <random>

#include "src/fp16.h"

namespace hawc_test {
namespace {

size_t layout_elements(int n, int c, int h, int w, hawc_layout layout) {
  const size_t cc = layout == HAWC_LAYOUT_NCHW8C ? (size_t(c) + 7) / 8 * 8 : size_t(c);
  return size_t(n) * cc * h * w;
}

size_t layout_index(int c_total, int h, int w, hawc_layout layout, int n, int c, int y, int x) {
  switch (layout) {
    case HAWC_LAYOUT_NHWC: return ((size_t(n) * h + y) * w + x) * c_total + c;
    case HAWC_LAYOUT_NCHW8C: {
      const size_t blocks = (size_t(c_total) + 7) / 8;
      return (((size_t(n) * blocks + c / 8) * h + y) * w + x) * 8 + c % 8;
    }
    default: return ((size_t(n) * c_total + c) * h + y) * w + x;
  }
}

std::vector<float> to_float(const std::vector<uint16_t>& v) {
  std::vector<float> f(v.size());
  for (size_t i = 0; i < v.size(); ++i) f[i] = hawc::fp16_to_fp32(v[i]);
  return f;
}

hawc_ref::Activation ref_activation(hawc_activation a) {
  return a == HAWC_ACTIVATION_RELU    ? hawc_ref::Activation::Relu
         : a == HAWC_ACTIVATION_RELU6 ? hawc_ref::Activation::Relu6
                                      : hawc_ref::Activation::None;
}

}  // namespace

std::vector<uint16_t> nchw_to_layout(const std::vector<float>& nchw, int n, int c, int h, int w,
                                     hawc_layout layout) {
  std::vector<uint16_t> out(layout_elements(n, c, h, w, layout), 0);
  for (int in = 0; in < n; ++in)
    for (int ic = 0; ic < c; ++ic)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          out[layout_index(c, h, w, layout, in, ic, y, x)] =
              hawc::fp32_to_fp16(nchw[((size_t(in) * c + ic) * h + y) * w + x]);
  return out;
}

std::vector<float> layout_to_nchw(const uint16_t* data, int n, int c, int h, int w,
                                  hawc_layout layout) {
  std::vector<float> out(size_t(n) * c * h * w);
  for (int in = 0; in < n; ++in)
    for (int ic = 0; ic < c; ++ic)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          out[((size_t(in) * c + ic) * h + y) * w + x] =
              hawc::fp16_to_fp32(data[layout_index(c, h, w, layout, in, ic, y, x)]);
  return out;
}

hawc_conv2d_params params_for(const ConvCase& c) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = c.shape.in_channels;
  p.out_channels = c.shape.out_channels;
  p.kernel_h = c.shape.kernel_h;
  p.kernel_w = c.shape.kernel_w;
  p.pad_top = c.shape.pad_top;
  p.pad_left = c.shape.pad_left;
  p.pad_bottom = c.shape.pad_bottom;
  p.pad_right = c.shape.pad_right;
  p.stride_h = c.shape.stride_h;
  p.stride_w = c.shape.stride_w;
  p.dilation_h = c.shape.dilation_h;
  p.dilation_w = c.shape.dilation_w;
  p.groups = c.shape.groups;
  p.layout = c.layout;
  p.activation = c.activation;
  p.algorithm = c.algorithm;
  p.precision = c.precision;
  return p;
}

ConvData make_conv_inputs(const ConvCase& c) {
  const hawc_ref::ConvShape& s = c.shape;
  std::mt19937 rng(c.seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  ConvData d;
  std::vector<float> input(size_t(s.batch) * s.in_channels * s.in_h * s.in_w);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& v : input)
    v = (c.input_distribution == Distribution::Uniform ? uniform(rng) : normal(rng)) *
        c.input_scale;
  d.input = nchw_to_layout(input, s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
  const float he = c.weight_distribution == Distribution::Uniform
                       ? c.weight_scale
                       : std::sqrt(2.0f / float(s.in_channels / s.groups * s.kernel_h * s.kernel_w)) *
                             c.weight_scale;
  d.weights.resize(size_t(s.out_channels) * (s.in_channels / s.groups) * s.kernel_h * s.kernel_w);
  for (uint16_t& v : d.weights)
    v = hawc::fp32_to_fp16(
        (c.weight_distribution == Distribution::Uniform ? uniform(rng) : normal(rng)) * he);
  if (c.bias) {
    d.bias.resize(s.out_channels);
    for (uint16_t& v : d.bias) v = hawc::fp32_to_fp16(normal(rng) * 0.1f);
  }
  d.output_elements = layout_elements(s.batch, s.out_channels, s.out_h(), s.out_w(), c.layout);
  return d;
}

void compute_reference(const ConvCase& c, ConvData* d) {
  const hawc_ref::ConvShape& s = c.shape;
  const std::vector<float> input =
      layout_to_nchw(d->input.data(), s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
  d->reference = hawc_ref::conv2d_reference(s, input, to_float(d->weights), to_float(d->bias),
                                            ref_activation(c.activation));
}

ConvData make_conv_data(const ConvCase& c) {
  ConvData d = make_conv_inputs(c);
  compute_reference(c, &d);
  return d;
}

double relative_max_error(const std::vector<float>& out, const std::vector<float>& ref) {
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(out[i]) && std::isfinite(ref[i])) return INFINITY;
    max_ref = std::max(max_ref, std::fabs(double(ref[i])));
    max_err = std::max(max_err, std::fabs(double(out[i]) - double(ref[i])));
  }
  return max_ref > 0 ? max_err / max_ref : max_err;
}

double run_and_compare(hawc_conv2d* conv, const ConvCase& c, const ConvData& d, int threads,
                       std::vector<uint16_t>* output) {
  const hawc_ref::ConvShape& s = c.shape;
  std::vector<uint16_t> out(d.output_elements, 0x7e00);  // NaN: catches unwritten outputs
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = threads;
  if (hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, d.input.data(), out.data(), &o) !=
      HAWC_STATUS_SUCCESS)
    return -1.0;
  const std::vector<float> nchw =
      layout_to_nchw(out.data(), s.batch, s.out_channels, s.out_h(), s.out_w(), c.layout);
  if (c.layout == HAWC_LAYOUT_NCHW8C)  // padding lanes must be written as +0
    for (int n = 0; n < s.batch; ++n)
      for (int k = s.out_channels; k < (s.out_channels + 7) / 8 * 8; ++k)
        for (int y = 0; y < s.out_h(); ++y)
          for (int x = 0; x < s.out_w(); ++x)
            if (out[layout_index(s.out_channels, s.out_h(), s.out_w(), c.layout, n, k, y, x)] != 0)
              return INFINITY;
  if (output != nullptr) *output = out;
  return relative_max_error(nchw, d.reference);
}

}  // namespace hawc_test
