// Engine thread pools, caller workspaces and concurrent runs on one object:
// every way of running gives the same bits as a plain single-threaded run.
#include <gtest/gtest.h>

#include <dirent.h>

#include <atomic>
#include <cstdlib>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "src/conv2d.h"
#include "tests/support/conv_check.h"
#include "tests/support/implementations.h"
#include "tests/support/thread_pool.h"

namespace {

using hawc_test::ConvCase;

using hawc_test::ThreadPool;  // tests/support/thread_pool.h

struct Layer {
  ConvCase c;
  hawc_test::ConvData d;
  hawc_conv2d* conv = nullptr;
  std::vector<uint16_t> expected;  // single-threaded OpenMP-free run
};

Layer make_layer(hawc::Implementation impl) {
  Layer l;
  l.c.shape = {2, 19, 24, 21, 18};
  l.c.layout = HAWC_LAYOUT_NHWC;
  l.c.activation = HAWC_ACTIVATION_RELU6;
  l.c.algorithm = HAWC_ALGORITHM_WINOGRAD_F4X3;
  l.d = hawc_test::make_conv_data(l.c);
  const hawc_conv2d_params p = hawc_test::params_for(l.c);
  EXPECT_EQ(hawc::create_conv2d(&p, l.d.weights.data(), l.d.bias.data(), impl, &l.conv),
            HAWC_STATUS_SUCCESS);
  EXPECT_GE(hawc_test::run_and_compare(l.conv, l.c, l.d, 1, &l.expected), 0.0);
  return l;
}

std::vector<uint16_t> run(Layer& l, const hawc_run_options& o) {
  std::vector<uint16_t> out(l.d.output_elements, 0x7e00);
  EXPECT_EQ(hawc_conv2d_run(l.conv, l.c.shape.batch, l.c.shape.in_h, l.c.shape.in_w,
                            l.d.input.data(), out.data(), &o),
            HAWC_STATUS_SUCCESS)
      << hawc_last_error_message();
  return out;
}

class ThreadingTest : public testing::TestWithParam<hawc::Implementation> {};

TEST_P(ThreadingTest, EngineThreadPoolRunsAllTasks) {
  Layer l = make_layer(GetParam());
  for (int workers : {1, 3, 4}) {
    ThreadPool pool(workers);
    for (int threads : {1, 2, 5, 16}) {
      hawc_run_options o;
      hawc_run_options_init(&o);
      o.num_threads = threads;
      o.parallel_for = &ThreadPool::parallel_for;
      o.parallel_context = &pool;
      EXPECT_EQ(run(l, o), l.expected) << workers << " workers, " << threads << " threads";
    }
    EXPECT_GT(pool.calls(), 0) << "the pool was never used";
  }
  hawc_conv2d_destroy(l.conv);
}

TEST_P(ThreadingTest, CallerWorkspaceAnyAlignment) {
  Layer l = make_layer(GetParam());
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 3;
  size_t bytes = 0;
  ASSERT_EQ(hawc_conv2d_workspace_size(l.conv, l.c.shape.batch, l.c.shape.in_h, l.c.shape.in_w, &o,
                                       &bytes),
            HAWC_STATUS_SUCCESS);
  ASSERT_GT(bytes, 0u);
  std::vector<unsigned char> storage(bytes + 3);
  o.workspace = storage.data() + 3;  // deliberately unaligned
  o.workspace_size = bytes;
  EXPECT_EQ(run(l, o), l.expected);
  // Too small: refused, output untouched.
  o.workspace_size = bytes - 1;
  std::vector<uint16_t> out(l.d.output_elements, 0x1234);
  EXPECT_EQ(hawc_conv2d_run(l.conv, l.c.shape.batch, l.c.shape.in_h, l.c.shape.in_w,
                            l.d.input.data(), out.data(), &o),
            HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(out, std::vector<uint16_t>(l.d.output_elements, 0x1234));
  hawc_conv2d_destroy(l.conv);
}

TEST_P(ThreadingTest, ConcurrentRunsOnOneObject) {
  Layer l = make_layer(GetParam());
  std::vector<std::thread> callers;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      hawc_run_options o;
      hawc_run_options_init(&o);
      o.num_threads = 1 + t % 2;
      for (int i = 0; i < 3; ++i)
        if (run(l, o) != l.expected) ++mismatches;
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  hawc_conv2d_destroy(l.conv);
}

// The promise of hawc.h ("OpenMP failures"): with the engine's parallel_for,
// hawc starts no thread, so libgomp's unreportable failures (thread creation,
// its team's memory) cannot happen, whatever num_threads says. Checked in a
// forked child (a death test), which holds only the forking thread, not
// earlier tests' OpenMP pool: the threads in /proc/self/task before and
// after 1024-thread runs (64 -> 64 channels, 112x112, both precision
// levels) are the same.
size_t thread_count() {
  size_t n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

void serial_parallel_for(void*, int32_t n, hawc_task_fn task, void* context) {
  for (int32_t i = 0; i < n; ++i) task(context, i);
}

void run_on_engine_hook_and_exit(hawc::Implementation impl) {
  const size_t before = thread_count();
  bool ok = before > 0;
  for (hawc_precision level : {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST}) {
    ConvCase c;
    c.shape = {1, 64, 64, 112, 112};
    c.layout = HAWC_LAYOUT_NCHW8C;
    c.precision = level;
    const hawc_test::ConvData d = hawc_test::make_conv_inputs(c);
    const hawc_conv2d_params p = hawc_test::params_for(c);
    hawc_conv2d* conv = nullptr;
    ok = ok && hawc::create_conv2d(&p, d.weights.data(), d.bias.data(), impl, &conv) ==
                   HAWC_STATUS_SUCCESS;
    hawc_run_options o;
    hawc_run_options_init(&o);
    o.num_threads = 1024;
    o.parallel_for = serial_parallel_for;
    std::vector<uint16_t> out(d.output_elements);
    ok = ok && hawc_conv2d_run(conv, 1, 112, 112, d.input.data(), out.data(), &o) ==
                   HAWC_STATUS_SUCCESS;
    hawc_conv2d_destroy(conv);
  }
  std::exit(ok && thread_count() == before ? 0 : 1);
}

TEST_P(ThreadingTest, EngineHookStartsNoThread) {
  // "fast" (fork without exec): under QEMU user mode the child could not
  // exec this aarch64 binary.
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(run_on_engine_hook_and_exit(GetParam()), testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(Implementations, ThreadingTest,
                         testing::ValuesIn(hawc_test::available_implementations()),
                         [](const auto& info) { return hawc_test::implementation_name(info.param); });

}  // namespace
