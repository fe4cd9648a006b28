// ncnn peer: one ncnn Convolution layer, run as ncnn::Net runs it with FP16
// storage and arithmetic and the packing layout (ncnn's defaults on an ARMv8.2
// FP16 CPU): the layer is created with create_layer_cpu, given a ParamDict and
// the FP32 weights and bias (the FP16 values of the shared LayerData, widened,
// so both libraries see the same numbers), create_pipeline'd with the net's
// default Option, and the timed run is one layer->forward() per image on an FP16
// blob in the element packing the net's convert_layout would give it (pack8
// when C % 8 == 0, else pack4 when C % 4 == 0, else pack1), with pool
// allocators for the blobs and the workspace as the net's extractor uses. ncnn
// has no batch in a layer's forward: for n > 1 the run loops over the images,
// as ncnn::Net does (minus the net's copy into one batch blob).
//
// Variants: ncnn_auto (every Winograd variant enabled: ncnn's own choice),
// ncnn_f63 / ncnn_f43 / ncnn_f23 (only that Winograd variant enabled), and
// ncnn_direct (use_winograd_convolution = 0: im2col + GEMM or the packed direct
// kernels). Which kernel runs is not visible through ncnn's public API, so the
// choice of Convolution_arm::create_pipeline_fp16s / forward_fp16sa
// (src/layer/arm/convolution_arm_asimdhp.cpp) is recomputed here from the same
// conditions (ncnn_path below); a forced Winograd variant that ncnn would
// replace by another kernel for this layer is reported as unsupported.
#include "bench/bench_runner.h"

#ifdef HAWC_BENCH_HAVE_NCNN

#include <algorithm>
#include <cmath>
#include <cstring>

#include "allocator.h"
#include "cpu.h"
#include "layer.h"
#include "layer_type.h"
#include "mat.h"
#include "modelbin.h"
#include "option.h"
#include "paramdict.h"
#include "platform.h"
#include "src/fp16.h"

namespace hawc_bench {
namespace {

enum class Variant { Auto, F63, F43, F23, Direct };

// Element packing of an FP16 blob of `channels` channels with fp16 arithmetic
// (NetPrivate::convert_layout, and create_pipeline_fp16s / forward_fp16sa).
int fp16_elempack(int channels) { return channels % 8 == 0 ? 8 : channels % 4 == 0 ? 4 : 1; }

struct NcnnOptions {
  bool winograd, w23, w43, w63, sgemm;
};

NcnnOptions options_for(Variant v) {
  switch (v) {
    case Variant::Auto: return {true, true, true, true, true};
    case Variant::F63: return {true, false, false, true, true};
    case Variant::F43: return {true, false, true, false, true};
    case Variant::F23: return {true, true, false, false, true};
    case Variant::Direct: return {false, true, true, true, true};
  }
  return {true, true, true, true, true};
}

// The kernel Convolution_arm runs for this layer with FP16 storage and
// arithmetic and the packing layout, as decided by create_pipeline_fp16s and
// forward_fp16sa at ncnn a4d2ea1d (NCNN_GNU_INLINE_ASM on, dilation 1):
// "winograd63", "winograd43", "winograd23", "im2col_gemm" or the name of a
// direct kernel. l2_bytes: ncnn's get_cpu_level2_cache_size().
std::string ncnn_path(const Layer& l, const NcnnOptions& o, int l2_bytes) {
  const int c = l.c, k = l.k, kw = l.s, kh = l.r, st = l.stride;
  const bool k3s1 = kw == 3 && kh == 3 && st == 1;
  const bool prefer_winograd = (o.w23 || o.w43 || o.w63) && (c >= 16 || k >= 16);
  if (o.winograd && prefer_winograd && k3s1) {
    // create_pipeline_fp16s transforms the weights for one variant only, and
    // forward_fp16sa runs the one whose weights exist (its F(4,3) preference
    // falls back to F(6,3), else F(2,3)).
    if (o.w63 && c <= 128 && k <= 128) return "winograd63";
    if (o.w43 && c >= 16 && k >= 16) return "winograd43";
    return "winograd23";  // even when use_winograd23_convolution is off
  }
  const int ep = fp16_elempack(c), oep = fp16_elempack(k);
  const auto is = [&](int ksize, int stride) { return kw == ksize && kh == ksize && st == stride; };
  bool prefer_sgemm = c * k * kw * kh * st * st * 2 > l2_bytes / 2 || c > 16 || k > 16;
  if (ep == 8 && oep == 8 &&
      (is(3, 1) || (is(3, 2) && (c < 64 || k < 128)) || is(5, 1) || (is(5, 2) && (c < 16 || k < 88))))
    prefer_sgemm = false;
  if (ep == 1 && oep == 8 && (is(3, 1) || is(3, 2) || is(7, 2))) prefer_sgemm = false;
  if (ep == 4 && oep == 4 && is(3, 1)) prefer_sgemm = false;
  if (ep == 1 && oep == 4 && (is(3, 1) || is(3, 2) || is(7, 2))) prefer_sgemm = false;
  if ((o.sgemm && prefer_sgemm) || (kw == 1 && kh == 1)) return "im2col_gemm";
  if (ep == 8 && oep == 8) {
    if (is(3, 1)) return "conv3x3s1_pack8";
    if (is(3, 2)) return "conv3x3s2_pack8";
    if (is(5, 1)) return "conv5x5s1_pack8";
    if (is(5, 2)) return "conv5x5s2_pack8";
  }
  if (ep == 1 && oep == 8) {
    if (is(3, 1)) return "conv3x3s1_pack1to8";
    if (is(3, 2)) return "conv3x3s2_pack1to8";
    if (is(7, 2)) return "conv7x7s2_pack1to8";
  }
  if (ep == 4 && oep == 4 && is(3, 1)) return "conv3x3s1_pack4";
  if (ep == 1 && oep == 4) {
    if (is(3, 1)) return "conv3x3s1_pack1to4";
    if (is(3, 2)) return "conv3x3s2_pack1to4";
  }
  return "convolution_packed";
}

class NcnnRunner : public Runner {
 public:
  explicit NcnnRunner(Variant v) : variant_(v) {}
  ~NcnnRunner() override {
    tops_.clear();  // blobs before the allocators they came from
    bottoms_.clear();
    if (layer_ != nullptr) {
      if (pipeline_created_) layer_->destroy_pipeline(create_opt_);
      delete layer_;
    }
  }

  Outcome setup(const Layer& l, const LayerData& ld, int threads, std::string* message) override {
    layer_shape_ = l;
    if (l.groups != 1) {  // ncnn runs those as ConvolutionDepthWise, not Convolution
      *message = "grouped convolution: the ncnn peer runs ncnn's dense Convolution layer only";
      return Outcome::Unsupported;
    }
    if (!NCNN_ARM82 || !ncnn::cpu_support_arm_asimdhp()) {
      *message = "ncnn's FP16 convolution needs ARMv8.2 FP16 arithmetic (asimdhp)";
      return Outcome::Unsupported;
    }
    const NcnnOptions o = options_for(variant_);
    path_ = ncnn_path(l, o, ncnn::get_cpu_level2_cache_size());
    const char* forced = variant_ == Variant::F63   ? "winograd63"
                         : variant_ == Variant::F43 ? "winograd43"
                         : variant_ == Variant::F23 ? "winograd23"
                                                    : nullptr;
    if (forced != nullptr && path_ != forced) {
      const char* why = l.r != 3 || l.s != 3 || l.stride != 1 ? "Winograd only for 3x3 stride 1"
                        : l.c < 16 && l.k < 16 ? "Winograd only when C >= 16 or K >= 16"
                        : variant_ == Variant::F63 ? "F(6,3) only when C, K <= 128"
                                                   : "F(4,3) only when C, K >= 16";
      *message = std::string("ncnn would run ") + path_ + " here, not " + forced + " (" + why + ")";
      return Outcome::Unsupported;
    }

    // The net's Option (ncnn defaults: lightmode, fp16 storage + arithmetic,
    // packing layout, sgemm and every Winograd variant), with this variant's
    // Winograd switches. create_pipeline gets null allocators, as in
    // Net::load_model; forward gets the extractor's pool allocators.
    create_opt_ = ncnn::Option();
    create_opt_.num_threads = threads;
    create_opt_.use_fp16_storage = true;
    create_opt_.use_fp16_arithmetic = true;
    create_opt_.use_packing_layout = true;
    create_opt_.use_winograd_convolution = o.winograd;
    create_opt_.use_winograd23_convolution = o.w23;
    create_opt_.use_winograd43_convolution = o.w43;
    create_opt_.use_winograd63_convolution = o.w63;
    create_opt_.use_sgemm_convolution = o.sgemm;
    blob_pool_.set_size_compare_ratio(0.f);
    workspace_pool_.set_size_compare_ratio(0.f);
    run_opt_ = create_opt_;
    run_opt_.blob_allocator = &blob_pool_;
    run_opt_.workspace_allocator = &workspace_pool_;

    layer_ = ncnn::create_layer_cpu(ncnn::LayerType::Convolution);
    if (layer_ == nullptr) {
      *message = "ncnn::create_layer_cpu(Convolution) returned null";
      return Outcome::Failed;
    }
    if (!layer_->support_fp16_storage || !layer_->support_packing) {
      *message = "ncnn's Convolution reports no FP16 storage / packing support on this CPU";
      return Outcome::Unsupported;
    }
    ncnn::ParamDict pd;
    pd.set(0, l.k);                    // num_output
    pd.set(1, l.s);                    // kernel_w
    pd.set(11, l.r);                   // kernel_h
    pd.set(3, l.stride);               // stride_w
    pd.set(13, l.stride);              // stride_h
    pd.set(4, l.pad_w);                // pad_left
    pd.set(15, l.pad_w);               // pad_right
    pd.set(14, l.pad);                 // pad_top
    pd.set(16, l.pad);                 // pad_bottom
    pd.set(5, 1);                      // bias_term
    pd.set(6, l.k * l.c * l.r * l.s);  // weight_data_size
    if (int r = layer_->load_param(pd); r != 0) {
      *message = "ncnn Convolution::load_param returned " + std::to_string(r);
      return Outcome::Failed;
    }
    // ncnn's weight order is OIHW, as LayerData's.
    const std::vector<float> wf = fp16_to_float(ld.data.weights);
    std::vector<float> bf = fp16_to_float(ld.data.bias);
    if (bf.empty()) bf.assign(size_t(l.k), 0.f);
    ncnn::Mat weights[2] = {ncnn::Mat(int(wf.size())), ncnn::Mat(l.k)};
    if (weights[0].empty() || weights[1].empty()) {
      *message = "ncnn::Mat allocation failed";
      return Outcome::Failed;
    }
    std::memcpy(weights[0].data, wf.data(), wf.size() * sizeof(float));
    std::memcpy(weights[1].data, bf.data(), bf.size() * sizeof(float));
    if (int r = layer_->load_model(ncnn::ModelBinFromMatArray(weights)); r != 0) {
      *message = "ncnn Convolution::load_model returned " + std::to_string(r);
      return Outcome::Failed;
    }
    if (int r = layer_->create_pipeline(create_opt_); r != 0) {
      *message = "ncnn Convolution::create_pipeline returned " + std::to_string(r);
      return Outcome::Failed;
    }
    pipeline_created_ = true;

    // FP16 NHWC input -> one FP16 blob per image, elempack as the net's.
    const int ep = fp16_elempack(l.c), hw = l.h * l.w;
    for (int b = 0; b < l.n; ++b) {
      ncnn::Mat m(l.w, l.h, l.c / ep, size_t(2) * ep, ep);
      if (m.empty()) {
        *message = "ncnn::Mat allocation failed";
        return Outcome::Failed;
      }
      uint16_t* dst = static_cast<uint16_t*>(m.data);
      const uint16_t* src = ld.data.input.data() + size_t(b) * hw * l.c;
      for (int ch = 0; ch < l.c; ++ch) {
        uint16_t* d = dst + (m.cstep * (ch / ep)) * ep + ch % ep;
        for (int i = 0; i < hw; ++i) d[size_t(i) * ep] = src[size_t(i) * l.c + ch];
      }
      bottoms_.push_back(m);
    }
    tops_.resize(size_t(l.n));
    return Outcome::Ok;
  }

  // One forward per image. The top blobs are kept, so from the second run on
  // forward() writes into the same buffers (ncnn::Mat::create keeps a blob of
  // the same shape and allocator), which clear_output can poison.
  bool run(std::string* message) override {
    for (size_t b = 0; b < bottoms_.size(); ++b)
      if (int r = layer_->forward(bottoms_[b], tops_[b], run_opt_); r != 0) {
        *message = "ncnn Convolution::forward returned " + std::to_string(r);
        return false;
      }
    return true;
  }

  std::vector<float> output_nchw() const override {
    const Layer& l = layer_shape_;
    const int ho = l.out_h(), wo = l.out_w();
    std::vector<float> out(size_t(l.n) * l.k * ho * wo, NAN);
    for (size_t b = 0; b < tops_.size(); ++b) {
      const ncnn::Mat& t = tops_[b];
      if (t.empty() || t.elemsize != size_t(2) * t.elempack || t.w != wo || t.h != ho ||
          t.c * t.elempack != l.k)
        continue;  // missing or not an FP16 blob of this shape: stays NaN
      const uint16_t* src = static_cast<const uint16_t*>(t.data);
      const int ep = t.elempack;
      for (int ch = 0; ch < l.k; ++ch) {
        const uint16_t* s = src + (t.cstep * (ch / ep)) * ep + ch % ep;
        float* d = out.data() + (b * l.k + ch) * size_t(ho) * wo;
        for (int i = 0; i < ho * wo; ++i) d[i] = hawc::fp16_to_fp32(s[size_t(i) * ep]);
      }
    }
    return out;
  }

  void clear_output() override {
    for (ncnn::Mat& t : tops_)
      if (!t.empty()) {
        uint16_t* p = static_cast<uint16_t*>(t.data);
        std::fill(p, p + t.total() * t.elempack, uint16_t(0x7e00));
      }
  }

  std::string algorithm() const override {
    const Layer& l = layer_shape_;
    const std::string pack = "pack" + std::to_string(fp16_elempack(l.c)) + "to" +
                             std::to_string(fp16_elempack(l.k));
    return "ncnn " + path_ + " fp16sa " + pack;
  }

 private:
  Variant variant_;
  Layer layer_shape_{};
  std::string path_;
  ncnn::Option create_opt_, run_opt_;
  ncnn::PoolAllocator blob_pool_, workspace_pool_;
  ncnn::Layer* layer_ = nullptr;
  bool pipeline_created_ = false;
  std::vector<ncnn::Mat> bottoms_, tops_;
};

}  // namespace

std::unique_ptr<Runner> make_ncnn_runner(const std::string& variant) {
  if (variant == "auto") return std::make_unique<NcnnRunner>(Variant::Auto);
  if (variant == "f63") return std::make_unique<NcnnRunner>(Variant::F63);
  if (variant == "f43") return std::make_unique<NcnnRunner>(Variant::F43);
  if (variant == "f23") return std::make_unique<NcnnRunner>(Variant::F23);
  if (variant == "direct") return std::make_unique<NcnnRunner>(Variant::Direct);
  return nullptr;
}

std::string ncnn_status() {
  const bool fp16 = NCNN_ARM82 && ncnn::cpu_support_arm_asimdhp();
  return std::string("ncnn ") + NCNN_VERSION_STRING + ": ARM82 FP16 kernels " +
         (NCNN_ARM82 ? "built" : "not built") + ", CPU asimdhp " +
         (ncnn::cpu_support_arm_asimdhp() ? "yes" : "no") + " -> ncnn_* " +
         (fp16 ? "run FP16 storage + arithmetic, packing layout" : "unsupported") +
         "; L2 for its tiling " + std::to_string(ncnn::get_cpu_level2_cache_size() / 1024) + " KB";
}

}  // namespace hawc_bench

#else  // !HAWC_BENCH_HAVE_NCNN

namespace hawc_bench {
std::unique_ptr<Runner> make_ncnn_runner(const std::string&) { return nullptr; }
std::string ncnn_status() {
  return "ncnn: not built (configure with -DHAWC_NCNN_DIR=... or -DHAWC_NCNN_SOURCE_DIR=...)";
}
}  // namespace hawc_bench

#endif
