// What hawc_bench runs: one convolution layer, its shared data (FP16 inputs,
// weights, bias and the FP32 reference), and one "runner" per implementation
// (hawc, oneDNN, XNNPACK) that creates the operator once, runs it, and hands
// its output back as NCHW floats for the accuracy check.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/conv_check.h"

namespace hawc_bench {

// One row of a suite file (bench/layers/README.md): r x s kernel (height x
// width), one stride for both axes, pad rows above and below, pad_w columns
// left and right, weights K x C/groups x r x s, and how often the layer
// occurs in its network (count: a weight for network totals; it runs once).
struct Layer {
  std::string name;
  int n = 1, c = 1, h = 1, w = 1, k = 1, r = 1, s = 1, stride = 1;
  int pad = 0;     // top and bottom
  int pad_w = 0;   // left and right (the 10-field form: = pad)
  int groups = 1;  // > 1: grouped convolution
  int count = 1;   // occurrences in the network
  int out_h() const { return (h + 2 * pad - r) / stride + 1; }
  int out_w() const { return (w + 2 * pad_w - s) / stride + 1; }
  // Direct-convolution FLOPs: 2 * N * K * (C / groups) * R * S * Ho * Wo (one
  // occurrence: count is not applied).
  double flops() const {
    return 2.0 * n * k * (c / groups) * r * s * double(out_h()) * double(out_w());
  }
};

// Shared by every implementation of one layer. The input is FP16 in NHWC
// (hawc and XNNPACK take it as is; oneDNN and the FP32 peers convert it), the
// weights FP16 OIHW, the reference FP32 NCHW on the same FP16-rounded values.
struct LayerData {
  hawc_test::ConvCase conv_case;
  hawc_test::ConvData data;
};

enum class Outcome {
  Ok,
  Unsupported,  // this implementation does not do this layer / CPU: not an error
  Failed        // a call failed: counts as a wrong result
};

class Runner {
 public:
  virtual ~Runner() = default;
  // Creates the operator (weights transformed, packed, reordered) and every
  // buffer the timed run needs. On failure *message says why.
  virtual Outcome setup(const Layer& layer, const LayerData& data, int threads,
                        std::string* message) = 0;
  // One convolution, the timed part. False (and *message) when a call fails.
  virtual bool run(std::string* message) = 0;
  // The output of the last run as NCHW floats.
  virtual std::vector<float> output_nchw() const = 0;
  // Refills the output buffer with NaN, so that a later run which writes
  // nothing fails the check (hawc_bench --profile calls it between the warm-up
  // and the counted run). Default: nothing.
  virtual void clear_output() {}
  // What ran: the variant / kernel the library picked (after setup).
  virtual std::string algorithm() const = 0;
};

// The peers; each returns nullptr when the library was not built in.
std::unique_ptr<Runner> make_onednn_runner(bool fp16);
std::unique_ptr<Runner> make_xnnpack_runner(bool fp16);
// ncnn's FP16 Convolution layer; variant: "auto", "f63", "f43", "f23" (only
// that Winograd variant enabled) or "direct" (Winograd off).
std::unique_ptr<Runner> make_ncnn_runner(const std::string& variant);
// One line about the peer for the run header, e.g. the version, and whether
// oneDNN accepts an f16 convolution on this CPU at run time.
std::string onednn_status();
std::string xnnpack_status();
std::string ncnn_status();

// OIHW FP16 weights -> OHWI (XNNPACK's layout), optionally to float.
std::vector<uint16_t> oihw_to_ohwi(const std::vector<uint16_t>& w, int k, int c, int r, int s);
std::vector<float> fp16_to_float(const std::vector<uint16_t>& v);
// NHWC buffer of n x c x h x w (FP16 bits or floats) -> NCHW floats.
std::vector<float> nhwc_to_nchw(const uint16_t* v, int n, int c, int h, int w);
std::vector<float> nhwc_to_nchw(const float* v, int n, int c, int h, int w);

}  // namespace hawc_bench
