// ONNX conformance for Conv: every Conv test of ONNX's backend test data
// (Debian's libonnx-testdata) that hawc's C API can express runs through the
// public API in each layout and precision level against ONNX's expected
// output, with test_conv2d's error metric and bounds. Shapes hawc does not
// implement must be the ones hawc.h says it rejects; the rest are listed with
// the reason the API cannot express them. Never passes on missing data.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "hawc/hawc.h"
#include "src/fp16.h"
#include "tests/onnx/onnx_conv_case.h"
#include "tests/support/conv_check.h"
#include "tests/support/error_bounds.h"

namespace {

using hawc_onnx::ConvCaseData;
using hawc_onnx::ConvTestDir;

constexpr hawc_layout kLayouts[] = {HAWC_LAYOUT_NCHW, HAWC_LAYOUT_NHWC, HAWC_LAYOUT_NCHW8C};
constexpr hawc_precision kPrecisions[] = {HAWC_PRECISION_HIGH, HAWC_PRECISION_FAST};
constexpr int kThreads = 2;  // more than one: the split of the work is part of what runs

const char* layout_name(hawc_layout l) {
  return l == HAWC_LAYOUT_NCHW ? "NCHW" : l == HAWC_LAYOUT_NHWC ? "NHWC" : "NCHW8C";
}

const char* algorithm_name(hawc_algorithm a) {
  static const char* const kNames[] = {"AUTO", "F2x3", "F4x3", "F6x3", "GEMM"};
  return a >= HAWC_ALGORITHM_AUTO && a <= HAWC_ALGORITHM_GEMM ? kNames[a] : "?";
}

std::string format(const char* fmt, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// The environment overrides the build's default (CMake HAWC_ONNX_TESTDATA_DIR).
std::string data_root() {
  const char* env = std::getenv("HAWC_ONNX_TESTDATA_DIR");
  return env != nullptr && *env != '\0' ? env : HAWC_ONNX_TESTDATA_DIR;
}

std::string install_hint(const std::string& root) {
  return "no ONNX Conv tests under " + root +
         " (node/, pytorch-converted/, pytorch-operator/): run scripts/install-deps.sh "
         "(apt-get install libonnx-testdata), or point HAWC_ONNX_TESTDATA_DIR (CMake cache "
         "variable or environment) at its data directory";
}

// hawc.h's promise for a shape its API expresses: kernel 1..7, stride 1..2,
// dilation 1..8, 0 <= pad < extent, and groups of two or more input channels
// (depthwise is not implemented). Anything else valid must be
// HAWC_STATUS_UNSUPPORTED_PARAMETER, so any other rejection fails the test.
hawc_status expected_create_status(const hawc_ref::ConvShape& s) {
  auto within = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
  const bool depthwise = s.groups > 1 && s.in_channels / s.groups == 1;
  const bool implemented = within(s.kernel_h, 1, 7) && within(s.kernel_w, 1, 7) &&
                           within(s.stride_h, 1, 2) && within(s.stride_w, 1, 2) &&
                           within(s.dilation_h, 1, 8) && within(s.dilation_w, 1, 8) &&
                           s.pad_top < s.extent_h() && s.pad_bottom < s.extent_h() &&
                           s.pad_left < s.extent_w() && s.pad_right < s.extent_w() && !depthwise;
  return implemented ? HAWC_STATUS_SUCCESS : HAWC_STATUS_UNSUPPORTED_PARAMETER;
}

std::vector<uint16_t> to_fp16(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = hawc::fp32_to_fp16(v[i]);
  return h;
}

std::vector<float> rounded_to_fp16(const std::vector<float>& v) {
  std::vector<float> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = hawc::fp16_to_fp32(hawc::fp32_to_fp16(v[i]));
  return r;
}

// ONNX's output is of the FP32 data, hawc's of the data rounded to FP16: the
// error of an exact convolution of the rounded data is the part of hawc's
// error that rounding alone accounts for (printed, to read the margins by).
double data_rounding_error(const ConvCaseData& d) {
  const std::vector<float> exact =
      hawc_ref::conv2d_reference(d.shape, rounded_to_fp16(d.x), rounded_to_fp16(d.w),
                                 rounded_to_fp16(d.b), hawc_ref::Activation::None);
  return hawc_test::relative_max_error(exact, d.y);
}

enum class Verdict { Pass, Unsupported, NotExpressible, Fail };

struct Row {
  std::string folder, name;
  Verdict verdict;
  std::string detail;
  std::string implementation;  // hawc_conv2d_implementation of the runs ("" if none)
};

struct RunResult {
  double error;  // negative: the run failed
  double bound;
  std::string variant;         // the algorithm hawc chose, and its bound
  std::string implementation;  // hawc_conv2d_implementation
  bool passed() const { return error >= 0 && error <= bound; }
};

// One layout and level of a created object through output_shape and run;
// the error against ONNX's output must be within the bound of the variant
// and implementation hawc chose.
RunResult run_one(const ConvCaseData& d, hawc_layout layout, hawc_precision precision,
                  hawc_conv2d* conv) {
  const hawc_ref::ConvShape& s = d.shape;
  int32_t out_h = 0, out_w = 0;
  EXPECT_EQ(hawc_conv2d_output_shape(conv, s.in_h, s.in_w, &out_h, &out_w), HAWC_STATUS_SUCCESS);
  EXPECT_EQ(out_h, s.out_h());
  EXPECT_EQ(out_w, s.out_w());

  hawc_test::ConvCase c;
  c.shape = s;
  c.layout = layout;
  c.precision = precision;
  hawc_test::ConvData data;
  data.input = hawc_test::nchw_to_layout(d.x, s.batch, s.in_channels, s.in_h, s.in_w, layout);
  data.reference = d.y;  // ONNX's FP32 output, NCHW
  const size_t channels =
      layout == HAWC_LAYOUT_NCHW8C ? (s.out_channels + 7) / 8 * 8 : s.out_channels;
  data.output_elements = size_t(s.batch) * channels * s.out_h() * s.out_w();

  RunResult r;
  r.error = hawc_test::run_and_compare(conv, c, data, kThreads);
  const hawc_algorithm algorithm = hawc_conv2d_algorithm(conv);
  r.implementation = hawc_conv2d_implementation(conv);
  const hawc::Implementation impl = r.implementation == "neon_fp16"
                                        ? hawc::Implementation::NeonFp16
                                        : hawc::Implementation::Portable;
  r.bound = hawc_test::error_bound(impl, algorithm, precision, s.in_channels);
  r.variant = std::string(algorithm_name(algorithm)) + " <=" + format("%.2g", r.bound);
  EXPECT_GE(r.error, 0.0) << layout_name(layout) << ": run failed: " << hawc_last_error_message();
  EXPECT_LE(r.error, r.bound) << layout_name(layout) << " " << r.implementation << " "
                              << algorithm_name(algorithm);
  return r;
}

// Every layout and level of one test the API expresses.
Row check_expressible(const ConvTestDir& t, const ConvCaseData& d) {
  Row row{t.folder, t.name, Verdict::Pass, "", ""};
  const hawc_status expected = expected_create_status(d.shape);
  const std::vector<uint16_t> weights = to_fp16(d.w), bias = to_fp16(d.b);
  std::string errors[2], variants[2];
  for (hawc_layout layout : kLayouts)
    for (int level = 0; level < 2; ++level) {
      hawc_conv2d_params p = hawc_test::params_for({d.shape, layout});
      p.precision = kPrecisions[level];
      hawc_conv2d* conv = nullptr;
      const hawc_status status =
          hawc_conv2d_create(&p, weights.data(), d.b.empty() ? nullptr : bias.data(), &conv);
      const std::string message = hawc_last_error_message();
      if (status != expected) {
        ADD_FAILURE() << layout_name(layout) << ": create returned " << hawc_status_string(status)
                      << " (" << message << "), expected " << hawc_status_string(expected);
        hawc_conv2d_destroy(conv);
        return {t.folder, t.name, Verdict::Fail,
                "create: " + std::string(hawc_status_string(status)) + " " + message, ""};
      }
      if (status != HAWC_STATUS_SUCCESS) {  // the expected rejection
        EXPECT_EQ(conv, nullptr);
        EXPECT_FALSE(message.empty()) << "rejected without a message";
        row.verdict = Verdict::Unsupported;
        row.detail = message;
        continue;
      }
      const RunResult r = run_one(d, layout, kPrecisions[level], conv);
      hawc_conv2d_destroy(conv);
      if (!r.passed()) row.verdict = Verdict::Fail;
      variants[level] = r.variant;
      row.implementation = r.implementation;
      errors[level] += std::string(" ") + layout_name(layout) + " " + format("%.2e", r.error);
    }
  if (row.verdict != Verdict::Unsupported)
    row.detail = "HIGH " + variants[0] + ":" + errors[0] + " | FAST " + variants[1] + ":" +
                 errors[1] + " | FP16 data alone " + format("%.2e", data_rounding_error(d));
  return row;
}

Row check(const ConvTestDir& t) {
  SCOPED_TRACE(t.folder + "/" + t.name);
  ConvCaseData d;
  try {
    const std::string reason = hawc_onnx::translate(t, &d);
    if (!reason.empty()) return {t.folder, t.name, Verdict::NotExpressible, reason, ""};
  } catch (const std::runtime_error& e) {
    ADD_FAILURE() << e.what();
    return {t.folder, t.name, Verdict::Fail, e.what(), ""};
  }
  return check_expressible(t, d);
}

void print_table(const std::vector<Row>& rows) {
  static const char* const kVerdict[] = {"pass", "unsupported", "not expressible", "FAIL"};
  std::printf("\n%-18s %-45s %s\n", "folder", "test", "result (max |out - onnx| / max |onnx|)");
  for (const Row& r : rows)
    std::printf("%-18s %-45s %s: %s\n", r.folder.c_str(), r.name.c_str(), kVerdict[int(r.verdict)],
                r.detail.c_str());
}

TEST(OnnxConv, EveryConvTestPassesOrIsAccountedFor) {
  const std::string root = data_root();
  ASSERT_TRUE(std::filesystem::is_directory(root)) << install_hint(root);
  std::vector<std::string> unreadable;
  const std::vector<ConvTestDir> tests = hawc_onnx::find_conv_tests(root, &unreadable);
  for (const std::string& e : unreadable) ADD_FAILURE() << "unreadable model: " << e;
  ASSERT_FALSE(tests.empty()) << install_hint(root);

  std::vector<Row> rows;
  int count[4] = {};
  std::set<std::string> implementations;
  for (const ConvTestDir& t : tests) {
    rows.push_back(check(t));
    ++count[int(rows.back().verdict)];
    if (!rows.back().implementation.empty()) implementations.insert(rows.back().implementation);
  }
  print_table(rows);
  std::string ran_on;
  for (const std::string& i : implementations) ran_on += " " + i;
  std::printf(
      "\n%zu Conv tests under %s: %d pass, %d unsupported by hawc, %d not expressible, "
      "%d failed; hawc ran on:%s\n",
      tests.size(), root.c_str(), count[0], count[1], count[2], count[3], ran_on.c_str());
  EXPECT_GE(count[int(Verdict::Pass)], 1) << "no ONNX Conv test ran through hawc";
  EXPECT_EQ(count[int(Verdict::Fail)], 0);
}

}  // namespace
