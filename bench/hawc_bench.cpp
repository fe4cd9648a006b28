// hawc_bench: hawc's FP16 Winograd convolution against oneDNN and XNNPACK on
// the layers of a suite (bench/layers/*.csv), one Google Benchmark per
// (layer, implementation). Every implementation's output is checked against
// the FP32 reference before it is timed; a wrong result or a failed call is
// reported as an error (never as a speed) and makes the program exit 1.
//
//   hawc_bench [--suite=resnet50|vgg16|yolov3|qemu-small|vs-ncnn|net-NETWORK|FILE.csv]
//              [--layers=REGEX] [--impl=LIST] [--threads=N] [--tolerance=X]
//              [Google Benchmark flags, e.g. --benchmark_out=run.json]
//   hawc_bench --profile [--no-check] [same selection flags]
//
// --profile is the instruction-profiling mode for the QEMU counting plugin
// (bench/qemu_plugin, driven by bench/profile): no Google Benchmark, no
// timing; each selected (layer, implementation) is set up, run once untimed
// (warm-up), then run once between HAWC_ROI_BEGIN/END, checked, and
// described by one "PROFILE" line on stdout.
//
// See `hawc_bench --help` and the bench section of the top-level README.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_runner.h"
#include "bench/hawc_roi.h"
#include "hawc/hawc.h"
#include "src/conv2d.h"
#include "src/phase_profile.h"
#include "src/cpu_features.h"
#include "src/fp16.h"
#include "tests/support/conv_check.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef HAWC_BENCH_LAYERS_DIR
#define HAWC_BENCH_LAYERS_DIR "bench/layers"
#endif

namespace hawc_bench {

// ---- small data helpers (declared in bench_runner.h, used by the peers) ----

std::vector<float> fp16_to_float(const std::vector<uint16_t>& v) {
  std::vector<float> f(v.size());
  for (size_t i = 0; i < v.size(); ++i) f[i] = hawc::fp16_to_fp32(v[i]);
  return f;
}

std::vector<uint16_t> oihw_to_ohwi(const std::vector<uint16_t>& w, int k, int c, int r, int s) {
  std::vector<uint16_t> out(w.size());
  for (int o = 0; o < k; ++o)
    for (int i = 0; i < c; ++i)
      for (int y = 0; y < r; ++y)
        for (int x = 0; x < s; ++x)
          out[((size_t(o) * r + y) * s + x) * c + i] = w[((size_t(o) * c + i) * r + y) * s + x];
  return out;
}

template <typename T, typename Convert>
static std::vector<float> nhwc_to_nchw_impl(const T* v, int n, int c, int h, int w, Convert cvt) {
  std::vector<float> out(size_t(n) * c * h * w);
  for (int in = 0; in < n; ++in)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int ic = 0; ic < c; ++ic)
          out[((size_t(in) * c + ic) * h + y) * w + x] = cvt(v[((size_t(in) * h + y) * w + x) * c + ic]);
  return out;
}

std::vector<float> nhwc_to_nchw(const uint16_t* v, int n, int c, int h, int w) {
  return nhwc_to_nchw_impl(v, n, c, h, w, [](uint16_t x) { return hawc::fp16_to_fp32(x); });
}

std::vector<float> nhwc_to_nchw(const float* v, int n, int c, int h, int w) {
  return nhwc_to_nchw_impl(v, n, c, h, w, [](float x) { return x; });
}

namespace {

// ---- implementations ---------------------------------------------------------

struct ImplInfo {
  const char* name;
  const char* description;
};

const ImplInfo kImpls[] = {
    {"hawc_auto", "hawc, AUTO variant, fastest kernels for this CPU (as hawc_conv2d_create), HIGH"},
    {"hawc_f2x3", "hawc, Winograd F(2x2,3x3) forced, HIGH"},
    {"hawc_f4x3", "hawc, Winograd F(4x4,3x3) forced, HIGH"},
    {"hawc_f6x3", "hawc, Winograd F(6x6,3x3) forced, HIGH"},
    {"hawc_gemm", "hawc, GEMM pipeline forced (implicit im2col), HIGH"},
    {"hawc_fast", "hawc, AUTO variant at HAWC_PRECISION_FAST"},
    {"hawc_f2x3_fast", "hawc, Winograd F(2x2,3x3) forced, FAST"},
    {"hawc_f4x3_fast", "hawc, Winograd F(4x4,3x3) forced, FAST"},
    {"hawc_f6x3_fast", "hawc, Winograd F(6x6,3x3) forced, FAST"},
    {"hawc_portable", "hawc, AUTO variant, portable (non-NEON) kernels forced"},
    {"onednn_f32", "oneDNN convolution_forward f32 (convolution_auto, format_tag::any)"},
    {"onednn_f16", "oneDNN convolution_forward f16 (where oneDNN accepts it on this CPU)"},
    {"xnnpack_f16", "XNNPACK convolution2d_nhwc_f16"},
    {"xnnpack_f32", "XNNPACK convolution2d_nhwc_f32"},
    {"ncnn_auto", "ncnn Convolution layer, FP16 storage+arithmetic, packed blobs, ncnn's own choice"},
    {"ncnn_f63", "ncnn, only Winograd F(6,3) enabled (unsupported where ncnn would not run it)"},
    {"ncnn_f43", "ncnn, only Winograd F(4,3) enabled (unsupported where ncnn would not run it)"},
    {"ncnn_f23", "ncnn, only Winograd F(2,3) enabled (unsupported where ncnn would not run it)"},
    {"ncnn_direct", "ncnn, Winograd off (im2col+GEMM or packed direct, as ncnn picks)"},
};

// Forced F(6x6,3x3) exceeds the 2e-2 error bound in FP16 on most layers (AUTO
// uses it only where it does not), so it runs only when asked for.
// ncnn's Winograd F(6,3) and F(4,3) exceed 2e-2 on most layers, and the
// FAST variants are a second copy of the default set: both only when asked.
bool by_default(const std::string& name) {
  return name != "hawc_f6x3" && name != "hawc_f6x3_fast" && name.rfind("ncnn_", 0) != 0 &&
         (name == "hawc_fast" || name.find("_fast") == std::string::npos);
}

bool known_impl(const std::string& name) {
  for (const ImplInfo& i : kImpls)
    if (name == i.name) return true;
  return false;
}

bool impl_built(const std::string& name) {
#ifndef HAWC_BENCH_HAVE_ONEDNN
  if (name.rfind("onednn_", 0) == 0) return false;
#endif
#ifndef HAWC_BENCH_HAVE_XNNPACK
  if (name.rfind("xnnpack_", 0) == 0) return false;
#endif
#ifndef HAWC_BENCH_HAVE_NCNN
  if (name.rfind("ncnn_", 0) == 0) return false;
#endif
  return known_impl(name);
}

const char* algorithm_name(hawc_algorithm a) {
  switch (a) {
    case HAWC_ALGORITHM_WINOGRAD_F2X3: return "F2x3";
    case HAWC_ALGORITHM_WINOGRAD_F4X3: return "F4x3";
    case HAWC_ALGORITHM_WINOGRAD_F6X3: return "F6x3";
    case HAWC_ALGORITHM_GEMM: return "GEMM";
    default: return "auto";
  }
}

// The tensor layout hawc runs in: NHWC (default, as XNNPACK), or "engine": as
// an engine with ncnn's FP16 pack8 blobs feeds it, NCHW8C where C and K are
// multiples of 8 and NCHW otherwise (--hawc-layout=engine).
bool g_engine_layout = false;

hawc_layout hawc_layout_for(const Layer& l) {
  if (!g_engine_layout) return HAWC_LAYOUT_NHWC;
  return l.c % 8 == 0 && l.k % 8 == 0 ? HAWC_LAYOUT_NCHW8C : HAWC_LAYOUT_NCHW;
}

class HawcRunner : public Runner {
 public:
  HawcRunner(hawc::Implementation impl, hawc_algorithm algorithm,
             hawc_precision precision = HAWC_PRECISION_HIGH)
      : impl_(impl), algorithm_(algorithm), precision_(precision) {}
  ~HawcRunner() override { hawc_conv2d_destroy(conv_); }

  Outcome setup(const Layer& l, const LayerData& ld, int threads, std::string* message) override {
    layer_ = l;
    layout_ = hawc_layout_for(l);
    input_ = ld.data.input.data();
    if (layout_ != HAWC_LAYOUT_NHWC) {  // the shared input is NHWC
      const std::vector<float> nchw = nhwc_to_nchw(ld.data.input.data(), l.n, l.c, l.h, l.w);
      converted_input_ = hawc_test::nchw_to_layout(nchw, l.n, l.c, l.h, l.w, layout_);
      input_ = converted_input_.data();
    }
    hawc_test::ConvCase c = ld.conv_case;
    c.algorithm = algorithm_;
    c.precision = precision_;
    c.layout = layout_;
    hawc_conv2d_params p = hawc_test::params_for(c);  // kernel, stride, pads from the case
    const hawc_status s = hawc::create_conv2d(&p, ld.data.weights.data(),
                                              ld.data.bias.empty() ? nullptr : ld.data.bias.data(),
                                              impl_, &conv_);
    if (s != HAWC_STATUS_SUCCESS) {
      *message = std::string("hawc_conv2d_create: ") + hawc_status_string(s) + ": " +
                 hawc_last_error_message();
      return s == HAWC_STATUS_UNSUPPORTED_PARAMETER ? Outcome::Unsupported : Outcome::Failed;
    }
    // NaN: an unwritten output shows up
    out_.assign(size_t(l.n) * (layout_ == HAWC_LAYOUT_NCHW8C ? (l.k + 7) / 8 * 8 : l.k) *
                    l.out_h() * l.out_w(),
                0x7e00);
    hawc_run_options_init(&options_);
    options_.num_threads = threads;
    return Outcome::Ok;
  }

  bool run(std::string* message) override {
    const hawc_status s =
        hawc_conv2d_run(conv_, layer_.n, layer_.h, layer_.w, input_, out_.data(), &options_);
    if (s == HAWC_STATUS_SUCCESS) return true;
    *message = std::string("hawc_conv2d_run: ") + hawc_status_string(s) + ": " +
               hawc_last_error_message();
    return false;
  }

  std::vector<float> output_nchw() const override {
    return hawc_test::layout_to_nchw(out_.data(), layer_.n, layer_.k, layer_.out_h(),
                                     layer_.out_w(), layout_);
  }

  void clear_output() override { std::fill(out_.begin(), out_.end(), uint16_t(0x7e00)); }

  std::string algorithm() const override {
    return std::string(algorithm_name(hawc_conv2d_algorithm(conv_))) + " " +
           hawc_conv2d_implementation(conv_) +
           (hawc_conv2d_precision(conv_) == HAWC_PRECISION_FAST ? " fast" : "");
  }

 private:
  hawc::Implementation impl_;
  hawc_algorithm algorithm_;
  hawc_precision precision_;
  Layer layer_{};
  hawc_layout layout_ = HAWC_LAYOUT_NHWC;
  std::vector<uint16_t> converted_input_;
  const hawc_fp16* input_ = nullptr;
  hawc_conv2d* conv_ = nullptr;
  std::vector<uint16_t> out_;
  hawc_run_options options_{};
};

std::unique_ptr<Runner> make_runner(const std::string& impl) {
  using I = hawc::Implementation;
  if (impl == "hawc_auto") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_AUTO);
  if (impl == "hawc_f2x3") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F2X3);
  if (impl == "hawc_f4x3") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F4X3);
  if (impl == "hawc_f6x3") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F6X3);
  if (impl == "hawc_gemm") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_GEMM);
  constexpr hawc_precision kFast = HAWC_PRECISION_FAST;
  if (impl == "hawc_fast") return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_AUTO, kFast);
  if (impl == "hawc_f2x3_fast")
    return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F2X3, kFast);
  if (impl == "hawc_f4x3_fast")
    return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F4X3, kFast);
  if (impl == "hawc_f6x3_fast")
    return std::make_unique<HawcRunner>(I::Auto, HAWC_ALGORITHM_WINOGRAD_F6X3, kFast);
  if (impl == "hawc_portable") return std::make_unique<HawcRunner>(I::Portable, HAWC_ALGORITHM_AUTO);
  if (impl == "onednn_f32") return make_onednn_runner(false);
  if (impl == "onednn_f16") return make_onednn_runner(true);
  if (impl == "xnnpack_f16") return make_xnnpack_runner(true);
  if (impl == "xnnpack_f32") return make_xnnpack_runner(false);
  if (impl.rfind("ncnn_", 0) == 0) return make_ncnn_runner(impl.substr(5));
  return nullptr;
}

// ---- options -------------------------------------------------------------------

struct Options {
  std::string suite = "resnet50";
  std::string layers;  // regex, empty = all
  std::vector<std::string> impls;
  int threads = 0;
  double tolerance = 2e-2;
  bool profile = false;  // --profile: one counted run per (layer, impl), no timing
  bool check = true;     // --no-check (profile mode): no reference, no accuracy check
  std::string reference_cache;  // --reference-cache=DIR (profile mode)
  // --data-scale=X,W: inputs X N(0,1), He weights times W, no bias (the FP16
  // range sweeps of README "FP16 range"); 0: the default data.
  float input_scale = 0, weight_scale = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

void print_usage(const char* argv0) {
  std::printf(
      "usage: %s [--suite=NAME|FILE.csv] [--layers=REGEX] [--impl=LIST] [--threads=N]\n"
      "          [--tolerance=X] [--profile [--no-check] [--reference-cache=DIR]]\n"
      "       %s --workspace [--suite=NAME|FILE.csv]   (workspace bytes at 1/16/64/128 threads)\n"
      "          [Google Benchmark flags]\n\n"
      "  --suite=NAME      layer suite, looked up in %s:\n"
      "                    resnet50 (default), vgg16, yolov3, qemu-small, vs-ncnn, or a whole\n"
      "                    network at batch 1: net-resnet50, net-inception_v3, ... (see\n"
      "                    bench/layers/README.md); or a CSV file path\n"
      "  --layers=REGEX    only the layers whose name matches REGEX (ECMAScript, search)\n"
      "  --impl=LIST       comma-separated implementations, or all (default: all but the\n"
      "                    F(6x6), forced-variant FAST and ncnn ones, whose FP16 errors exceed\n"
      "                    2e-2 on most layers or which repeat the default set), of\n",
      argv0, argv0, HAWC_BENCH_LAYERS_DIR);
  for (const ImplInfo& i : kImpls)
    std::printf("                      %-14s %s%s\n", i.name, i.description,
                impl_built(i.name) ? "" : " [not built]");
  std::printf(
      "  --threads=N       threads for every implementation (default: hardware threads, %u)\n"
      "  --tolerance=X     largest accepted max|out-ref|/max|ref| (default 2e-2)\n"
      "  --data-scale=X,W  inputs X * N(0,1), He weights times W, no bias (FP16 range sweeps)\n"
      "  --hawc-layout=L   nhwc (default) or engine: NCHW8C where C and K are multiples of 8,\n"
      "                    else NCHW, as an engine with ncnn's FP16 pack8 blobs runs hawc\n"
      "  --profile         instruction-profiling mode (for the QEMU plugin in bench/qemu_plugin,\n"
      "                    run by bench/profile): no Google Benchmark and no timing; per\n"
      "                    (layer, impl): set up, one untimed warm-up run, then one run between\n"
      "                    HAWC_ROI_BEGIN/END, checked against the reference, and one line\n"
      "                    'PROFILE<TAB>key=value...' on stdout. With HAWC_PROFILE_PHASE=input|\n"
      "                    gemm|output in the environment (hawc's own per-phase markers, counted\n"
      "                    with roi=thread) the bench's markers and the warm-up are left out.\n"
      "                    The plugin reports once per process: select one (layer, impl) per\n"
      "                    process to count them apart, as bench/profile does. Exit status 1\n"
      "                    on a wrong result or failed call, as without it.\n"
      "  --no-check        with --profile: no FP32 reference and no accuracy check (status\n"
      "                    'unchecked'), for repeated runs of an already checked case\n"
      "  --reference-cache=DIR  with --profile: keep each layer's FP32 reference in a file in\n"
      "                    DIR (named by shape and data hash) and reuse it in later processes\n"
      "Under emulation (QEMU) --benchmark_min_time defaults to 0.01 s.\n"
      "Set HAWC_BENCH_EMULATED=1/0 to override the emulation detection.\n\n"
      "Google Benchmark flags follow (--benchmark_out=FILE.json, --benchmark_filter, ...):\n\n",
      std::max(1u, std::thread::hardware_concurrency()));
  std::fflush(stdout);
}

// ---- suites --------------------------------------------------------------------

std::string resolve_suite(const std::string& suite) {
  if (suite.find('/') != std::string::npos ||
      (suite.size() > 4 && suite.compare(suite.size() - 4, 4, ".csv") == 0))
    return suite;
  return std::string(HAWC_BENCH_LAYERS_DIR) + "/" + suite + ".csv";
}

bool load_suite(const std::string& path, std::vector<Layer>* layers, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = "cannot open suite file " + path;
    return false;
  }
  std::string line;
  int line_no = 0;
  while (std::getline(f, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || line.rfind("name,", 0) == 0) continue;
    // Not split(): an empty field must count as a (bad) field, not vanish.
    std::vector<std::string> fields;
    {
      std::stringstream ss(line);
      std::string item;
      while (std::getline(ss, item, ',')) fields.push_back(item);
      if (!line.empty() && line.back() == ',') fields.emplace_back();
    }
    Layer l;
    // 10 fields: name,n,c,h,w,k,r,s,stride,pad (pad on every side, dense);
    // 13 fields: ...,pad,pad_w,groups,count (pad: top and bottom, pad_w: left
    // and right).
    bool ok = fields.size() == 10 || fields.size() == 13;
    if (ok) {
      l.name = fields[0];
      int* ints[] = {&l.n, &l.c, &l.h, &l.w, &l.k, &l.r, &l.s, &l.stride, &l.pad,
                     &l.pad_w, &l.groups, &l.count};
      for (size_t i = 0; i + 1 < fields.size() && ok; ++i) {
        char* end = nullptr;
        const long v = std::strtol(fields[i + 1].c_str(), &end, 10);
        ok = end != fields[i + 1].c_str() && *end == '\0' && v >= 0 && v < (1L << 24);
        *ints[i] = int(v);
      }
      if (fields.size() == 10) l.pad_w = l.pad, l.groups = 1, l.count = 1;
    }
    ok = ok && !l.name.empty() && l.n > 0 && l.c > 0 && l.h > 0 && l.w > 0 && l.k > 0 &&
         l.r > 0 && l.s > 0 && l.stride > 0 && l.groups > 0 && l.count > 0 &&
         l.h + 2 * l.pad >= l.r && l.w + 2 * l.pad_w >= l.s;
    if (!ok) {
      *error = path + ":" + std::to_string(line_no) +
               ": expected name,n,c,h,w,k,r,s,stride,pad or name,n,c,h,w,k,r,s,stride,pad,pad_w,"
               "groups,count with positive sizes (the padded input at least the kernel), got: " +
               line;
      return false;
    }
    if (l.c % l.groups != 0 || l.k % l.groups != 0) {
      *error = path + ":" + std::to_string(line_no) + ": layer " + l.name + ": groups " +
               std::to_string(l.groups) + " does not divide c " + std::to_string(l.c) +
               " and k " + std::to_string(l.k);
      return false;
    }
    for (const Layer& other : *layers)
      if (other.name == l.name) {
        *error = path + ":" + std::to_string(line_no) + ": layer name " + l.name + " used twice";
        return false;
      }
    layers->push_back(l);
  }
  if (layers->empty()) {
    *error = "no layers in " + path;
    return false;
  }
  return true;
}

// ---- emulation -------------------------------------------------------------------

// True when this aarch64 program runs under QEMU user mode on another
// architecture: QEMU (7.x) passes the host's /proc/cpuinfo through.
bool detect_emulation(std::string* how) {
  if (const char* e = std::getenv("HAWC_BENCH_EMULATED"); e != nullptr && *e != '\0') {
    *how = std::string("HAWC_BENCH_EMULATED=") + e;
    return std::strcmp(e, "0") != 0;
  }
#if defined(__aarch64__)
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("vendor_id", 0) == 0 || line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      *how = "QEMU user mode on " +
             (colon == std::string::npos ? std::string("a non-ARM host") : line.substr(colon + 2));
      return true;
    }
  }
#endif
  return false;
}

// ---- per-layer data and per-benchmark state -----------------------------------------

bool g_emulated = false;
std::string g_emulation_how;
Options g_options;

// hawc_test::compute_reference split over threads: the same FP32 oracle
// (hawc_ref::conv2d_reference) on the same FP16-rounded data, one task per
// image and block of output channels. Under QEMU the batch-8 layers otherwise
// spend close to a minute each here.
std::vector<float> parallel_reference(const hawc_test::ConvCase& c, const hawc_test::ConvData& d,
                                      int threads) {
  const hawc_ref::ConvShape& s = c.shape;
  const std::vector<float> input =
      hawc_test::layout_to_nchw(d.input.data(), s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
  const std::vector<float> weights = fp16_to_float(d.weights), bias = fp16_to_float(d.bias);
  const size_t plane = size_t(s.out_h()) * s.out_w(), image = size_t(s.in_channels) * s.in_h * s.in_w;
  const size_t filter = size_t(s.in_channels) * s.kernel_h * s.kernel_w;
  const int blocks = std::min(s.out_channels, 4 * threads);
  const int block = (s.out_channels + blocks - 1) / blocks;
  std::vector<float> ref(size_t(s.batch) * s.out_channels * plane);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int t; (t = next.fetch_add(1)) < s.batch * blocks;) {
      const int n = t / blocks, k0 = (t % blocks) * block;
      const int k1 = std::min(s.out_channels, k0 + block);
      if (k0 >= k1) continue;
      hawc_ref::ConvShape one = s;
      one.batch = 1;
      one.out_channels = k1 - k0;
      const std::vector<float> in(input.begin() + n * image, input.begin() + (n + 1) * image);
      const std::vector<float> w(weights.begin() + k0 * filter, weights.begin() + k1 * filter);
      const std::vector<float> b =
          bias.empty() ? std::vector<float>() : std::vector<float>(bias.begin() + k0, bias.begin() + k1);
      const std::vector<float> out =
          hawc_ref::conv2d_reference(one, in, w, b, hawc_ref::Activation::None);
      std::copy(out.begin(), out.end(), ref.begin() + (size_t(n) * s.out_channels + k0) * plane);
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return ref;
}

// --reference-cache=DIR: the FP32 reference of a layer is kept in a file of
// DIR, so that the processes bench/profile starts, one per (layer,
// implementation), compute it once per layer. The name holds the shape and a
// hash of the FP16 input, weights and bias, so a changed data generator never
// reads a stale file; files are written to a temporary name and renamed, so
// concurrent processes are safe.
uint64_t fnv1a(uint64_t h, const std::vector<uint16_t>& v) {
  for (uint16_t x : v) {
    h = (h ^ (x & 0xff)) * 1099511628211ull;
    h = (h ^ (x >> 8)) * 1099511628211ull;
  }
  return h;
}

std::string reference_cache_path(const Layer& l, const hawc_test::ConvData& d) {
  if (g_options.reference_cache.empty()) return "";
  uint64_t h = 1469598103934665603ull;
  h = fnv1a(fnv1a(fnv1a(h, d.input), d.weights), d.bias);
  char buf[256];
  std::snprintf(buf, sizeof buf, "/ref-n%d-c%d-h%d-w%d-k%d-r%d-s%d-st%d-p%dx%d-g%d-%016llx.f32", l.n,
                l.c, l.h, l.w, l.k, l.r, l.s, l.stride, l.pad, l.pad_w, l.groups,
                static_cast<unsigned long long>(h));
  return g_options.reference_cache + buf;
}

bool load_reference(const std::string& path, size_t elements, hawc_test::ConvData* d) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::vector<float> ref(elements);
  f.read(reinterpret_cast<char*>(ref.data()), std::streamsize(elements * sizeof(float)));
  if (!f || f.peek() != std::char_traits<char>::eof()) return false;
  d->reference = std::move(ref);
  return true;
}

void store_reference(const std::string& path, const std::vector<float>& ref) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f.write(reinterpret_cast<const char*>(ref.data()), std::streamsize(ref.size() * sizeof(float)));
    if (!f) {
      std::remove(tmp.c_str());
      return;  // a cache only: not an error
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) std::remove(tmp.c_str());
}

// The data of one layer at a time (benchmarks run layer by layer): FP16
// inputs and the FP32 reference, shared by every implementation of the layer.
class LayerCache {
 public:
  const LayerData& get(int index, const Layer& l) {
    if (index != index_) {
      data_.reset();
      auto d = std::make_unique<LayerData>();
      hawc_test::ConvCase& c = d->conv_case;
      c.shape.batch = l.n;
      c.shape.in_channels = l.c;
      c.shape.out_channels = l.k;
      c.shape.in_h = l.h;
      c.shape.in_w = l.w;
      c.shape.kernel_h = l.r;
      c.shape.kernel_w = l.s;
      c.shape.stride_h = c.shape.stride_w = l.stride;
      c.shape.pad_top = c.shape.pad_bottom = l.pad;
      c.shape.pad_left = c.shape.pad_right = l.pad_w;
      c.shape.groups = l.groups;
      c.layout = HAWC_LAYOUT_NHWC;
      c.bias = true;
      c.seed = 1;
      if (g_options.input_scale > 0) {
        c.input_scale = g_options.input_scale;
        c.weight_scale = g_options.weight_scale;
        c.bias = false;  // a bias would hide the convolution's error at small scales
      }
      d->data = hawc_test::make_conv_inputs(c);
      const auto t0 = std::chrono::steady_clock::now();
      const std::string cached = reference_cache_path(l, d->data);
      if (!g_options.check) {
        // --profile --no-check: nothing is compared, no reference needed
      } else if (!cached.empty() && load_reference(cached, d->data.output_elements, &d->data)) {
        // computed by an earlier process (bench/profile runs one per implementation)
      } else {
        if (g_options.threads > 1)
          d->data.reference = parallel_reference(c, d->data, g_options.threads);
        else
          hawc_test::compute_reference(c, &d->data);
        if (!cached.empty()) store_reference(cached, d->data.reference);
      }
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > 1.0)
        std::fprintf(stderr, "hawc_bench: FP32 reference for %s took %.1f s\n", l.name.c_str(), s);
      data_ = std::move(d);
      index_ = index;
    }
    return *data_;
  }

 private:
  int index_ = -1;
  std::unique_ptr<LayerData> data_;
};

enum class Status { Pending, Ok, Unsupported, NotBuilt, Wrong, Failed };

struct Entry {
  std::string layer, impl;
  Status status = Status::Pending;
  std::string message, algorithm;
  double max_error = NAN;
};

LayerCache g_layer_cache;
std::map<std::string, Entry> g_entries;  // by benchmark name
std::string g_current_key;               // the benchmark g_current_runner belongs to
std::unique_ptr<Runner> g_current_runner;

// Makes g_current_runner the operator of (layer, impl), creating it unless it
// already is (Google Benchmark calls a benchmark function several times).
// False, with e's status and message set, when it cannot be created.
bool ensure_runner(const std::string& key, int layer_index, const Layer& layer, Entry& e) {
  if (g_current_key == key && g_current_runner) return true;
  g_current_runner.reset();  // before the layer data it may point into changes
  g_current_key.clear();
  const LayerData& ld = g_layer_cache.get(layer_index, layer);
  std::unique_ptr<Runner> r = make_runner(e.impl);
  std::string msg;
  const Outcome o = r->setup(layer, ld, g_options.threads, &msg);
  if (o != Outcome::Ok) {
    e.status = o == Outcome::Unsupported ? Status::Unsupported : Status::Failed;
    e.message = msg;
    return false;
  }
  g_current_runner = std::move(r);
  g_current_key = key;
  return true;
}

// Checks the output of the current runner's last run; sets e's status.
void check_result(int layer_index, const Layer& layer, Entry& e) {
  const LayerData& ld = g_layer_cache.get(layer_index, layer);
  e.algorithm = g_current_runner->algorithm();
  e.max_error = hawc_test::relative_max_error(g_current_runner->output_nchw(), ld.data.reference);
  if (e.max_error <= g_options.tolerance) {  // false for NaN too
    e.status = Status::Ok;
    return;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "wrong result: max error %.3g > tolerance %.3g", e.max_error,
                g_options.tolerance);
  e.status = Status::Wrong;
  e.message = buf;
}

void skip(benchmark::State& state, const Entry& e) {
  const std::string msg = (e.status == Status::Unsupported ? "unsupported: " : "") + e.message;
  state.SkipWithError(msg.c_str());
}

// The first time: create the operator, run it once and check the result, then
// time it. Under emulation, where one run of a large layer takes many seconds,
// the first timed run is the checked one instead (a wrong result is still
// reported as an error, never as a time).
void run_benchmark(benchmark::State& state, const std::string& key, int layer_index,
                   const Layer& layer) {
  Entry& e = g_entries[key];
  if (e.status != Status::Pending && e.status != Status::Ok) return skip(state, e);
  if (!ensure_runner(key, layer_index, layer, e)) return skip(state, e);
  Runner& r = *g_current_runner;
  std::string msg;
  if (e.status == Status::Pending && !g_emulated) {
    if (!r.run(&msg)) {
      e.status = Status::Failed;
      e.message = msg;
      return skip(state, e);
    }
    check_result(layer_index, layer, e);
    if (e.status != Status::Ok) return skip(state, e);
  }
  // HAWC_PROFILE_PHASE=time: hawc's CPU time per phase (summed over threads)
  // per run, as counters: the per-phase split on real hardware.
  const bool phase_times = hawc::phase_timing_enabled() && e.impl.rfind("hawc_", 0) == 0;
  if (phase_times) hawc::phase_time_reset();
  for (auto _ : state) {
    if (!r.run(&msg)) {
      e.status = Status::Failed;
      e.message = msg;
      state.SkipWithError(msg.c_str());
      break;
    }
  }
  if (e.status == Status::Failed) return;
  if (e.status == Status::Pending) {  // emulated: check the timed run's output
    check_result(layer_index, layer, e);
    if (e.status != Status::Ok) return skip(state, e);
  }
  state.SetLabel(e.algorithm);
  state.counters["GFLOPS"] =
      benchmark::Counter(layer.flops() / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["max_error"] = e.max_error;
  state.counters["threads"] = g_options.threads;
  if (phase_times) {
    const char* names[] = {"input_ms", "gemm_ms", "output_ms"};
    for (int i = 0; i < 3; ++i)
      state.counters[names[i]] = benchmark::Counter(
          hawc::phase_time_ns(hawc::ProfiledPhase(i)) / 1e6, benchmark::Counter::kAvgIterations);
  }
}

// ---- reporting ---------------------------------------------------------------------

struct Timing {
  double real_ms = 0;
  int runs = 0;
};

// Forwards to the reporter --benchmark_format asks for and keeps the
// per-iteration real times for the summary table.
class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CapturingReporter(std::unique_ptr<benchmark::BenchmarkReporter> inner)
      : inner_(std::move(inner)) {}
  bool ReportContext(const Context& context) override { return inner_->ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations <= 0) continue;
      Timing& t = timings_[r.run_name.function_name];  // the registered name
      t.real_ms += r.real_accumulated_time * 1e3 / double(r.iterations);
      t.runs += 1;
    }
    inner_->ReportRuns(runs);
  }
  void Finalize() override { inner_->Finalize(); }
  // Mean over repetitions of the real time per run, ms; < 0 when absent.
  double real_ms(const std::string& name) const {
    auto it = timings_.find(name);
    return it == timings_.end() || it->second.runs == 0 ? -1.0 : it->second.real_ms / it->second.runs;
  }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> inner_;
  std::map<std::string, Timing> timings_;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (size_t i = 0; i < rows[ri].size(); ++i) {
      const std::string& cell = rows[ri][i];
      const bool left = i < 3;
      const std::string pad(width[i] - cell.size(), ' ');
      line += (i ? "  " : "") + (left ? cell + pad : pad + cell);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
    if (ri == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
}

// ---- profiling mode (--profile) -----------------------------------------------------

// One line per (layer, implementation) for bench/profile: "PROFILE", then
// tab-separated key=value fields (values never contain tabs or newlines).
void print_profile_line(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = "PROFILE";
  for (const auto& f : fields) {
    std::string v = f.second;
    std::replace(v.begin(), v.end(), '\t', ' ');
    std::replace(v.begin(), v.end(), '\n', ' ');
    line += "\t" + f.first + "=" + v;
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

const char* status_name(Status s) {
  switch (s) {
    case Status::Pending: return "unchecked";
    case Status::Ok: return "ok";
    case Status::Unsupported: return "unsupported";
    case Status::NotBuilt: return "not_built";
    case Status::Wrong: return "wrong";
    case Status::Failed: return "failed";
  }
  return "?";
}

// "n1 c64 h56 w56 k64 3x3 s1 p1": batch, channels, input size, output
// channels, kernel (height x width), stride, pads ("p0,3": top/bottom 0,
// left/right 3), and " g32" when grouped.
std::string shape_string(const Layer& l) {
  std::string s = "n" + std::to_string(l.n) + " c" + std::to_string(l.c) + " h" +
                  std::to_string(l.h) + " w" + std::to_string(l.w) + " k" + std::to_string(l.k) +
                  " " + std::to_string(l.r) + "x" + std::to_string(l.s) + " s" +
                  std::to_string(l.stride) + " p" + std::to_string(l.pad);
  if (l.pad_w != l.pad) s += "," + std::to_string(l.pad_w);
  if (l.groups != 1) s += " g" + std::to_string(l.groups);
  return s;
}

// --profile: for every (layer, implementation), in this order: set up the
// operator (outside the ROI), one untimed warm-up run (workspace allocation,
// the peers' lazy initialisation, OpenMP / thread-pool start-up), then exactly
// one run between HAWC_ROI_BEGIN and HAWC_ROI_END, whose output is then
// checked against the FP32 reference. With HAWC_PROFILE_PHASE set, hawc marks
// each call of one kernel family itself (counted per thread with roi=thread):
// the bench's own markers would then count the whole run on the main thread
// and the warm-up's kernels would be counted too, so both are left out (the
// kernels have no lazy state: their instructions do not depend on a warm-up).
// Returns the exit status (1 on a wrong result or a failed call).
int run_profile(const std::vector<Layer>& layers) {
  const char* phase_env = std::getenv("HAWC_PROFILE_PHASE");
  const std::string phase = phase_env != nullptr ? phase_env : "";
  if (!phase.empty() && phase != "input" && phase != "gemm" && phase != "output") {
    std::fprintf(stderr, "hawc_bench: HAWC_PROFILE_PHASE must be input, gemm or output (got '%s')\n",
                 phase.c_str());
    return 2;
  }
  const bool bench_markers = phase.empty();
  int wrong = 0;
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& l = layers[li];
    for (const std::string& impl : g_options.impls) {
      Entry e;
      e.layer = l.name;
      e.impl = impl;
      const std::string key = l.name + "/" + impl;
      std::string msg;
      if (!impl_built(impl)) {
        e.status = Status::NotBuilt;
        e.message = "peer library not found by CMake";
      } else if (ensure_runner(key, int(li), l, e)) {
        Runner& r = *g_current_runner;
        bool ok = true;
        if (bench_markers) {
          ok = r.run(&msg);  // warm-up, not counted
          r.clear_output();
        }
        if (ok) {
          if (bench_markers) HAWC_ROI_BEGIN();
          ok = r.run(&msg);
          if (bench_markers) HAWC_ROI_END();
        }
        if (!ok) {
          e.status = Status::Failed;
          e.message = msg;
        } else if (g_options.check) {
          check_result(int(li), l, e);
        } else {
          e.algorithm = r.algorithm();
        }
        g_current_runner.reset();
        g_current_key.clear();
      }
      if (e.status == Status::Wrong || e.status == Status::Failed) ++wrong;
      const double outputs = double(l.n) * l.k * l.out_h() * l.out_w();
      print_profile_line({{"layer", l.name},
                          {"impl", impl},
                          {"threads", std::to_string(g_options.threads)},
                          {"roi", bench_markers ? "run" : "phase:" + phase},
                          {"status", status_name(e.status)},
                          {"algorithm", e.algorithm.empty() ? "-" : e.algorithm},
                          {"max_error", std::isnan(e.max_error) ? "-" : fmt("%.3e", e.max_error)},
                          {"tolerance", fmt("%g", g_options.tolerance)},
                          {"outputs", fmt("%.0f", outputs)},
                          {"flops", fmt("%.0f", l.flops())},
                          {"shape", shape_string(l)},
                          {"message", e.message.empty() ? "-" : e.message}});
    }
  }
  if (wrong > 0) std::fprintf(stderr, "hawc_bench: %d wrong result(s) or failed call(s)\n", wrong);
  return wrong > 0 ? 1 : 0;
}

}  // namespace
}  // namespace hawc_bench

// --workspace: hawc_conv2d_workspace_size of hawc AUTO per layer and thread
// count (the bytes a run needs besides its tensors; with a caller workspace
// of this size it allocates nothing). Weights are zeros: the size depends
// only on the shape, the kernels and the plan (which reads the L2 size:
// HAWC_L2_BYTES overrides it, e.g. under QEMU, where sysfs describes the host).
int run_workspace_report(const std::vector<hawc_bench::Layer>& layers) {
  const int threads_list[] = {1, 16, 64, 128};
  std::printf("WORKSPACE\tlayer\tN\tC\tK\tH\tW\talgorithm\timpl");
  for (int t : threads_list) std::printf("\tbytes_t%d", t);
  std::printf("\n");
  for (const hawc_bench::Layer& l : layers) {
    hawc_conv2d_params p;
    hawc_conv2d_params_init(&p);
    p.in_channels = l.c, p.out_channels = l.k, p.groups = l.groups;
    p.kernel_h = l.r, p.kernel_w = l.s;
    p.stride_h = p.stride_w = l.stride;
    p.pad_top = p.pad_bottom = l.pad;
    p.pad_left = p.pad_right = l.pad_w;
    p.layout = HAWC_LAYOUT_NHWC;
    const std::vector<uint16_t> weights(size_t(l.k) * (l.c / l.groups) * l.r * l.s, 0);
    hawc_conv2d* conv = nullptr;
    if (const hawc_status st = hawc_conv2d_create(&p, weights.data(), nullptr, &conv);
        st != HAWC_STATUS_SUCCESS) {
      std::fprintf(stderr, "hawc_bench: %s: %s\n", l.name.c_str(), hawc_last_error_message());
      if (st == HAWC_STATUS_UNSUPPORTED_PARAMETER) continue;  // a shape hawc does not run
      return 1;
    }
    static const char* const kAlgo[] = {"AUTO", "F2x3", "F4x3", "F6x3", "GEMM"};
    const int algo = int(hawc_conv2d_algorithm(conv));
    std::printf("WORKSPACE\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s", l.name.c_str(), l.n, l.c, l.k, l.h,
                l.w, algo >= 0 && algo < 5 ? kAlgo[algo] : "?", hawc_conv2d_implementation(conv));
    for (int t : threads_list) {
      hawc_run_options o;
      hawc_run_options_init(&o);
      o.num_threads = t;
      size_t bytes = 0;
      if (hawc_conv2d_workspace_size(conv, l.n, l.h, l.w, &o, &bytes) != HAWC_STATUS_SUCCESS) {
        std::fprintf(stderr, "hawc_bench: %s: %s\n", l.name.c_str(), hawc_last_error_message());
        hawc_conv2d_destroy(conv);
        return 1;
      }
      std::printf("\t%zu", bytes);
    }
    std::printf("\n");
    hawc_conv2d_destroy(conv);
  }
  return 0;
}

int main(int argc, char** argv) {
  using namespace hawc_bench;
  Options& opt = g_options;
  std::string impl_list;
  bool has_min_time = false, want_help = false, workspace_report = false;
  std::string format = "console";
  std::vector<char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag, std::string* out) {
      const std::string prefix = std::string(flag) + "=";
      if (a.rfind(prefix, 0) != 0) return false;
      *out = a.substr(prefix.size());
      return true;
    };
    std::string v;
    if (value("--suite", &opt.suite) || value("--layers", &opt.layers) ||
        value("--impl", &impl_list)) {
    } else if (value("--threads", &v)) {
      opt.threads = std::atoi(v.c_str());
      if (opt.threads < 1) {
        std::fprintf(stderr, "hawc_bench: --threads must be >= 1 (got %s)\n", v.c_str());
        return 2;
      }
    } else if (value("--tolerance", &v)) {
      opt.tolerance = std::atof(v.c_str());
    } else if (value("--data-scale", &v)) {
      if (std::sscanf(v.c_str(), "%f,%f", &opt.input_scale, &opt.weight_scale) != 2 ||
          !(opt.input_scale > 0) || !(opt.weight_scale > 0)) {
        std::fprintf(stderr, "hawc_bench: --data-scale must be X,W with X, W > 0 (got %s)\n",
                     v.c_str());
        return 2;
      }
    } else if (value("--hawc-layout", &v)) {
      if (v != "nhwc" && v != "engine") {
        std::fprintf(stderr, "hawc_bench: --hawc-layout must be nhwc or engine (got %s)\n",
                     v.c_str());
        return 2;
      }
      g_engine_layout = v == "engine";
    } else if (a == "--profile") {
      opt.profile = true;
    } else if (a == "--workspace") {
      workspace_report = true;
    } else if (a == "--no-check") {
      opt.check = false;
    } else if (value("--reference-cache", &opt.reference_cache)) {
    } else {
      if (a == "--help" || a == "-h") want_help = true;
      if (a.rfind("--benchmark_min_time", 0) == 0) has_min_time = true;
      if (value("--benchmark_format", &v)) format = v;
      args.push_back(argv[i]);
    }
  }
  if (want_help) print_usage(argv[0]);
  if (workspace_report) {
    std::vector<Layer> layers;
    std::string error;
    if (!load_suite(resolve_suite(opt.suite), &layers, &error)) {
      std::fprintf(stderr, "hawc_bench: %s\n", error.c_str());
      return 2;
    }
    return run_workspace_report(layers);
  }
  if ((!opt.check || !opt.reference_cache.empty()) && !opt.profile) {
    std::fprintf(stderr, "hawc_bench: --no-check and --reference-cache are only accepted with --profile\n");
    return 2;
  }

  g_emulated = detect_emulation(&g_emulation_how);
  if (opt.profile) {  // no Google Benchmark: every other flag is an error
    if (want_help) return 0;
    if (args.size() > 1) {
      std::fprintf(stderr, "hawc_bench: --profile does not take '%s'\n", args[1]);
      return 2;
    }
  } else {
    static char min_time_flag[] = "--benchmark_min_time=0.01";
    if (g_emulated && !has_min_time) args.push_back(min_time_flag);
    int bargc = int(args.size());
    args.push_back(nullptr);
    benchmark::Initialize(&bargc, args.data());
    if (benchmark::ReportUnrecognizedArguments(bargc, args.data())) return 2;
  }

  if (opt.threads == 0) opt.threads = int(std::max(1u, std::thread::hardware_concurrency()));
#ifdef _OPENMP
  omp_set_num_threads(opt.threads);  // oneDNN (OpenMP runtime) follows this
#endif
  if (impl_list.empty()) {
    for (const ImplInfo& i : kImpls)
      if (by_default(i.name)) opt.impls.push_back(i.name);
  } else if (impl_list == "all") {
    for (const ImplInfo& i : kImpls) opt.impls.push_back(i.name);
  } else
    opt.impls = split(impl_list, ',');
  for (const std::string& i : opt.impls)
    if (!known_impl(i)) {
      std::fprintf(stderr, "hawc_bench: unknown implementation '%s' (see --help)\n", i.c_str());
      return 2;
    }

  const std::string suite_path = resolve_suite(opt.suite);
  std::vector<Layer> all_layers, layers;
  std::string error;
  if (!load_suite(suite_path, &all_layers, &error)) {
    std::fprintf(stderr, "hawc_bench: %s\n", error.c_str());
    return 2;
  }
  try {
    const std::regex re(opt.layers.empty() ? std::string(".*") : opt.layers);
    for (const Layer& l : all_layers)
      if (std::regex_search(l.name, re)) layers.push_back(l);
  } catch (const std::regex_error& e) {
    std::fprintf(stderr, "hawc_bench: bad --layers regex '%s': %s\n", opt.layers.c_str(), e.what());
    return 2;
  }
  if (layers.empty()) {
    std::fprintf(stderr, "hawc_bench: no layer of %s matches '%s'\n", suite_path.c_str(),
                 opt.layers.c_str());
    return 2;
  }

  // Header: what runs where.
  const bool fp16_cpu = hawc::cpu_features().fp16_arith;
  const bool neon_built = hawc::neon_fp16_kernels_built();
  const std::string hawc_line =
      std::string("hawc ") + std::to_string(HAWC_VERSION_MAJOR) + "." +
      std::to_string(HAWC_VERSION_MINOR) + "." + std::to_string(HAWC_VERSION_PATCH) +
      ": NEON FP16 kernels " + (neon_built ? "built" : "not built") + ", CPU FP16 arithmetic " +
      (fp16_cpu ? "yes" : "no") + " -> hawc_auto runs " +
      (neon_built && fp16_cpu ? "neon_fp16" : "portable");
  const std::string onednn_line = onednn_status(), xnnpack_line = xnnpack_status(),
                    ncnn_line = ncnn_status();
  std::string impls_joined;
  for (const std::string& i : opt.impls) impls_joined += (impls_joined.empty() ? "" : ",") + i;
  std::ostream& info = format == "console" ? std::cout : std::cerr;
  info << "hawc_bench: suite " << suite_path << ", " << layers.size() << " of "
       << all_layers.size() << " layers, impls " << impls_joined << ", threads " << opt.threads
       << ", tolerance " << opt.tolerance << "\n"
       << "  " << hawc_line << "\n  " << onednn_line << "\n  " << xnnpack_line << "\n  "
       << ncnn_line << "\n";
  if (g_emulated && !opt.profile)
    info << "  NOTE: running under emulation (" << g_emulation_how
         << "): times, GFLOPS and speedups are meaningless; only the accuracy checks count.\n";
  if (opt.profile) {
    const char* phase = std::getenv("HAWC_PROFILE_PHASE");
    info << "  profile mode: "
         << (phase != nullptr && *phase != '\0'
                 ? std::string("HAWC_PROFILE_PHASE=") + phase +
                       ": hawc marks that kernel family (count with roi=thread); no bench markers, no warm-up"
                 : std::string("one warm-up run, then one run between HAWC_ROI_BEGIN/END (count with roi=on)"))
         << (opt.check ? "" : "; --no-check: results are not checked") << "\n";
    info.flush();
    return run_profile(layers);
  }
  info.flush();
  benchmark::AddCustomContext("hawc_suite", suite_path);
  benchmark::AddCustomContext("hawc_threads", std::to_string(opt.threads));
  benchmark::AddCustomContext("hawc", hawc_line);
  benchmark::AddCustomContext("onednn", onednn_line);
  benchmark::AddCustomContext("xnnpack", xnnpack_line);
  benchmark::AddCustomContext("ncnn", ncnn_line);
  benchmark::AddCustomContext("emulated", g_emulated ? "yes (" + g_emulation_how + ")" : "no");

  // One benchmark per (layer, implementation), layer by layer.
  std::vector<std::string> order;
  for (size_t li = 0; li < layers.size(); ++li)
    for (const std::string& impl : opt.impls) {
      const std::string key = layers[li].name + "/" + impl;
      if (g_entries.count(key)) continue;  // listed twice
      Entry& e = g_entries[key];
      e.layer = layers[li].name;
      e.impl = impl;
      order.push_back(key);
      if (!impl_built(impl)) {
        e.status = Status::NotBuilt;
        continue;
      }
      const Layer layer = layers[li];
      const int index = int(li);
      benchmark::RegisterBenchmark(key.c_str(),
                                   [key, index, layer](benchmark::State& st) {
                                     run_benchmark(st, key, index, layer);
                                   })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }

  std::unique_ptr<benchmark::BenchmarkReporter> inner;
  if (format == "json")
    inner = std::make_unique<benchmark::JSONReporter>();
  else if (format == "csv") {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    inner = std::make_unique<benchmark::CSVReporter>();  // deprecated, still supported
#pragma GCC diagnostic pop
  }
  else
    inner = std::make_unique<benchmark::ConsoleReporter>(
        isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                              : benchmark::ConsoleReporter::OO_Tabular);
  CapturingReporter reporter(std::move(inner));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  g_current_runner.reset();
  benchmark::Shutdown();

  // Summary: one row per (layer, implementation), speedups against the peers
  // on the same layer in this run.
  auto time_of = [&](const std::string& key) -> double {
    auto it = g_entries.find(key);
    if (it == g_entries.end() || it->second.status != Status::Ok) return -1;
    return reporter.real_ms(key);
  };
  std::vector<std::vector<std::string>> rows{{"layer", "implementation", "algorithm", "time (ms)",
                                              "GFLOPS", "max error", "vs onednn_f32",
                                              "vs xnnpack_f16"}};
  std::vector<std::string> problems, not_built;
  int wrong = 0;
  for (const std::string& key : order) {
    const Entry& e = g_entries[key];
    const Layer& l = *std::find_if(layers.begin(), layers.end(),
                                   [&](const Layer& x) { return x.name == e.layer; });
    const double ms = time_of(key);
    std::vector<std::string> row{e.layer, e.impl};
    switch (e.status) {
      case Status::Ok:
        if (ms > 0) {
          const double onednn = time_of(e.layer + "/onednn_f32");
          const double xnn = time_of(e.layer + "/xnnpack_f16");
          row.insert(row.end(),
                     {e.algorithm, fmt("%.3f", ms), fmt("%.2f", l.flops() / (ms * 1e-3) / 1e9),
                      fmt("%.2e", e.max_error), onednn > 0 ? fmt("%.2fx", onednn / ms) : "-",
                      xnn > 0 ? fmt("%.2fx", xnn / ms) : "-"});
        } else {
          row.insert(row.end(), {e.algorithm, "-", "-", fmt("%.2e", e.max_error), "-", "-"});
        }
        break;
      case Status::Pending: row.push_back("not run (filtered out)"); break;
      case Status::NotBuilt:  // listed once below the table instead
        if (std::find(not_built.begin(), not_built.end(), e.impl) == not_built.end())
          not_built.push_back(e.impl);
        continue;
      case Status::Unsupported:
        row.push_back("unsupported (see below)");
        problems.push_back(key + ": unsupported: " + e.message);
        break;
      case Status::Wrong:
      case Status::Failed:
        ++wrong;
        row.push_back(e.status == Status::Wrong ? "WRONG RESULT" : "FAILED");
        if (!std::isnan(e.max_error)) row.insert(row.end(), {"-", "-", fmt("%.2e", e.max_error)});
        problems.push_back(key + ": " + e.message);
        break;
    }
    rows.push_back(row);
  }
  info << "\nSummary (" << suite_path << ", threads " << opt.threads
       << (g_emulated ? ", EMULATED: times are meaningless" : "")
       << "; GFLOPS = direct-convolution FLOPs / time; speedup = peer time / this time)\n";
  print_table(info, rows);
  for (const std::string& p : problems) info << "  " << p << "\n";
  if (!not_built.empty()) {
    info << "  not built into this hawc_bench (peer library not found by CMake):";
    for (const std::string& i : not_built) info << " " << i;
    info << "\n";
  }
  if (wrong > 0)
    info << "hawc_bench: " << wrong << " wrong result(s) or failed call(s)\n";
  info.flush();
  return wrong > 0 ? 1 : 0;
}
