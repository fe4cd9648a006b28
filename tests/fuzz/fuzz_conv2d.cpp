// libFuzzer target over hawc's C API (host-fuzz preset: clang++
// -fsanitize=fuzzer,address,undefined).
//
// The input is read front to back as bytes (missing bytes read as 0), so a
// file of a few dozen bytes is a complete case; tests/fuzz/make_corpus.py
// writes the seed corpus in this format. Byte 0 picks the mode:
//
//   0 valid layer, Gaussian data from a seed (the statistics the accuracy
//     bounds are for): output against the FP32 reference within
//     error_bound(), bitwise equal to a plain single-threaded run, nothing
//     written outside the output tensor, NCHW8C output padding lanes +0.
//   1 valid layer, input values from the bytes (int8 / 16: -8 .. 7.94):
//     the same checks, the error measured against the layer's absolute
//     convolution (sum |w| |x| + |b|), since such inputs can cancel.
//   2 valid layer, input FP16 bits straight from the bytes (NaN, Inf,
//     subnormals, 65504): no crash, SUCCESS, the same bits as the plain run
//     (any NaN matching any NaN), nothing written outside the output.
//   3 garbage create parameters: the status of hawc.h's rules
//     (tests/fuzz/api_model.h), *out NULL and a message on failure; valid
//     small layers are created, run once and destroyed.
//   4 garbage run arguments on a valid small layer (sizes, thread counts,
//     NULLs, overlapping output, too small a workspace): the status of the
//     rules, and a failed call writes nothing.
//
// Valid layers (modes 0-2) read: C K H W batch pad_t pad_l pad_b pad_r shape
// layout activation algorithm bias+precision implementation threads runner workspace
// schedule in_offset out_offset seed(4 bytes), then the data bytes. Each field
// is one byte taken modulo its range (C, K 1..16, H, W 1..10, batch 1..3,
// padding 0..2, threads 0..4, runner OpenMP / pool / serial hook, workspace
// cached or caller's at a byte offset, schedule auto / fused / phased).
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "src/conv2d.h"
#include "src/fp16.h"
#include "src/planner.h"
#include "tests/fuzz/api_model.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"
#include "tests/support/implementations.h"
#include "tests/support/thread_pool.h"

// Impossible allocations come back as NULL (create then reports
// HAWC_STATUS_OUT_OF_MEMORY) instead of aborting.
extern "C" __attribute__((used, visibility("default"))) const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}

namespace {

using hawc::Implementation;
using hawc_model::u128;

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t u8() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
  uint32_t u32() { return uint32_t(u16()) | (uint32_t(u16()) << 16); }
  int range(int lo, int hi) { return lo + u8() % (hi - lo + 1); }  // [lo, hi], hi - lo < 256
  size_t left() const { return n_; }

 private:
  const uint8_t* p_;
  size_t n_;
};

// A garbage int32 field: one of hawc_model::kInterestingInt32 or a small
// value picked by one byte, or four raw bytes.
int32_t garbage_int(Bytes& b) {
  const uint8_t sel = b.u8();
  if (sel < hawc_model::kInterestingInt32Count) return hawc_model::kInterestingInt32[sel];
  if (sel < 128) return int32_t(sel) - 64;  // -31 .. 63
  return int32_t(b.u32());
}

using hawc_test::ThreadPool;  // tests/support/thread_pool.h

ThreadPool* pool() {
  static ThreadPool* p = new ThreadPool(3);  // lives for the whole fuzzing run
  return p;
}

void serial_parallel_for(void*, int32_t n, hawc_task_fn task, void* context) {
  for (int32_t i = n - 1; i >= 0; --i) task(context, i);
}

[[noreturn]] void fail(const char* what, const char* detail = "") {
  std::fprintf(stderr, "fuzz_conv2d: %s %s (last message: '%s')\n", what, detail,
               hawc_last_error_message());
  std::abort();
}

bool same_bits(uint16_t a, uint16_t b) {
  const bool nan_a = (a & 0x7c00) == 0x7c00 && (a & 0x3ff),
             nan_b = (b & 0x7c00) == 0x7c00 && (b & 0x3ff);
  return a == b || (nan_a && nan_b);
}

float activate(float v, hawc_activation a) {
  if (a != HAWC_ACTIVATION_NONE) v = std::max(v, 0.0f);
  if (a == HAWC_ACTIVATION_RELU6) v = std::min(v, 6.0f);
  return v;
}

constexpr uint16_t kGuard = 0x5a5a;
constexpr size_t kGuard16 = 16;

void valid_layer(Bytes& b, int mode) {
  hawc_test::ConvCase c;
  hawc_ref::ConvShape& s = c.shape;
  s.in_channels = b.range(1, 16);
  s.out_channels = b.range(1, 16);
  s.in_h = b.range(1, 10);
  s.in_w = b.range(1, 10);
  s.batch = b.range(1, 3);
  s.pad_top = b.range(0, 2), s.pad_left = b.range(0, 2);
  s.pad_bottom = b.range(0, 2), s.pad_right = b.range(0, 2);
  // Bit 0 of the shape byte: another shape than 3x3 stride 1 (the GEMM):
  // kernel 1..7 per axis from bits 1-3 and 4-6, stride 2 on both axes from bit 7.
  const uint8_t shape = b.u8();
  if (shape & 1) {
    s.kernel_h = 1 + (shape >> 1 & 7) % 7, s.kernel_w = 1 + (shape >> 4 & 7) % 7;
    s.stride_h = s.stride_w = 1 + (shape >> 7);
  }
  s.pad_top = std::min(s.pad_top, s.extent_h() - 1);
  s.pad_bottom = std::min(s.pad_bottom, s.extent_h() - 1);
  s.pad_left = std::min(s.pad_left, s.extent_w() - 1);
  s.pad_right = std::min(s.pad_right, s.extent_w() - 1);
  s.in_h = std::max(s.in_h, s.extent_h() - s.pad_top - s.pad_bottom);  // at least one output
  s.in_w = std::max(s.in_w, s.extent_w() - s.pad_left - s.pad_right);
  c.layout = static_cast<hawc_layout>(b.range(0, 2));
  c.activation = static_cast<hawc_activation>(b.range(0, 2));
  const int algorithm = b.range(0, 4);
  c.algorithm = static_cast<hawc_algorithm>(
      (shape & 1) && algorithm != HAWC_ALGORITHM_GEMM ? HAWC_ALGORITHM_AUTO : algorithm);
  const uint8_t flags = b.u8();  // bit 0: bias, bit 1: HAWC_PRECISION_FAST
  c.bias = flags & 1;
  c.precision = (flags & 2) ? HAWC_PRECISION_FAST : HAWC_PRECISION_HIGH;
  const std::vector<Implementation> impls = hawc_test::available_implementations();
  const int impl_sel = b.range(0, 2);  // Auto, Portable, NEON FP16 (where available)
  const Implementation impl = impl_sel == 0                       ? Implementation::Auto
                              : impl_sel == 2 && impls.size() > 1 ? Implementation::NeonFp16
                                                                  : Implementation::Portable;
  const int threads = b.range(0, 4);
  const int runner = b.range(0, 2);
  const int workspace = b.range(0, 64);  // 0 cached, else the caller's at byte offset - 1
  const int schedule = b.range(0, 2);
  const size_t in_offset = b.range(0, 7), out_offset = b.range(0, 7);
  c.seed = b.u32();

  hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
  if (mode == 1 || mode == 2) {  // input values from the bytes
    std::vector<float> nchw(size_t(s.batch) * s.in_channels * s.in_h * s.in_w);
    std::vector<uint16_t> bits(nchw.size());
    for (size_t i = 0; i < nchw.size(); ++i) {
      if (mode == 1) {
        nchw[i] = float(int8_t(b.u8())) / 16.0f;
      } else {
        bits[i] = b.u16();
        nchw[i] = hawc::fp16_to_fp32(bits[i]);
      }
    }
    d.input = hawc_test::nchw_to_layout(nchw, s.batch, s.in_channels, s.in_h, s.in_w, c.layout);
    if (mode == 2) {  // keep the exact bits (NaN payloads, signalling NaNs)
      std::vector<uint16_t> exact = d.input;
      size_t i = 0;
      for (int n = 0; n < s.batch; ++n)
        for (int ch = 0; ch < s.in_channels; ++ch)
          for (int y = 0; y < s.in_h; ++y)
            for (int x = 0; x < s.in_w; ++x, ++i) {
              const size_t blocks = size_t(s.in_channels + 7) / 8;
              size_t at;
              switch (c.layout) {
                case HAWC_LAYOUT_NHWC:
                  at = ((size_t(n) * s.in_h + y) * s.in_w + x) * s.in_channels + ch;
                  break;
                case HAWC_LAYOUT_NCHW8C:
                  at = (((size_t(n) * blocks + ch / 8) * s.in_h + y) * s.in_w + x) * 8 + ch % 8;
                  break;
                default:
                  at = ((size_t(n) * s.in_channels + ch) * s.in_h + y) * s.in_w + x;
              }
              exact[at] = bits[i];
            }
      d.input = exact;
    }
  }

  const hawc_conv2d_params p = hawc_test::params_for(c);
  hawc_conv2d* conv = nullptr;
  if (hawc::create_conv2d(&p, d.weights.data(), c.bias ? d.bias.data() : nullptr, impl, &conv) !=
      HAWC_STATUS_SUCCESS)
    fail("create of a valid layer failed");
  const hawc_algorithm algo = hawc_conv2d_algorithm(conv);
  if (c.algorithm != HAWC_ALGORITHM_AUTO && algo != c.algorithm) fail("wrong algorithm");
  const Implementation ran = std::strcmp(hawc_conv2d_implementation(conv), "neon_fp16") == 0
                                 ? Implementation::NeonFp16
                                 : Implementation::Portable;

  // Plain run: 1 thread, OpenMP, cached workspace, the planner's schedule.
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
  std::vector<uint16_t> plain(d.output_elements, 0x7e00);
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 1;
  if (hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, d.input.data(), plain.data(), &o) !=
      HAWC_STATUS_SUCCESS)
    fail("plain run failed");

  // The case's run: unaligned tensors, its threads, runner, workspace, schedule.
  std::vector<uint16_t> in(in_offset + d.input.size());
  std::copy(d.input.begin(), d.input.end(), in.begin() + long(in_offset));
  std::vector<uint16_t> out(out_offset + d.output_elements + 2 * kGuard16, kGuard);
  uint16_t* y = out.data() + out_offset + kGuard16;
  hawc_run_options_init(&o);
  o.num_threads = threads;
  if (runner == 1) {
    o.parallel_for = &ThreadPool::parallel_for;
    o.parallel_context = pool();
  } else if (runner == 2) {
    o.parallel_for = &serial_parallel_for;
  }
  hawc::force_schedule(static_cast<hawc::ScheduleChoice>(schedule));
  std::vector<unsigned char> ws;
  if (workspace > 0) {
    size_t bytes = 0;
    if (hawc_conv2d_workspace_size(conv, s.batch, s.in_h, s.in_w, &o, &bytes) !=
        HAWC_STATUS_SUCCESS)
      fail("workspace_size failed");
    ws.resize(bytes + 64);
    o.workspace = ws.data() + (workspace - 1);
    o.workspace_size = bytes;
  }
  const hawc_status st =
      hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, in.data() + in_offset, y, &o);
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
  hawc_conv2d_destroy(conv);
  if (st != HAWC_STATUS_SUCCESS) fail("run of a valid layer failed");
  for (size_t i = 0; i < out_offset + kGuard16; ++i)
    if (out[i] != kGuard) fail("wrote before the output tensor");
  for (size_t i = 0; i < kGuard16; ++i)
    if (y[d.output_elements + i] != kGuard) fail("wrote past the output tensor");
  for (size_t i = 0; i < d.output_elements; ++i)
    if (!same_bits(y[i], plain[i]))
      fail("result depends on threads / runner / workspace / schedule");
  if (c.layout == HAWC_LAYOUT_NCHW8C && s.out_channels % 8 != 0) {
    const size_t blocks = size_t(s.out_channels + 7) / 8, plane = size_t(s.out_h()) * s.out_w();
    for (int n = 0; n < s.batch; ++n)
      for (size_t px = 0; px < plane; ++px)
        for (int lane = s.out_channels % 8; lane < 8; ++lane)
          if (y[((n * blocks + blocks - 1) * plane + px) * 8 + lane] != 0)
            fail("NCHW8C output padding lane not +0");
  }
  if (mode == 2) return;

  // Against the reference, pre-activation scale (ReLU / ReLU6 are 1-Lipschitz).
  hawc_test::ConvCase pre = c;
  pre.activation = HAWC_ACTIVATION_NONE;
  hawc_test::compute_reference(pre, &d);
  double scale = 0;
  for (float v : d.reference) scale = std::max(scale, std::fabs(double(v)));
  if (mode == 1) {  // absolute convolution: sum |w| |x| + |b|
    hawc_test::ConvData a = d;
    for (uint16_t& v : a.input) v &= 0x7fff;
    for (uint16_t& v : a.weights) v &= 0x7fff;
    for (uint16_t& v : a.bias) v &= 0x7fff;
    hawc_test::compute_reference(pre, &a);
    for (float v : a.reference) scale = std::max(scale, double(v));
  }
  const std::vector<float> got =
      hawc_test::layout_to_nchw(y, s.batch, s.out_channels, s.out_h(), s.out_w(), c.layout);
  double err = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i])) fail("non-finite output");
    err = std::max(err, std::fabs(double(got[i]) - double(activate(d.reference[i], c.activation))));
  }
  const double rel = scale > 0 ? err / scale : err;
  if (!(rel <= hawc_test::error_bound(ran, algo, c.precision))) {
    char detail[300];
    std::snprintf(detail, sizeof detail,
                  "%.3g > %.3g (mode %d, %s, algorithm %d, N%d C%d K%d %dx%d pad %d %d %d %d "
                  "layout %d act %d)",
                  rel, hawc_test::error_bound(ran, algo, c.precision), mode,
                  ran == Implementation::NeonFp16 ? "neon_fp16" : "portable", int(algo), s.batch,
                  s.in_channels, s.out_channels, s.in_h, s.in_w, s.pad_top, s.pad_left,
                  s.pad_bottom, s.pad_right, int(c.layout), int(c.activation));
    fail("error over the bound:", detail);
  }
}

void garbage_create(Bytes& b) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  const uint8_t which = b.u8();  // bit i: field i is garbage
  const uint8_t which2 = b.u8();
  const uint8_t which3 = b.u8();
  p.in_channels = (which & 1) ? garbage_int(b) : b.range(1, 16);
  p.out_channels = (which & 2) ? garbage_int(b) : b.range(1, 16);
  if (which & 4) p.kernel_h = garbage_int(b);
  if (which & 8) p.kernel_w = garbage_int(b);
  if (which & 16) p.stride_h = garbage_int(b);
  if (which & 32) p.stride_w = garbage_int(b);
  if (which & 64) p.pad_top = garbage_int(b);
  if (which & 128) p.pad_left = garbage_int(b);
  if (which2 & 1) p.pad_bottom = garbage_int(b);
  if (which2 & 2) p.pad_right = garbage_int(b);
  if (which2 & 4) hawc_model::set_raw(&p.layout, garbage_int(b));
  if (which2 & 8) hawc_model::set_raw(&p.activation, garbage_int(b));
  if (which2 & 16) hawc_model::set_raw(&p.algorithm, garbage_int(b));
  if (which2 & 128) hawc_model::set_raw(&p.precision, garbage_int(b));
  if (which3 & 1) p.groups = garbage_int(b);
  if (which3 & 2) p.dilation_h = garbage_int(b);
  if (which3 & 4) p.dilation_w = garbage_int(b);
  const int nulls = (which2 >> 5) & 3;  // 1 params, 2 weights, 3 out
  hawc_status expected = nulls ? HAWC_STATUS_INVALID_PARAMETER : hawc_model::create_status(p);
  std::vector<uint16_t> weights(16 * 16 * 9);
  for (uint16_t& w : weights) w = uint16_t(b.u16() & 0x7bff);  // any finite value
  if (expected == HAWC_STATUS_SUCCESS && u128(p.in_channels) * u128(p.out_channels) *
                                                 u128(p.kernel_h) * u128(p.kernel_w) >
                                             16 * 16 * 9) {
    if (hawc_model::min_packed_bytes(p) < hawc_model::kImpossibleBytes) return;  // might allocate
    expected = HAWC_STATUS_OUT_OF_MEMORY;  // weights are not read before allocating
  }
  hawc_conv2d* conv = reinterpret_cast<hawc_conv2d*>(uintptr_t(0x10));
  const hawc_status st =
      hawc_conv2d_create(nulls == 1 ? nullptr : &p, nulls == 2 ? nullptr : weights.data(), nullptr,
                         nulls == 3 ? nullptr : &conv);
  if (st != expected) {
    char detail[200];
    std::snprintf(detail, sizeof detail, "status %d, expected %d (C%d K%d nulls %d)", int(st),
                  int(expected), p.in_channels, p.out_channels, nulls);
    fail("create:", detail);
  }
  if (st != HAWC_STATUS_SUCCESS) {
    if (nulls != 3 && conv != nullptr) fail("failed create left *out set");
    if (hawc_last_error_message()[0] == '\0') fail("failed create without a message");
    return;
  }
  // A valid layer with arbitrary finite weights: run once on a 5x5 image
  // where its output is not empty (any values out).
  int32_t oh = 0, ow = 0;
  const bool runs = hawc_conv2d_output_shape(conv, 5, 5, &oh, &ow) == HAWC_STATUS_SUCCESS;
  std::vector<uint16_t> in(size_t(p.in_channels + 7) / 8 * 8 * 25, 0x3c00),
      out(size_t(p.out_channels + 7) / 8 * 8 * (runs ? size_t(oh) * ow : 1));
  if (hawc_conv2d_run(conv, 1, 5, 5, in.data(), out.data(), nullptr) !=
      (runs ? HAWC_STATUS_SUCCESS : HAWC_STATUS_INVALID_PARAMETER))
    fail("run after a valid create: wrong status");
  hawc_conv2d_destroy(conv);
}

void garbage_run(Bytes& b) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = b.range(1, 16);
  p.out_channels = b.range(1, 16);
  p.pad_top = b.range(0, 2), p.pad_left = b.range(0, 2);
  p.pad_bottom = b.range(0, 2), p.pad_right = b.range(0, 2);
  p.layout = static_cast<hawc_layout>(b.range(0, 2));
  p.algorithm = static_cast<hawc_algorithm>(b.range(0, 4));
  std::vector<uint16_t> weights(size_t(p.in_channels) * p.out_channels * 9, 0x2e66);
  hawc_conv2d* conv = nullptr;
  if (hawc_conv2d_create(&p, weights.data(), nullptr, &conv) != HAWC_STATUS_SUCCESS)
    fail("create of a valid layer failed");
  const int m = hawc_model::tile_size(hawc_conv2d_algorithm(conv));
  const uint8_t which = b.u8();
  const int32_t batch = (which & 1) ? garbage_int(b) : b.range(1, 3);
  const int32_t h = (which & 2) ? garbage_int(b) : b.range(1, 12);
  const int32_t w = (which & 4) ? garbage_int(b) : b.range(1, 12);
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = (which & 8) ? garbage_int(b) : b.range(0, 4);
  const int nulls = (which >> 4) & 3;  // 1 object, 2 input, 3 output
  const bool overlap = which & 64;
  const bool small_workspace = which & 128;
  const size_t capacity = 16 * 16 * 16 * 16;
  std::vector<uint16_t> buffer(2 * capacity + 64, 0x1357);
  const uint16_t* input = buffer.data() + 1;
  uint16_t* output = buffer.data() + (overlap ? 1 + b.range(0, 80) : capacity + 33);

  hawc_model::Run model = hawc_model::run_status(p, m, batch, h, w, o.num_threads);
  if (model.status == HAWC_STATUS_SUCCESS &&
      (model.in_bytes > capacity * 2 || model.out_bytes > capacity * 2)) {
    hawc_conv2d_destroy(conv);  // valid but larger than the buffers (and slow to plan)
    return;
  }
  size_t bytes = 12345;
  const hawc_status ws = hawc_conv2d_workspace_size(conv, batch, h, w, &o, &bytes);
  if (ws != model.status) fail("workspace_size status differs from the rules");
  if (ws != HAWC_STATUS_SUCCESS && bytes != 12345) fail("failed workspace_size wrote its result");
  if (nulls != 0) model.status = HAWC_STATUS_INVALID_PARAMETER;
  if (model.status == HAWC_STATUS_SUCCESS &&
      hawc_model::overlaps(input, model.in_bytes, output, model.out_bytes))
    model.status = HAWC_STATUS_INVALID_PARAMETER;
  std::vector<unsigned char> workspace;
  if (ws == HAWC_STATUS_SUCCESS && small_workspace) {
    workspace.resize(bytes);
    o.workspace = workspace.data();
    o.workspace_size = bytes - 1 - b.range(0, 7) % bytes;
    model.status = HAWC_STATUS_INVALID_PARAMETER;
  }
  const std::vector<uint16_t> before = buffer;
  const hawc_status st =
      hawc_conv2d_run(nulls == 1 ? nullptr : conv, batch, h, w, nulls == 2 ? nullptr : input,
                      nulls == 3 ? nullptr : output, &o);
  hawc_conv2d_destroy(conv);
  if (st != model.status) {
    char detail[200];
    std::snprintf(detail, sizeof detail, "status %d, expected %d (N%d %dx%d threads %d nulls %d)",
                  int(st), int(model.status), batch, h, w, o.num_threads, nulls);
    fail("run:", detail);
  }
  if (st != HAWC_STATUS_SUCCESS) {
    if (buffer != before) fail("a failed run wrote to memory");
    if (hawc_last_error_message()[0] == '\0') fail("failed run without a message");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The ctest fuzz_conv2d_detects_failure checks that a failing input fails
  // the fuzz run: with this variable set, every input "finds a bug".
  static const bool self_test = std::getenv("HAWC_FUZZ_SELF_TEST_FAIL") != nullptr;
  if (self_test) fail("self-test failure (HAWC_FUZZ_SELF_TEST_FAIL)");
  Bytes b(data, size);
  const int mode = b.u8() % 5;
  switch (mode) {
    case 3:
      garbage_create(b);
      break;
    case 4:
      garbage_run(b);
      break;
    default:
      valid_layer(b, mode);
  }
  return 0;
}
