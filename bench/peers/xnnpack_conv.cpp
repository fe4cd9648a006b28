// XNNPACK peer: xnn_create_convolution2d_nhwc_f16 / _f32 and the matching
// xnn_setup_*, as declared by the installed xnnpack.h (Debian's 2022-02
// snapshot: setup takes batch, input size, buffers and the thread pool; there
// is no separate xnn_reshape_* in this API version). NHWC input, OHWI weights.
#include "bench/bench_runner.h"

#ifdef HAWC_BENCH_HAVE_XNNPACK

#include <cmath>
#include <mutex>

#include <pthreadpool.h>
#include <xnnpack.h>

namespace hawc_bench {
namespace {

const char* status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid_parameter";
    case xnn_status_invalid_state: return "invalid_state";
    case xnn_status_unsupported_parameter: return "unsupported_parameter";
    case xnn_status_unsupported_hardware: return "unsupported_hardware";
    case xnn_status_out_of_memory: return "out_of_memory";
  }
  return "unknown status";
}

xnn_status initialize() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  return status;
}

class XnnpackRunner : public Runner {
 public:
  explicit XnnpackRunner(bool fp16) : fp16_(fp16) {}
  ~XnnpackRunner() override {
    if (op_ != nullptr) xnn_delete_operator(op_);
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
  }

  Outcome setup(const Layer& l, const LayerData& ld, int threads, std::string* message) override {
    layer_ = l;
    const char* what = fp16_ ? "xnn_create_convolution2d_nhwc_f16" : "xnn_create_convolution2d_nhwc_f32";
    if (xnn_status s = initialize(); s != xnn_status_success) {
      *message = std::string("xnn_initialize: ") + status_name(s);
      return s == xnn_status_unsupported_hardware ? Outcome::Unsupported : Outcome::Failed;
    }
    if (threads > 1) {
      pool_ = pthreadpool_create(size_t(threads));
      if (pool_ == nullptr) {
        *message = "pthreadpool_create failed";
        return Outcome::Failed;
      }
    }
    // Weights K x C/groups x r x s (OIHW) -> OHWI, which for groups > 1 is
    // XNNPACK's [groups][K/groups][r][s][C/groups].
    const int gc = l.c / l.groups, gk = l.k / l.groups;
    const std::vector<uint16_t> w_ohwi = oihw_to_ohwi(ld.data.weights, l.k, gc, l.r, l.s);
    std::vector<uint16_t> bias_h = ld.data.bias;
    if (bias_h.empty()) bias_h.assign(size_t(l.k), 0);
    const size_t out_count = size_t(l.n) * l.out_h() * l.out_w() * l.k;
    xnn_status s;
    if (fp16_) {
      in_h_ = ld.data.input;  // already FP16 NHWC
      out_h_.assign(out_count, 0x7e00);  // NaN: an unwritten output shows up
      // Padding in XNNPACK's order: top, right, bottom, left.
      s = xnn_create_convolution2d_nhwc_f16(
          l.pad, l.pad_w, l.pad, l.pad_w, l.r, l.s, l.stride, l.stride, /*dilation=*/1, 1,
          l.groups, /*group_input_channels=*/gc, /*group_output_channels=*/gk,
          /*input_channel_stride=*/l.c, /*output_channel_stride=*/l.k, w_ohwi.data(),
          bias_h.data(), -INFINITY, INFINITY, /*flags=*/0, &op_);
    } else {
      in_f_ = fp16_to_float(ld.data.input);
      out_f_.assign(out_count, NAN);
      const std::vector<float> wf = fp16_to_float(w_ohwi), bf = fp16_to_float(bias_h);
      s = xnn_create_convolution2d_nhwc_f32(l.pad, l.pad_w, l.pad, l.pad_w, l.r, l.s, l.stride,
                                            l.stride, 1, 1, l.groups, gc, gk, l.c, l.k, wf.data(),
                                            bf.data(), -INFINITY, INFINITY, 0, &op_);
    }
    if (s != xnn_status_success) {
      *message = std::string(what) + ": " + status_name(s);
      return s == xnn_status_unsupported_hardware || s == xnn_status_unsupported_parameter
                 ? Outcome::Unsupported
                 : Outcome::Failed;
    }
    s = fp16_ ? xnn_setup_convolution2d_nhwc_f16(op_, l.n, l.h, l.w, in_h_.data(), out_h_.data(), pool_)
              : xnn_setup_convolution2d_nhwc_f32(op_, l.n, l.h, l.w, in_f_.data(), out_f_.data(), pool_);
    if (s != xnn_status_success) {
      *message = std::string("xnn_setup_convolution2d_nhwc_") + (fp16_ ? "f16: " : "f32: ") +
                 status_name(s);
      return Outcome::Failed;
    }
    return Outcome::Ok;
  }

  bool run(std::string* message) override {
    if (xnn_status s = xnn_run_operator(op_, pool_); s != xnn_status_success) {
      *message = std::string("xnn_run_operator: ") + status_name(s);
      return false;
    }
    return true;
  }

  std::vector<float> output_nchw() const override {
    const Layer& l = layer_;
    return fp16_ ? nhwc_to_nchw(out_h_.data(), l.n, l.k, l.out_h(), l.out_w())
                 : nhwc_to_nchw(out_f_.data(), l.n, l.k, l.out_h(), l.out_w());
  }

  std::string algorithm() const override {
    return fp16_ ? "convolution2d_nhwc_f16" : "convolution2d_nhwc_f32";
  }

 private:
  bool fp16_;
  Layer layer_{};
  xnn_operator_t op_ = nullptr;
  pthreadpool_t pool_ = nullptr;
  std::vector<uint16_t> in_h_, out_h_;
  std::vector<float> in_f_, out_f_;
};

}  // namespace

std::unique_ptr<Runner> make_xnnpack_runner(bool fp16) {
  return std::make_unique<XnnpackRunner>(fp16);
}

std::string xnnpack_status() {
  const xnn_status s = initialize();
  return std::string("XNNPACK (Debian 2022-02 snapshot API): xnn_initialize ") + status_name(s);
}

}  // namespace hawc_bench

#else  // !HAWC_BENCH_HAVE_XNNPACK

namespace hawc_bench {
std::unique_ptr<Runner> make_xnnpack_runner(bool) { return nullptr; }
std::string xnnpack_status() { return "XNNPACK: not built (xnnpack.h / libXNNPACK not found)"; }
}  // namespace hawc_bench

#endif
