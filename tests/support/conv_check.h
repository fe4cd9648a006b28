// Test and benchmark support: random layers in FP16, layout conversion, the
// FP32 reference on the FP16-rounded data, and the error metric.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hawc/hawc.h"
#include "tests/reference/conv2d_reference.h"

namespace hawc_test {

enum class Distribution { Normal, Uniform };

struct ConvCase {
  hawc_ref::ConvShape shape;
  hawc_layout layout = HAWC_LAYOUT_NCHW;
  hawc_activation activation = HAWC_ACTIVATION_NONE;
  hawc_algorithm algorithm = HAWC_ALGORITHM_AUTO;
  hawc_precision precision = HAWC_PRECISION_HIGH;
  bool bias = true;
  uint32_t seed = 1;
  // Normal: inputs ~ N(0, 1) x input_scale, weights ~ N(0, 2 / (9 C)) (He)
  // x weight_scale. Uniform: U[-1, 1] x the scale, for both.
  float input_scale = 1.0f;
  float weight_scale = 1.0f;
  Distribution input_distribution = Distribution::Normal;
  Distribution weight_distribution = Distribution::Normal;
};

struct ConvData {
  std::vector<uint16_t> input;    // FP16, in the case's layout
  std::vector<uint16_t> weights;  // FP16, OIHW; He-scaled N(0, 2 / (9 C))
  std::vector<uint16_t> bias;     // FP16, K values (empty without bias)
  std::vector<float> reference;   // FP32 direct convolution, NCHW
  size_t output_elements = 0;     // of the hawc output in the case's layout
};

// Random data (deterministic in seed) and the reference result.
ConvData make_conv_data(const ConvCase& c);
// Random data only; reference left empty (for large benchmark layers).
ConvData make_conv_inputs(const ConvCase& c);
void compute_reference(const ConvCase& c, ConvData* d);

hawc_conv2d_params params_for(const ConvCase& c);

std::vector<uint16_t> nchw_to_layout(const std::vector<float>& nchw, int n, int c, int h, int w,
                                     hawc_layout layout);
std::vector<float> layout_to_nchw(const uint16_t* data, int n, int c, int h, int w,
                                  hawc_layout layout);

// max |out - ref| / max |ref| (infinite when out has a NaN or Inf the reference lacks).
double relative_max_error(const std::vector<float>& out, const std::vector<float>& ref);

// Runs `conv` on the case's data and returns the error against the reference,
// or a negative value when a call fails. threads: hawc_run_options.num_threads.
double run_and_compare(hawc_conv2d* conv, const ConvCase& c, const ConvData& d, int threads = 1,
                       std::vector<uint16_t>* output = nullptr);

}  // namespace hawc_test
