// oneDNN peer: convolution_forward (inference, convolution_auto) in f32, or in
// f16 where this oneDNN build and CPU have an f16 implementation. Source and
// weights are handed over in plain NCHW / OIHW and reordered, outside the
// timed run, to the layout the primitive prefers (format_tag::any).
#include "bench/bench_runner.h"

#ifdef HAWC_BENCH_HAVE_ONEDNN

#include <cmath>
#include <cstring>

#include "oneapi/dnnl/dnnl.hpp"
#include "src/fp16.h"

namespace hawc_bench {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpu_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// Weights dims: OIHW {K, C, r, s}, or for groups > 1 GOIHW {g, K/g, C/g, r, s}
// (the same memory as OIHW with C/g input channels, LayerData's order).
memory::dims weight_dims(const Layer& l) {
  if (l.groups == 1) return {l.k, l.c, l.r, l.s};
  return {l.groups, l.k / l.groups, l.c / l.groups, l.r, l.s};
}

dnnl::convolution_forward::primitive_desc make_pd(const Layer& l, dt type) {
  const memory::dims src{l.n, l.c, l.h, l.w}, wei = weight_dims(l), bia{l.k},
      dst{l.n, l.k, l.out_h(), l.out_w()};
  // Strides and pads are {h, w}: pad (top, bottom) and pad_w (left, right).
  const memory::dims strides{l.stride, l.stride}, pad_l{l.pad, l.pad_w}, pad_r{l.pad, l.pad_w};
  dnnl::convolution_forward::desc d(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_auto,
      memory::desc(src, type, tag::any), memory::desc(wei, type, tag::any),
      memory::desc(bia, type, tag::a), memory::desc(dst, type, tag::any), strides, pad_l, pad_r);
  return dnnl::convolution_forward::primitive_desc(d, cpu_engine());
}

std::string describe(const dnnl::error& e) {
  return std::string(e.status == dnnl_unimplemented ? "no implementation (dnnl_unimplemented)"
                                                    : "dnnl error") +
         ": " + e.what();
}

class OnednnRunner : public Runner {
 public:
  explicit OnednnRunner(bool fp16) : fp16_(fp16) {}

  Outcome setup(const Layer& l, const LayerData& ld, int, std::string* message) override {
    layer_ = l;
    const dt type = fp16_ ? dt::f16 : dt::f32;
    try {
      pd_ = make_pd(l, type);
    } catch (const dnnl::error& e) {
      *message = std::string("oneDNN ") + (fp16_ ? "f16" : "f32") + " convolution: " + describe(e);
      return e.status == dnnl_unimplemented ? Outcome::Unsupported : Outcome::Failed;
    }
    try {
      dnnl::engine& eng = cpu_engine();
      stream_ = dnnl::stream(eng);
      // User data in plain layouts: NCHW source (from the shared NHWC FP16
      // input), OIHW weights, bias; FP16 bits as they are for f16.
      const std::vector<float> src_f =
          nhwc_to_nchw(ld.data.input.data(), l.n, l.c, l.h, l.w);
      const std::vector<uint16_t>& wei_h = ld.data.weights;
      const std::vector<uint16_t>& bia_h = ld.data.bias;
      memory::desc src_user({l.n, l.c, l.h, l.w}, type, tag::nchw);
      memory::desc wei_user(weight_dims(l), type, l.groups == 1 ? tag::oihw : tag::goihw);
      memory src_u(src_user, eng), wei_u(wei_user, eng);
      bias_ = memory(pd_.bias_desc(), eng);
      if (fp16_) {
        std::vector<uint16_t> src_h(src_f.size());
        for (size_t i = 0; i < src_f.size(); ++i) src_h[i] = hawc::fp32_to_fp16(src_f[i]);
        std::memcpy(src_u.get_data_handle(), src_h.data(), src_h.size() * 2);
        std::memcpy(wei_u.get_data_handle(), wei_h.data(), wei_h.size() * 2);
        std::vector<uint16_t> b(l.k, 0);
        if (!bia_h.empty()) b = bia_h;
        std::memcpy(bias_.get_data_handle(), b.data(), b.size() * 2);
      } else {
        std::memcpy(src_u.get_data_handle(), src_f.data(), src_f.size() * 4);
        const std::vector<float> wf = fp16_to_float(wei_h);
        std::memcpy(wei_u.get_data_handle(), wf.data(), wf.size() * 4);
        std::vector<float> b(l.k, 0.0f);
        if (!bia_h.empty()) b = fp16_to_float(bia_h);
        std::memcpy(bias_.get_data_handle(), b.data(), b.size() * 4);
      }
      src_ = reorder_to(src_u, pd_.src_desc());
      weights_ = reorder_to(wei_u, pd_.weights_desc());
      dst_ = memory(pd_.dst_desc(), eng);
      // NaN everywhere first: an output the primitive never writes shows up.
      if (fp16_) {
        std::vector<uint16_t> nan(pd_.dst_desc().get_size() / 2, 0x7e00);
        std::memcpy(dst_.get_data_handle(), nan.data(), nan.size() * 2);
      } else {
        std::vector<float> nan(pd_.dst_desc().get_size() / 4, NAN);
        std::memcpy(dst_.get_data_handle(), nan.data(), nan.size() * 4);
      }
      conv_ = dnnl::convolution_forward(pd_);
      algorithm_ = pd_.impl_info_str();
    } catch (const dnnl::error& e) {
      *message = "oneDNN setup: " + describe(e);
      return Outcome::Failed;
    }
    return Outcome::Ok;
  }

  bool run(std::string* message) override {
    try {
      conv_.execute(stream_, {{DNNL_ARG_SRC, src_},
                              {DNNL_ARG_WEIGHTS, weights_},
                              {DNNL_ARG_BIAS, bias_},
                              {DNNL_ARG_DST, dst_}});
      stream_.wait();
    } catch (const dnnl::error& e) {
      *message = "oneDNN execute: " + describe(e);
      return false;
    }
    return true;
  }

  std::vector<float> output_nchw() const override {
    const Layer& l = layer_;
    dnnl::engine& eng = cpu_engine();
    memory::desc user({l.n, l.k, l.out_h(), l.out_w()}, fp16_ ? dt::f16 : dt::f32, tag::nchw);
    memory out(user, eng);
    dnnl::stream s(eng);
    dnnl::reorder(dst_, out).execute(s, const_cast<memory&>(dst_), out);
    s.wait();
    const size_t count = size_t(l.n) * l.k * l.out_h() * l.out_w();
    std::vector<float> v(count);
    if (fp16_) {
      const uint16_t* p = static_cast<const uint16_t*>(out.get_data_handle());
      for (size_t i = 0; i < count; ++i) v[i] = hawc::fp16_to_fp32(p[i]);
    } else {
      std::memcpy(v.data(), out.get_data_handle(), count * 4);
    }
    return v;
  }

  std::string algorithm() const override { return algorithm_; }

 private:
  memory reorder_to(memory& user, const memory::desc& want) {
    if (user.get_desc() == want) return user;
    memory m(want, cpu_engine());
    dnnl::reorder(user, m).execute(stream_, user, m);
    stream_.wait();
    return m;
  }

  bool fp16_;
  Layer layer_{};
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward conv_;
  dnnl::stream stream_;
  memory src_, weights_, bias_, dst_;
  std::string algorithm_;
};

}  // namespace

std::unique_ptr<Runner> make_onednn_runner(bool fp16) {
  return std::make_unique<OnednnRunner>(fp16);
}

std::string onednn_status() {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                  std::to_string(v->patch) + " (cpu runtime " +
                  (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") + ")";
  // Does oneDNN accept an f16 convolution on this CPU at run time?
  Layer probe;  // 1 x 16 x 8 x 8, 16 outputs, 3x3, stride 1, pad 1
  probe.name = "probe";
  probe.n = 1, probe.c = 16, probe.h = probe.w = 8, probe.k = 16;
  probe.r = probe.s = 3, probe.stride = 1, probe.pad = probe.pad_w = 1;
  try {
    const auto f32 = make_pd(probe, dt::f32);
    s += "; f32 convolution: " + std::string(f32.impl_info_str());
  } catch (const dnnl::error& e) {
    s += "; f32 convolution: NOT available, " + describe(e);
  }
  try {
    const auto f16 = make_pd(probe, dt::f16);
    s += "; f16 convolution: accepted (" + std::string(f16.impl_info_str()) + ")";
  } catch (const dnnl::error& e) {
    s += "; f16 convolution: NOT accepted on this CPU, " + describe(e);
  }
  return s;
}

}  // namespace hawc_bench

#else  // !HAWC_BENCH_HAVE_ONEDNN

namespace hawc_bench {
std::unique_ptr<Runner> make_onednn_runner(bool) { return nullptr; }
std::string onednn_status() { return "oneDNN: not built (dnnl CMake package not found)"; }
}  // namespace hawc_bench

#endif
