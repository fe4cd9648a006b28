// Property tests.
//
// RandomValidLayers: thousands of random small layers (C, K 1..24, H, W 1..12,
// batch 1..3, padding 0..2 per side, every layout, activation and variant,
// bias on/off, 1..4 threads on OpenMP or an engine pool, cached or caller
// workspace, either schedule, input and output at odd element offsets from an
// aligned allocation, NCHW8C input padding lanes filled with garbage; a tenth
// wide: C 25..512, K 1..40 on images up to 8x8; a third at FP16-range
// scales: inputs 1e-4..1e2 and weights 1e-3..1e3 x He, log-uniform, normal or
// uniform inputs; one in 12 with a NaN, +Inf or -Inf input pixel, whose
// tiles are left out of the error but must keep NaN non-finite) against the
// FP32 reference, for every implementation this CPU runs: within
// error_bound() plus the error of rounding the exact result to FP16 once
// (which tiny scales make large). A special value that reached the input
// scan's scale would fail the other tiles (checked by breaking the scan). Each output must also be
// bitwise equal to a plain single-threaded run, leave the bytes around the
// output tensor alone and write NCHW8C output padding lanes as +0.
//
// RandomInvalidArguments: random garbage parameters and run arguments; the
// status must be the one the API documents (checked against an independent
// model of the rules in hawc.h), nothing is written, the message is non-empty.
//
// Memory: a create/run/destroy loop whose leaks LeakSanitizer reports in the
// host-asan build (and an allocation count reports everywhere), create with
// channel counts that pass validation but cannot be allocated, and failure
// injection at every allocation create and run make: each must return
// HAWC_STATUS_OUT_OF_MEMORY and release everything it had allocated.
//
// Deterministic: the cases come from a fixed seed. HAWC_PROPERTY_SEED and
// HAWC_PROPERTY_CASES (cases per implementation) explore further.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "src/conv2d.h"
#include "src/planner.h"
#include "src/fp16.h"
#include "tests/support/thread_pool.h"
#include "tests/fuzz/api_model.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"
#include "tests/support/implementations.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAWC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAWC_TEST_ASAN 1
#endif
#endif
#ifdef HAWC_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

// With ASan (and so LeakSanitizer) built in: no leak so far in the process.
static void expect_no_leaks() {
#ifdef HAWC_TEST_ASAN
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "LeakSanitizer found leaks (report above)";
#endif
}

// Impossible allocations must come back as NULL (hawc then reports
// HAWC_STATUS_OUT_OF_MEMORY) rather than make the sanitizer abort. The
// presets' ASAN_OPTIONS / TSAN_OPTIONS are applied on top of these.
extern "C" __attribute__((used, visibility("default"))) const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
extern "C" __attribute__((used, visibility("default"))) const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}

// ---- Allocation probe --------------------------------------------------------
// hawc allocates its buffers with aligned_alloc (src/aligned_buffer.h) and the
// object with new (std::nothrow). This binary links with
// -Wl,--wrap=aligned_alloc,--wrap=free (tests/CMakeLists.txt), which routes the
// calls in hawc's (static) objects through the wrappers below, and replaces
// operator new (nothrow and throwing) and delete: live aligned allocations are
// counted, and an armed countdown makes the n-th aligned_alloc or nothrow new
// from now fail (g_new_countdown does the same for the throwing new).
namespace probe {

std::atomic<long> g_countdown{0};  // > 0: allocation number g_countdown fails
std::atomic<long> g_injected{0};   // failures injected so far
std::mutex g_mutex;
std::unordered_set<void*>* g_live = nullptr;  // aligned_alloc'd and not freed
thread_local bool g_in_probe = false;         // the probe's own allocations never fail

bool should_fail() {
  long c = g_countdown.load();
  while (c > 0)
    if (g_countdown.compare_exchange_weak(c, c - 1)) {
      if (c == 1) ++g_injected;
      return c == 1;
    }
  return false;
}

void arm(long n) { g_countdown.store(n); }
// Disarms; true when the armed failure was injected.
bool disarm() {
  g_countdown.store(0);
  return g_injected.exchange(0) > 0;
}

size_t live_aligned() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_live == nullptr ? 0 : g_live->size();
}

}  // namespace probe

extern "C" void* __real_aligned_alloc(size_t alignment, size_t size);
extern "C" void __real_free(void* p);

extern "C" void* __wrap_aligned_alloc(size_t alignment, size_t size) {
  if (probe::should_fail()) return nullptr;
  void* p = __real_aligned_alloc(alignment, size);
  if (p != nullptr) {
    std::lock_guard<std::mutex> lock(probe::g_mutex);
    probe::g_in_probe = true;
    if (probe::g_live == nullptr) probe::g_live = new std::unordered_set<void*>();
    probe::g_live->insert(p);
    probe::g_in_probe = false;
  }
  return p;
}

extern "C" void __wrap_free(void* p) {
  if (p != nullptr) {
    std::lock_guard<std::mutex> lock(probe::g_mutex);
    if (probe::g_live != nullptr) probe::g_live->erase(p);
  }
  __real_free(p);
}

// The throwing operator new fails on request too (g_new_countdown, only used
// by Memory.RunSurvivesFailingWorkspaceCacheGrowth); operator delete
// matches it (malloc / free, never the wrappers: no lock re-entry).
namespace probe {
std::atomic<long> g_new_countdown{0};
}  // namespace probe

void* operator new(std::size_t n) {
  long c = probe::g_in_probe ? 0 : probe::g_new_countdown.load(std::memory_order_relaxed);
  while (c > 0)
    if (probe::g_new_countdown.compare_exchange_weak(c, c - 1)) {
      if (c == 1) throw std::bad_alloc();
      break;
    }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { __real_free(p); }
void operator delete(void* p, std::size_t) noexcept { __real_free(p); }

void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (probe::should_fail()) return nullptr;
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}

namespace {

using hawc::Implementation;
using hawc_model::get_raw;
using hawc_model::set_raw;
using hawc_model::u128;
using hawc_test::ConvCase;

// ---- Deterministic random numbers (same cases on every platform) ------------
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int range(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // [lo, hi]
  bool coin(int percent = 50) { return int(next() % 100) < percent; }

 private:
  uint64_t s_;
};

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : fallback;
}

// ---- An engine-style pool for hawc_run_options.parallel_for ------------------
using hawc_test::ThreadPool;  // tests/support/thread_pool.h

ThreadPool& shared_pool() {
  static ThreadPool pool(3);
  return pool;
}

// Runs every task on the calling thread, in reverse order.
void serial_parallel_for(void*, int32_t n, hawc_task_fn task, void* context) {
  for (int32_t i = n - 1; i >= 0; --i) task(context, i);
}

// A tensor `offset` elements past a 64-byte aligned allocation of exactly
// offset + elements elements, so that ASan sees any read past its end.
class Tensor16 {
 public:
  Tensor16(size_t elements, size_t offset) : elements_(elements) {
    void* p = nullptr;
    if (posix_memalign(&p, 64, std::max<size_t>(2, (offset + elements) * 2)) != 0) std::abort();
    base_ = static_cast<uint16_t*>(p);
    data_ = base_ + offset;
  }
  ~Tensor16() { std::free(base_); }
  Tensor16(const Tensor16&) = delete;
  Tensor16& operator=(const Tensor16&) = delete;
  uint16_t* data() { return data_; }
  size_t size() const { return elements_; }

 private:
  uint16_t* base_;
  uint16_t* data_;
  size_t elements_;
};

const char* const kAlgoName[] = {"AUTO", "F2x3", "F4x3", "F6x3", "GEMM"};
const char* const kLayoutName[] = {"NCHW", "NHWC", "NCHW8C"};
const char* const kActName[] = {"none", "relu", "relu6"};
const char* const kRunnerName[] = {"openmp", "pool", "serial-hook"};
const char* const kScheduleName[] = {"auto", "fused", "phased"};

// ---- Random valid layers ------------------------------------------------------
struct RandomCase {
  ConvCase c;
  int threads = 1;
  int runner = 0;  // 0 OpenMP, 1 engine pool, 2 serial parallel_for hook
  int workspace_skew =
      -1;  // < 0: the object's cached workspace; else caller's, this many bytes off alignment
  hawc::ScheduleChoice schedule = hawc::ScheduleChoice::Auto;
  size_t in_offset = 1, out_offset = 1;  // elements past an aligned allocation
  bool poison_pad_lanes = false;
  // A NaN, +Inf or -Inf (index into kSpecialBits, -1: none) at input pixel
  // (special_n, special_c, special_y, special_x).
  int special = -1;
  int special_n = 0, special_c = 0, special_y = 0, special_x = 0;
};

RandomCase random_case(Rng& r, uint32_t seed) {
  RandomCase rc;
  ConvCase& c = rc.c;
  hawc_ref::ConvShape& s = c.shape;
  s.in_channels = r.range(1, 24);
  s.out_channels = r.range(1, 24);
  s.in_h = r.range(1, 12);
  s.in_w = r.range(1, 12);
  s.batch = r.range(1, 3);
  if (r.coin(10)) {  // wide: the channel counts of real layers, on small images
    s.in_channels = r.range(25, 512);
    s.out_channels = r.range(1, 40);
    s.in_h = r.range(1, 8);
    s.in_w = r.range(1, 8);
    s.batch = 1;
  }
  // Two cases in five take another shape than 3x3 stride 1 (the GEMM
  // pipeline): kernels 1..7 (1 or 3 on wide layers, which would be slow to
  // check under QEMU), strides 1..2, sometimes dilation 2..3, per axis.
  const bool other_shape = r.coin(40);
  if (other_shape) {
    const bool wide = s.in_channels > 24;
    s.kernel_h = wide ? 2 * r.range(0, 1) + 1 : r.range(1, 7);
    s.kernel_w = wide ? 2 * r.range(0, 1) + 1 : r.range(1, 7);
    s.stride_h = r.range(1, 2), s.stride_w = r.range(1, 2);
    if (r.coin(25)) s.dilation_h = r.range(2, 3), s.dilation_w = r.range(1, 3);
    if (s.kernel_h == 3 && s.kernel_w == 3 && s.stride_h == 1 && s.stride_w == 1 &&
        s.dilation_h == 1 && s.dilation_w == 1)
      s.stride_w = 2;  // the class, not Winograd's shape
    if (r.coin(20) && !wide) {  // grouped: 2..4 groups of 2..8 input channels
      s.groups = r.range(2, 4);
      s.in_channels = s.groups * r.range(2, 8);
      s.out_channels = s.groups * r.range(1, 8);
    }
  }
  s.pad_top = r.range(0, std::min(2, s.extent_h() - 1));
  s.pad_bottom = r.range(0, std::min(2, s.extent_h() - 1));
  s.pad_left = r.range(0, std::min(2, s.extent_w() - 1));
  s.pad_right = r.range(0, std::min(2, s.extent_w() - 1));
  s.in_h = std::max(s.in_h, s.extent_h() - s.pad_top - s.pad_bottom);  // at least one output
  s.in_w = std::max(s.in_w, s.extent_w() - s.pad_left - s.pad_right);
  c.layout = static_cast<hawc_layout>(r.range(0, 2));
  c.activation = static_cast<hawc_activation>(r.range(0, 2));
  c.algorithm = other_shape ? (r.coin() ? HAWC_ALGORITHM_GEMM : HAWC_ALGORITHM_AUTO)
                            : static_cast<hawc_algorithm>(r.range(0, 4));
  c.bias = r.coin();
  c.seed = seed;
  rc.threads = r.range(1, 4);
  rc.runner = r.range(0, 2);
  rc.workspace_skew = r.coin() ? -1 : r.range(0, 63);
  rc.schedule = static_cast<hawc::ScheduleChoice>(r.range(0, 2));
  rc.in_offset = size_t(2 * r.range(0, 3) + 1);  // 1, 3, 5 or 7: 2-byte aligned only
  rc.out_offset = size_t(2 * r.range(0, 3) + 1);
  rc.poison_pad_lanes = r.coin(75);
  c.precision = r.coin() ? HAWC_PRECISION_FAST : HAWC_PRECISION_HIGH;
  if (r.coin(33)) {  // FP16 range: activations 1e-4 .. 1e2, weights 1e-3 .. 1e3 x He
    auto log_uniform = [&](double lo, double hi) {
      return std::pow(10.0, lo + (hi - lo) * double(r.next() >> 11) * 0x1.0p-53);
    };
    c.input_scale = float(log_uniform(-4, 2));
    c.weight_scale = float(std::min(log_uniform(-3, 3), 1e3 / c.input_scale));  // outputs < 65504
    if (r.coin()) c.input_distribution = hawc_test::Distribution::Uniform;
  }
  if (r.coin(8)) {
    rc.special = r.range(0, 2);
    rc.special_n = r.range(0, s.batch - 1), rc.special_c = r.range(0, s.in_channels - 1);
    rc.special_y = r.range(0, s.in_h - 1), rc.special_x = r.range(0, s.in_w - 1);
  }
  return rc;
}

constexpr uint16_t kSpecialBits[] = {0x7e00, 0x7c00, 0xfc00};  // NaN, +Inf, -Inf

// Whether output (n, y, x) belongs to a tile whose input patch holds the
// special pixel (examples/FP16_RANGE.md: only those change): the (m + 2)^2
// patch of an F(m x m) tile, the receptive field's extent for the GEMM
// (m = 1).
bool in_special_tile(const RandomCase& rc, int m, int n, int y, int x) {
  if (rc.special < 0 || n != rc.special_n) return false;
  const hawc_ref::ConvShape& s = rc.c.shape;
  if (m == 1) {
    const int y0 = y * s.stride_h - s.pad_top, x0 = x * s.stride_w - s.pad_left;
    return rc.special_y >= y0 && rc.special_y < y0 + s.extent_h() && rc.special_x >= x0 &&
           rc.special_x < x0 + s.extent_w();
  }
  const int y0 = y / m * m - s.pad_top, x0 = x / m * m - s.pad_left;
  return rc.special_y >= y0 && rc.special_y <= y0 + m + 1 && rc.special_x >= x0 &&
         rc.special_x <= x0 + m + 1;
}

std::string describe(const RandomCase& rc, Implementation impl) {
  const ConvCase& c = rc.c;
  const hawc_ref::ConvShape& s = c.shape;
  char buf[560];
  std::snprintf(buf, sizeof buf,
                "%s %s%s N%d C%d K%d g%d %dx%d k%dx%d s%dx%d d%dx%d pad t%d l%d b%d r%d %s act=%s "
                "bias=%d threads=%d "
                "runner=%s workspace=%s%d schedule=%s offsets in %zu out %zu poison=%d seed=%u "
                "scales x %.2g%s w %.2g special %d at n%d c%d y%d x%d",
                hawc_test::implementation_name(impl).c_str(), kAlgoName[c.algorithm],
                c.precision == HAWC_PRECISION_FAST ? " fast" : "", s.batch,
                s.in_channels, s.out_channels, s.groups, s.in_h, s.in_w, s.kernel_h, s.kernel_w,
                s.stride_h,
                s.stride_w, s.dilation_h, s.dilation_w, s.pad_top, s.pad_left, s.pad_bottom,
                s.pad_right, kLayoutName[c.layout], kActName[c.activation], int(c.bias), rc.threads,
                kRunnerName[rc.runner], rc.workspace_skew < 0 ? "cached" : "caller+",
                std::max(rc.workspace_skew, 0), kScheduleName[int(rc.schedule)], rc.in_offset,
                rc.out_offset, int(rc.poison_pad_lanes), c.seed, c.input_scale,
                c.input_distribution == hawc_test::Distribution::Uniform ? " uniform" : "",
                c.weight_scale, rc.special, rc.special_n, rc.special_c, rc.special_y,
                rc.special_x);
  return buf;
}

float activate(float v, hawc_activation a) {
  if (a != HAWC_ACTIVATION_NONE) v = std::max(v, 0.0f);
  if (a == HAWC_ACTIVATION_RELU6) v = std::min(v, 6.0f);
  return v;
}

// max |out - ref| over the layer's pre-activation scale max |ref_pre|: ReLU and
// ReLU6 are 1-Lipschitz, so an activated output is never further off than the
// pre-activation value, and this is the metric of test_conv2d (max |ref|)
// without its blow-up when an activation zeroes nearly every output.
double scaled_error(const std::vector<float>& out, const std::vector<float>& ref,
                    const std::vector<float>& ref_pre) {
  double scale = 0, err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(out[i])) return INFINITY;
    scale = std::max(scale, std::fabs(double(ref_pre[i])));
    err = std::max(err, std::fabs(double(out[i]) - double(ref[i])));
  }
  return scale > 0 ? err / scale : err;
}

constexpr uint16_t kGuard = 0x5a5a;
constexpr size_t kGuardElements = 32;

struct CaseResult {
  bool ok = false;
  double error = 0;
  double floor = 0;  // the error of rounding the exact result to FP16 once
  hawc_algorithm algorithm = HAWC_ALGORITHM_AUTO;
  std::string failure;
};

CaseResult run_case(const RandomCase& rc, Implementation impl) {
  CaseResult res;
  const ConvCase& c = rc.c;
  const hawc_ref::ConvShape& s = c.shape;
  hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
  if (rc.special >= 0)
    d.input[hawc::image_elements(hawc::Layout(c.layout), s.in_channels, s.in_h, s.in_w) *
                size_t(rc.special_n) +
            hawc::tensor_offset(hawc::Layout(c.layout), s.in_channels, s.in_h, s.in_w,
                                rc.special_c, rc.special_y, rc.special_x)] =
        kSpecialBits[rc.special];
  ConvCase pre = c;
  pre.activation = HAWC_ACTIVATION_NONE;
  hawc_test::compute_reference(pre, &d);
  std::vector<float> ref_pre = d.reference;
  std::vector<float> ref(ref_pre.size());
  for (size_t i = 0; i < ref.size(); ++i) ref[i] = activate(ref_pre[i], c.activation);

  const hawc_conv2d_params p = hawc_test::params_for(c);
  hawc_conv2d* conv = nullptr;
  if (hawc::create_conv2d(&p, d.weights.data(), c.bias ? d.bias.data() : nullptr, impl, &conv) !=
      HAWC_STATUS_SUCCESS) {
    res.failure = std::string("create failed: ") + hawc_last_error_message();
    return res;
  }
  res.algorithm = hawc_conv2d_algorithm(conv);

  // Plain run: aligned vectors, clean padding lanes, 1 thread, cached workspace.
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
  std::vector<uint16_t> plain(d.output_elements, 0x7e00);
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 1;
  if (hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, d.input.data(), plain.data(), &o) !=
      HAWC_STATUS_SUCCESS) {
    res.failure = std::string("plain run failed: ") + hawc_last_error_message();
    hawc_conv2d_destroy(conv);
    return res;
  }

  // The case's run.
  Tensor16 in(d.input.size(), rc.in_offset);
  std::copy(d.input.begin(), d.input.end(), in.data());
  if (rc.poison_pad_lanes && c.layout == HAWC_LAYOUT_NCHW8C && s.in_channels % 8 != 0) {
    const size_t blocks = size_t(s.in_channels + 7) / 8, plane = size_t(s.in_h) * s.in_w;
    const uint16_t poison[] = {0x7e00, 0xfc00, 0x7c00, 0x7bff, 0xfe01, 0x3c00};
    for (int n = 0; n < s.batch; ++n)
      for (size_t px = 0; px < plane; ++px)
        for (int lane = s.in_channels % 8; lane < 8; ++lane)
          in.data()[((n * blocks + blocks - 1) * plane + px) * 8 + lane] =
              poison[(px + lane) % (sizeof poison / sizeof poison[0])];
  }
  Tensor16 out_buf(kGuardElements + d.output_elements + kGuardElements, rc.out_offset);
  std::fill(out_buf.data(), out_buf.data() + out_buf.size(), kGuard);
  uint16_t* out = out_buf.data() + kGuardElements;
  std::fill(out, out + d.output_elements, uint16_t(0x7e00));  // NaN: catches unwritten outputs

  hawc_run_options_init(&o);
  o.num_threads = rc.threads;
  if (rc.runner == 1) {
    o.parallel_for = &ThreadPool::parallel_for;
    o.parallel_context = &shared_pool();
  } else if (rc.runner == 2) {
    o.parallel_for = &serial_parallel_for;
  }
  hawc::force_schedule(rc.schedule);  // the workspace size depends on the schedule
  std::vector<unsigned char> workspace;
  if (rc.workspace_skew >= 0) {
    size_t bytes = 0;
    if (hawc_conv2d_workspace_size(conv, s.batch, s.in_h, s.in_w, &o, &bytes) !=
        HAWC_STATUS_SUCCESS) {
      res.failure = std::string("workspace_size failed: ") + hawc_last_error_message();
      hawc::force_schedule(hawc::ScheduleChoice::Auto);
      hawc_conv2d_destroy(conv);
      return res;
    }
    workspace.assign(bytes + 64, 0xcd);
    o.workspace = workspace.data() + rc.workspace_skew;
    o.workspace_size = bytes;
  }
  const hawc_status st = hawc_conv2d_run(conv, s.batch, s.in_h, s.in_w, in.data(), out, &o);
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
  hawc_conv2d_destroy(conv);
  if (st != HAWC_STATUS_SUCCESS) {
    res.failure = std::string("run failed: ") + hawc_last_error_message();
    return res;
  }
  for (size_t i = 0; i < kGuardElements; ++i)
    if (out_buf.data()[i] != kGuard || out[d.output_elements + i] != kGuard) {
      res.failure = "wrote outside the output tensor";
      return res;
    }
  if (!std::equal(plain.begin(), plain.end(), out)) {
    size_t i = 0;
    while (plain[i] == out[i]) ++i;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "differs from the plain single-threaded run at element %zu (0x%04x vs 0x%04x)", i,
                  out[i], plain[i]);
    res.failure = buf;
    return res;
  }
  if (c.layout == HAWC_LAYOUT_NCHW8C && s.out_channels % 8 != 0) {
    const size_t blocks = size_t(s.out_channels + 7) / 8, plane = size_t(s.out_h()) * s.out_w();
    for (int n = 0; n < s.batch; ++n)
      for (size_t px = 0; px < plane; ++px)
        for (int lane = s.out_channels % 8; lane < 8; ++lane)
          if (out[((n * blocks + blocks - 1) * plane + px) * 8 + lane] != 0) {
            res.failure = "an NCHW8C output padding lane is not +0";
            return res;
          }
  }
  std::vector<float> got =
      hawc_test::layout_to_nchw(out, s.batch, s.out_channels, s.out_h(), s.out_w(), c.layout);
  if (rc.special >= 0) {
    // The special pixel's tiles: a NaN never turns finite; they are left out
    // of the error. Every other output is compared as usual (so the input
    // scan must have skipped the special value: same scale as without it).
    const int m = hawc_model::tile_size(res.algorithm), oh = s.out_h(), ow = s.out_w();
    for (int n = 0; n < s.batch; ++n)
      for (int k = 0; k < s.out_channels; ++k)
        for (int y = 0; y < oh; ++y)
          for (int x = 0; x < ow; ++x) {
            const size_t i = ((size_t(n) * s.out_channels + k) * oh + y) * ow + x;
            if (!in_special_tile(rc, m, n, y, x)) continue;
            if (std::isnan(ref_pre[i]) && !std::isnan(got[i]) && !std::isinf(got[i])) {
              res.failure = "a NaN input gave a finite output whose window holds it";
              return res;
            }
            got[i] = ref[i] = ref_pre[i] = 0;
          }
  }
  res.error = scaled_error(got, ref, ref_pre);
  // Plus the error of rounding the exact result to FP16 once, which no FP16
  // output avoids (large where tiny scales make the outputs subnormal).
  std::vector<float> rounded(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) rounded[i] = hawc::round_to_fp16(ref[i]);
  res.floor = scaled_error(rounded, ref, ref_pre);
  const double bound =
      hawc_test::error_bound(impl, res.algorithm, c.precision, s.in_channels) + res.floor;
  if (!(res.error <= bound)) {
    char buf[120];
    std::snprintf(buf, sizeof buf, "error %.3g over the bound %.3g", res.error, bound);
    res.failure = buf;
    return res;
  }
  res.ok = true;
  return res;
}

// Cases per implementation: together at least 2000 per run. The NEON FP16
// path runs under QEMU's emulated FP16 arithmetic on x86, so with both
// implementations each gets half.
int cases_for(size_t implementations) {
  const uint64_t v = env_u64("HAWC_PROPERTY_CASES", 0);
  if (v > 0) return int(v);
  return implementations > 1 ? 1500 : 2000;
}


// Runs `cases` random layers on `impl`; returns the number of layers run.
int run_random_layers(Implementation impl, int cases, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  Rng rng(seed ^ (uint64_t(impl) << 32));
  struct Worst {
    int cases = 0;
    double error = 0;
    std::string layer;
  };
  std::map<int, Worst> per_algo;
  int failures = 0, over_bound = 0;
  for (int i = 0; i < cases; ++i) {
    const RandomCase rc = random_case(rng, uint32_t(rng.next()));
    const CaseResult r = run_case(rc, impl);
    // Key: variant, + 4 at FAST.
    Worst& slot = per_algo[r.algorithm + 4 * (rc.c.precision == HAWC_PRECISION_FAST)];
    ++slot.cases;
    // Above the FP16 floor: what the bound is about.
    const double excess = r.error - r.floor;
    if (excess >= slot.error) slot.error = excess, slot.layer = describe(rc, impl);
    if (excess > hawc_test::error_bound(impl, r.algorithm, rc.c.precision, rc.c.shape.in_channels))
      ++over_bound;
    if (!r.ok) {
      ADD_FAILURE() << "case " << i << ": " << describe(rc, impl) << ": " << r.failure;
      if (++failures >= 20) {
        ADD_FAILURE() << "stopping after 20 failing cases";
        return i + 1;
      }
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %d random layers in %.1f s (seed 0x%llx), %d over error_bound()\n",
              hawc_test::implementation_name(impl).c_str(), cases, secs, (unsigned long long)seed,
              over_bound);
  for (const auto& [algo, v] : per_algo)
    std::printf("  %s%s: %d layers, worst scaled error above the FP16 floor %.3g (error_bound %.3g)\n"
                "    worst: %s\n",
                kAlgoName[algo % 4], algo >= 4 ? " FAST" : "", v.cases, v.error,
                hawc_test::error_bound(impl, hawc_algorithm(algo % 4),
                                       algo >= 4 ? HAWC_PRECISION_FAST : HAWC_PRECISION_HIGH),
                v.layer.c_str());
  return cases;
}

TEST(Property, RandomValidLayersMatchReference) {
  const uint64_t seed = env_u64("HAWC_PROPERTY_SEED", 0x4a57c0de);
  const std::vector<Implementation> impls = hawc_test::available_implementations();
  int total = 0;
  for (Implementation impl : impls)
    total += run_random_layers(impl, cases_for(impls.size()), seed);
  EXPECT_GE(total, 2000);
}

// ---- Random invalid arguments -------------------------------------------------
int32_t garbage_int(Rng& r) {
  switch (r.range(0, 3)) {
    case 0:
      return int32_t(uint32_t(r.next()));
    case 1:
      return r.range(-4, 12);
    default:
      return hawc_model::kInterestingInt32[r.range(0, hawc_model::kInterestingInt32Count - 1)];
  }
}

TEST(Property, RandomInvalidCreateArguments) {
  Rng rng(env_u64("HAWC_PROPERTY_SEED", 0x4a57c0de) + 1);
  std::vector<uint16_t> weights(24 * 24 * 9, 0x3c00);
  int counts[6] = {};  // invalid, unsupported, success, out of memory, skipped, null pointer
  for (int i = 0; i < 3000; ++i) {
    hawc_conv2d_params p;
    hawc_conv2d_params_init(&p);
    p.in_channels = rng.coin(60) ? rng.range(1, 24) : garbage_int(rng);
    p.out_channels = rng.coin(60) ? rng.range(1, 24) : garbage_int(rng);
    int32_t* ints[] = {&p.kernel_h, &p.kernel_w,   &p.stride_h,  &p.stride_w,
                       &p.pad_top,  &p.pad_left,   &p.pad_bottom, &p.pad_right,
                       &p.groups,   &p.dilation_h, &p.dilation_w};
    for (int32_t* f : ints)
      if (rng.coin(15)) *f = garbage_int(rng);
    if (rng.coin(15)) set_raw(&p.layout, rng.coin() ? garbage_int(rng) : rng.range(-1, 3));
    if (rng.coin(15)) set_raw(&p.activation, rng.coin() ? garbage_int(rng) : rng.range(-1, 3));
    if (rng.coin(15)) set_raw(&p.algorithm, rng.coin() ? garbage_int(rng) : rng.range(-1, 5));
    if (rng.coin(15)) set_raw(&p.precision, rng.coin() ? garbage_int(rng) : rng.range(-1, 2));
    const int nulls = rng.coin(10) ? rng.range(1, 3) : 0;  // 1 params, 2 weights, 3 out

    hawc_status expected = hawc_model::create_status(p);
    if (nulls != 0) expected = HAWC_STATUS_INVALID_PARAMETER;
    const bool fits = u128(p.in_channels) * u128(p.out_channels) * u128(p.kernel_h) *
                          u128(p.kernel_w) <=
                      24 * 24 * 9;
    if (expected == HAWC_STATUS_SUCCESS && !fits) {
      if (hawc_model::min_packed_bytes(p) < hawc_model::kImpossibleBytes) {
        ++counts[4];  // valid and possibly allocatable: would read C*K*9 weights
        continue;
      }
      expected = HAWC_STATUS_OUT_OF_MEMORY;  // weights are not read before allocating
    }
    hawc_conv2d* conv = reinterpret_cast<hawc_conv2d*>(uintptr_t(0x10));
    const hawc_status st =
        hawc_conv2d_create(nulls == 1 ? nullptr : &p, nulls == 2 ? nullptr : weights.data(),
                           nullptr, nulls == 3 ? nullptr : &conv);
    ++counts[nulls != 0                                      ? 5
             : expected == HAWC_STATUS_SUCCESS               ? 2
             : expected == HAWC_STATUS_OUT_OF_MEMORY         ? 3
             : expected == HAWC_STATUS_UNSUPPORTED_PARAMETER ? 1
                                                             : 0];
    const std::string where =
        "case " + std::to_string(i) + ": C" + std::to_string(p.in_channels) + " K" +
        std::to_string(p.out_channels) + " kernel " + std::to_string(p.kernel_h) + "x" +
        std::to_string(p.kernel_w) + " stride " + std::to_string(p.stride_h) + "x" +
        std::to_string(p.stride_w) + " pad " + std::to_string(p.pad_top) + "," +
        std::to_string(p.pad_left) + "," + std::to_string(p.pad_bottom) + "," +
        std::to_string(p.pad_right) + " enums " + std::to_string(get_raw(p.layout)) + "," +
        std::to_string(get_raw(p.activation)) + "," + std::to_string(get_raw(p.algorithm)) +
        "," + std::to_string(get_raw(p.precision)) + " nulls " + std::to_string(nulls);
    ASSERT_EQ(st, expected) << where << ": " << hawc_last_error_message();
    if (st == HAWC_STATUS_SUCCESS) {
      EXPECT_NE(conv, nullptr) << where;
      EXPECT_STREQ(hawc_last_error_message(), "") << where;
      hawc_conv2d_destroy(conv);
    } else {
      if (nulls != 3) EXPECT_EQ(conv, nullptr) << where;
      EXPECT_STRNE(hawc_last_error_message(), "") << where;
    }
  }
  std::printf(
      "create: %d invalid, %d unsupported, %d valid, %d out of memory, %d null pointers, "
      "%d valid but too large to call\n",
      counts[0], counts[1], counts[2], counts[3], counts[5], counts[4]);
  EXPECT_GT(counts[0], 300);
  EXPECT_GT(counts[1], 50);
  EXPECT_GT(counts[2], 200);
  EXPECT_GT(counts[3], 0);
}

TEST(Property, RandomInvalidRunArguments) {
  Rng rng(env_u64("HAWC_PROPERTY_SEED", 0x4a57c0de) + 2);
  int counts[4] = {};  // invalid, valid and run, valid but too large to call, workspace_size checks
  for (int layer = 0; layer < 60; ++layer) {
    ConvCase c;
    c.shape = {1, rng.range(1, 16), rng.range(1, 16), 4, 4};
    c.shape.pad_top = rng.range(0, 2), c.shape.pad_left = rng.range(0, 2);
    c.shape.pad_bottom = rng.range(0, 2), c.shape.pad_right = rng.range(0, 2);
    c.layout = static_cast<hawc_layout>(rng.range(0, 2));
    c.algorithm = static_cast<hawc_algorithm>(rng.range(0, 3));
    c.seed = uint32_t(layer);
    const hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
    const hawc_conv2d_params p = hawc_test::params_for(c);
    hawc_conv2d* conv = nullptr;
    ASSERT_EQ(hawc_conv2d_create(&p, d.weights.data(), nullptr, &conv), HAWC_STATUS_SUCCESS);
    const int m = hawc_model::tile_size(hawc_conv2d_algorithm(conv));
    // One buffer holds input and output, so that overlapping pairs are easy to make.
    const size_t capacity = 3 * 16 * 14 * 14;  // the largest small run: N3 C16 14x14
    std::vector<uint16_t> buffer(2 * capacity + 64);
    for (int i = 0; i < 60; ++i) {
      const int32_t batch = rng.coin(50) ? rng.range(1, 3) : garbage_int(rng);
      const int32_t h = rng.coin(50) ? rng.range(1, 12) : garbage_int(rng);
      const int32_t w = rng.coin(50) ? rng.range(1, 12) : garbage_int(rng);
      hawc_run_options o;
      hawc_run_options_init(&o);
      o.num_threads = rng.coin(60) ? rng.range(0, 4) : garbage_int(rng);
      const int nulls = rng.coin(10) ? rng.range(1, 3) : 0;  // 1 object, 2 input, 3 output
      // Output 1..64 elements into the input, or past its end.
      const bool overlap = rng.coin(15);
      const uint16_t* input = buffer.data() + 1;
      uint16_t* output = buffer.data() + (overlap ? 1 + rng.range(-8, 64) + 8 : capacity + 33);
      hawc_model::Run model = hawc_model::run_status(p, m, batch, h, w, o.num_threads);
      // Valid shapes too large for the buffers are not run, only queried:
      // planning is O(1) in the batch, so a batch of 2^31 answers at once.
      if (model.status == HAWC_STATUS_SUCCESS &&
          (model.in_bytes > capacity * 2 || model.out_bytes > capacity * 2)) {
        ++counts[2];
        size_t bytes = 0;
        if (nulls == 0) {
          ++counts[3];
          ASSERT_EQ(hawc_conv2d_workspace_size(conv, batch, h, w, &o, &bytes), HAWC_STATUS_SUCCESS)
              << "workspace_size N" << batch << " " << h << "x" << w << ": "
              << hawc_last_error_message();
          EXPECT_GT(bytes, 0u);
        }
        continue;
      }
      if (nulls != 0) model.status = HAWC_STATUS_INVALID_PARAMETER;
      if (model.status == HAWC_STATUS_SUCCESS &&
          hawc_model::overlaps(input, model.in_bytes, output, model.out_bytes))
        model.status = HAWC_STATUS_INVALID_PARAMETER;
      // workspace_size checks the same shape rules.
      if (nulls == 0) {
        size_t bytes = 12345;
        const hawc_model::Run shape_model =
            hawc_model::run_status(p, m, batch, h, w, o.num_threads);
        const hawc_status ws = hawc_conv2d_workspace_size(conv, batch, h, w, &o, &bytes);
        ++counts[3];
        ASSERT_EQ(ws, shape_model.status)
            << "workspace_size N" << batch << " " << h << "x" << w << " threads " << o.num_threads;
        if (ws != HAWC_STATUS_SUCCESS) {
          EXPECT_EQ(bytes, 12345u);
          EXPECT_STRNE(hawc_last_error_message(), "");
        } else if (model.status == HAWC_STATUS_SUCCESS && rng.coin(30)) {
          // A caller workspace one byte too small is refused.
          o.workspace = buffer.data();  // never used: refused first
          o.workspace_size = bytes - 1;
          model.status = HAWC_STATUS_INVALID_PARAMETER;
        }
      }
      std::fill(buffer.begin(), buffer.end(), uint16_t(0x1357));
      const std::vector<uint16_t> before = buffer;
      const hawc_status st =
          hawc_conv2d_run(nulls == 1 ? nullptr : conv, batch, h, w, nulls == 2 ? nullptr : input,
                          nulls == 3 ? nullptr : output, &o);
      ASSERT_EQ(st, model.status) << "run N" << batch << " " << h << "x" << w << " threads "
                                  << o.num_threads << " nulls " << nulls << " overlap " << overlap
                                  << ": " << hawc_last_error_message();
      if (st == HAWC_STATUS_SUCCESS) {
        ++counts[1];
      } else {
        ++counts[0];
        ASSERT_TRUE(buffer == before)
            << "a failed run wrote to memory: N" << batch << " " << h << "x" << w;
        EXPECT_STRNE(hawc_last_error_message(), "");
      }
    }
    hawc_conv2d_destroy(conv);
  }
  std::printf(
      "run: %d rejected, %d valid runs, %d valid but too large to call; %d "
      "workspace_size checks\n",
      counts[0], counts[1], counts[2], counts[3]);
  EXPECT_GT(counts[0], 1000);
  EXPECT_GT(counts[1], 300);
}

// ---- Memory -----------------------------------------------------------------
hawc_conv2d* make_small(Implementation impl, hawc_layout layout, int c_in, int c_out,
                        hawc_algorithm algo, std::vector<uint16_t>* weights) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = c_in;
  p.out_channels = c_out;
  p.layout = layout;
  p.algorithm = algo;
  weights->assign(size_t(c_in) * c_out * 9, 0x2e66);  // 0.1
  std::vector<uint16_t> bias(size_t(c_out), 0x3800);
  hawc_conv2d* conv = nullptr;
  EXPECT_EQ(hawc::create_conv2d(&p, weights->data(), bias.data(), impl, &conv),
            HAWC_STATUS_SUCCESS);
  return conv;
}

size_t elements(hawc_layout layout, int n, int c, int h, int w) {
  return size_t(n) * (layout == HAWC_LAYOUT_NCHW8C ? size_t(c + 7) / 8 * 8 : size_t(c)) * h * w;
}

// Many objects, each created, run in every way (OpenMP, pool, caller
// workspace, concurrent runs that grow the workspace cache) and destroyed:
// nothing may stay allocated. LeakSanitizer checks every allocation in the
// host-asan build; the probe checks hawc's aligned buffers everywhere.
TEST(Memory, CreateRunDestroyLoopLeaksNothing) {
  const size_t live_before = probe::live_aligned();
  Rng rng(77);
  for (int i = 0; i < 120; ++i) {
    for (Implementation impl : hawc_test::available_implementations()) {
      const hawc_layout layout = static_cast<hawc_layout>(rng.range(0, 2));
      const int c_in = rng.range(1, 20), c_out = rng.range(1, 20);
      std::vector<uint16_t> weights;
      hawc_conv2d* conv = make_small(impl, layout, c_in, c_out,
                                     static_cast<hawc_algorithm>(rng.range(0, 3)), &weights);
      ASSERT_NE(conv, nullptr);
      for (int run = 0; run < 3; ++run) {
        const int n = rng.range(1, 2), h = rng.range(1, 10), w = rng.range(1, 10);
        std::vector<uint16_t> in(elements(layout, n, c_in, h, w), 0x3c00),
            out(elements(layout, n, c_out, h, w));
        hawc_run_options o;
        hawc_run_options_init(&o);
        o.num_threads = rng.range(1, 4);
        std::vector<unsigned char> ws;
        switch (run) {
          case 1:
            o.parallel_for = &ThreadPool::parallel_for;
            o.parallel_context = &shared_pool();
            break;
          case 2: {
            size_t bytes = 0;
            ASSERT_EQ(hawc_conv2d_workspace_size(conv, n, h, w, &o, &bytes), HAWC_STATUS_SUCCESS);
            ws.resize(bytes);
            o.workspace = ws.data();
            o.workspace_size = bytes;
            break;
          }
          default:
            break;
        }
        ASSERT_EQ(hawc_conv2d_run(conv, n, h, w, in.data(), out.data(), &o), HAWC_STATUS_SUCCESS);
      }
      if (i % 10 == 0) {  // concurrent runs: the cache holds one workspace per caller
        std::vector<std::thread> callers;
        for (int t = 0; t < 3; ++t)
          callers.emplace_back([conv, layout, c_in, c_out, t] {
            const int h = 5 + t, w = 7;
            std::vector<uint16_t> in(elements(layout, 1, c_in, h, w), 0x3c00),
                out(elements(layout, 1, c_out, h, w));
            hawc_run_options o;
            hawc_run_options_init(&o);
            o.num_threads = 1;
            for (int k = 0; k < 4; ++k)
              EXPECT_EQ(hawc_conv2d_run(conv, 1, h, w, in.data(), out.data(), &o),
                        HAWC_STATUS_SUCCESS);
          });
        for (std::thread& t : callers) t.join();
      }
      hawc_conv2d_destroy(conv);
    }
  }
  EXPECT_EQ(probe::live_aligned(), live_before) << "hawc buffers still allocated after destroy";
  expect_no_leaks();
}

// A steady stream of runs of one shape allocates nothing after the first.
TEST(Memory, RepeatedRunsReuseTheWorkspace) {
  for (Implementation impl : hawc_test::available_implementations()) {
    std::vector<uint16_t> weights;
    hawc_conv2d* conv = make_small(impl, HAWC_LAYOUT_NHWC, 9, 17, HAWC_ALGORITHM_AUTO, &weights);
    ASSERT_NE(conv, nullptr);
    std::vector<uint16_t> in(elements(HAWC_LAYOUT_NHWC, 2, 9, 11, 13), 0x3c00),
        out(elements(HAWC_LAYOUT_NHWC, 2, 17, 11, 13));
    hawc_run_options o;
    hawc_run_options_init(&o);
    o.num_threads = 2;
    ASSERT_EQ(hawc_conv2d_run(conv, 2, 11, 13, in.data(), out.data(), &o), HAWC_STATUS_SUCCESS);
    const size_t live = probe::live_aligned();
    for (int i = 0; i < 50; ++i)
      ASSERT_EQ(hawc_conv2d_run(conv, 2, 11, 13, in.data(), out.data(), &o), HAWC_STATUS_SUCCESS);
    EXPECT_EQ(probe::live_aligned(), live);
    hawc_conv2d_destroy(conv);
  }
}

// Channel counts that pass validation but whose packed weights cannot be
// allocated anywhere (2^49 bytes and more): OUT_OF_MEMORY, *out NULL, message,
// and everything create had allocated before is released. The weights are
// never read when the allocation fails, so a small buffer stands in for the
// C * K * 9 values (which could not exist either).
TEST(Memory, CreateWithImpossibleAllocationReleasesEverything) {
  const size_t live_before = probe::live_aligned();
  std::vector<uint16_t> weights(9, 0x3c00);
  const std::pair<int32_t, int32_t> channels[] = {
      {1 << 21, 1 << 21}, {1 << 27, 1 << 27}, {1 << 20, 1 << 27}, {1 << 27, 1 << 20}};
  for (Implementation impl : hawc_test::available_implementations())
    for (const auto& [c_in, c_out] : channels)
      for (int algo = 0; algo <= 3; ++algo)
        for (int layout = 0; layout <= 2; ++layout) {
          hawc_conv2d_params p;
          hawc_conv2d_params_init(&p);
          p.in_channels = c_in;
          p.out_channels = c_out;
          p.algorithm = static_cast<hawc_algorithm>(algo);
          p.layout = static_cast<hawc_layout>(layout);
          ASSERT_EQ(hawc_model::create_status(p), HAWC_STATUS_SUCCESS);  // passes validation
          hawc_conv2d* conv = reinterpret_cast<hawc_conv2d*>(uintptr_t(0x10));
          EXPECT_EQ(hawc::create_conv2d(&p, weights.data(), weights.data(), impl, &conv),
                    HAWC_STATUS_OUT_OF_MEMORY)
              << c_in << " x " << c_out << " channels, algorithm " << algo;
          EXPECT_EQ(conv, nullptr);
          EXPECT_STRNE(hawc_last_error_message(), "");
        }
  EXPECT_EQ(probe::live_aligned(), live_before);
  expect_no_leaks();
}

// Every allocation create makes fails in turn (the object, the packed
// weights, the biases, the FP16 copy): each time create returns
// OUT_OF_MEMORY with *out NULL and has released what it had allocated.
TEST(Memory, CreateFailingAtEveryAllocationReleasesEverything) {
  for (Implementation impl : hawc_test::available_implementations())
    for (int algo = 1; algo <= 3; ++algo) {
      hawc_conv2d_params p;
      hawc_conv2d_params_init(&p);
      p.in_channels = 13;
      p.out_channels = 21;
      p.algorithm = static_cast<hawc_algorithm>(algo);
      std::vector<uint16_t> weights(13 * 21 * 9, 0x3c00), bias(21, 0x3c00);
      const size_t live_before = probe::live_aligned();
      int failing_points = 0;
      for (long n = 1; n < 100; ++n) {
        hawc_conv2d* conv = reinterpret_cast<hawc_conv2d*>(uintptr_t(0x10));
        probe::arm(n);
        const hawc_status st = hawc::create_conv2d(&p, weights.data(), bias.data(), impl, &conv);
        const bool injected = probe::disarm();
        if (!injected) {  // all n - 1 allocations succeeded
          ASSERT_EQ(st, HAWC_STATUS_SUCCESS) << hawc_last_error_message();
          hawc_conv2d_destroy(conv);
          break;
        }
        ++failing_points;
        EXPECT_EQ(st, HAWC_STATUS_OUT_OF_MEMORY) << "allocation " << n << " failed";
        EXPECT_EQ(conv, nullptr) << "allocation " << n << " failed";
        EXPECT_STRNE(hawc_last_error_message(), "");
        EXPECT_EQ(probe::live_aligned(), live_before) << "leak when allocation " << n << " failed";
        if (st == HAWC_STATUS_SUCCESS) hawc_conv2d_destroy(conv);
      }
      EXPECT_GE(failing_points, 3) << "object, packed weights and biases are allocated";
      EXPECT_EQ(probe::live_aligned(), live_before);
    }
  expect_no_leaks();
}

// A run whose workspace cannot be allocated returns OUT_OF_MEMORY, writes
// nothing, and the object stays usable.
TEST(Memory, RunFailingToAllocateWorkspaceWritesNothing) {
  for (Implementation impl : hawc_test::available_implementations()) {
    std::vector<uint16_t> weights;
    hawc_conv2d* conv = make_small(impl, HAWC_LAYOUT_NCHW8C, 11, 5, HAWC_ALGORITHM_AUTO, &weights);
    ASSERT_NE(conv, nullptr);
    std::vector<uint16_t> in(elements(HAWC_LAYOUT_NCHW8C, 2, 11, 9, 9), 0x3c00),
        out(elements(HAWC_LAYOUT_NCHW8C, 2, 5, 9, 9), 0x1234);
    probe::arm(1);
    const hawc_status st = hawc_conv2d_run(conv, 2, 9, 9, in.data(), out.data(), nullptr);
    ASSERT_TRUE(probe::disarm()) << "the first run allocates its workspace";
    EXPECT_EQ(st, HAWC_STATUS_OUT_OF_MEMORY);
    EXPECT_STRNE(hawc_last_error_message(), "");
    EXPECT_EQ(out, std::vector<uint16_t>(out.size(), 0x1234));
    EXPECT_EQ(hawc_conv2d_run(conv, 2, 9, 9, in.data(), out.data(), nullptr), HAWC_STATUS_SUCCESS);
    EXPECT_NE(out, std::vector<uint16_t>(out.size(), 0x1234));
    hawc_conv2d_destroy(conv);
  }
}

}  // namespace

// ---- Resource limits: thread counts and allocation failures inside a run ----
namespace {

// Huge num_threads (valid: hawc.h says >= 0) once reached OpenMP uncapped in
// the phased schedule: 100000 segfaulted inside libgomp, INT32_MAX aborted
// ("libgomp: Out of memory allocating 481036338272 bytes"). Now runs use at
// most HAWC_MAX_THREADS threads and no more tasks than pieces of work.
// Exit code 0 when a run of a small layer with this many threads succeeds.
int run_small_layer_with_threads(int32_t threads) {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = p.out_channels = 4;
  std::vector<uint16_t> w(4 * 4 * 9, 0x2e66), in(4 * 6 * 6, 0x3c00), out(4 * 6 * 6);
  hawc_conv2d* c = nullptr;
  if (hawc_conv2d_create(&p, w.data(), nullptr, &c) != HAWC_STATUS_SUCCESS) return 3;
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = threads;
  const hawc_status st = hawc_conv2d_run(c, 1, 6, 6, in.data(), out.data(), &o);
  hawc_conv2d_destroy(c);
  return st == HAWC_STATUS_SUCCESS ? 0 : 2;
}


// A run without a caller workspace leases one from the object's cache
// (src/workspace_cache.h), and the lease's destructor gives it back with
// free_.push_back, which allocates. That allocation failing once threw
// std::bad_alloc out of a noexcept destructor (std::terminate); now the buffer
// is freed instead of cached and the run succeeds. The first throwing
// allocation in a first run on a new object is that push_back.
int run_with_failing_cache_growth() {
  hawc_conv2d_params p;
  hawc_conv2d_params_init(&p);
  p.in_channels = p.out_channels = 4;
  std::vector<uint16_t> w(4 * 4 * 9, 0x2e66), in(4 * 6 * 6, 0x3c00), out(4 * 6 * 6);
  hawc_conv2d* c = nullptr;
  if (hawc_conv2d_create(&p, w.data(), nullptr, &c) != HAWC_STATUS_SUCCESS) return 3;
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 1;
  probe::g_new_countdown.store(1);
  const hawc_status st = hawc_conv2d_run(c, 1, 6, 6, in.data(), out.data(), &o);
  probe::g_new_countdown.store(0);
  hawc_conv2d_destroy(c);
  return st == HAWC_STATUS_SUCCESS ? 0 : 2;
}

TEST(Memory, RunSurvivesFailingWorkspaceCacheGrowth) {
  EXPECT_EQ(run_with_failing_cache_growth(), 0);
}

// In-process, not a death test: forking after OpenMP started its threads
// hangs the child in libgomp.
TEST(Memory, HugeNumThreadsRuns) {
  for (auto schedule : {hawc::ScheduleChoice::Auto, hawc::ScheduleChoice::Fused,
                        hawc::ScheduleChoice::Phased}) {
    hawc::force_schedule(schedule);
    for (int32_t threads : {HAWC_MAX_THREADS + 1, 100000, 1 << 20, INT32_MAX})
      EXPECT_EQ(run_small_layer_with_threads(threads), 0)
          << "num_threads " << threads << ", schedule " << int(schedule);
  }
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
}

}  // namespace
