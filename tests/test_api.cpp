// Bad input gets a clear status and message and writes nothing.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "hawc/hawc.h"
#include "src/planner.h"

namespace {

// Stores an arbitrary int in a C enum field, as C callers can.
template <typename Enum>
void set_raw(Enum* field, int v) {
  std::memcpy(field, &v, sizeof v);
}

class ApiTest : public testing::Test {
 protected:
  void SetUp() override { hawc_conv2d_params_init(&p_); }
  hawc_status create(hawc_conv2d** out) { return hawc_conv2d_create(&p_, weights_.data(), nullptr, out); }
  void expect_invalid_create(const char* what) {
    hawc_conv2d* c = reinterpret_cast<hawc_conv2d*>(0x1);
    EXPECT_EQ(create(&c), HAWC_STATUS_INVALID_PARAMETER) << what;
    EXPECT_EQ(c, nullptr) << what;
    EXPECT_STRNE(hawc_last_error_message(), "") << what;
  }
  hawc_conv2d_params p_;
  std::vector<uint16_t> weights_ = std::vector<uint16_t>(9 * 64 * 64, 0x3c00);
};

TEST_F(ApiTest, DefaultsDescribeA3x3SamePaddedConv) {
  EXPECT_EQ(p_.kernel_h, 3);
  EXPECT_EQ(p_.kernel_w, 3);
  EXPECT_EQ(p_.stride_h, 1);
  EXPECT_EQ(p_.pad_top, 1);
  EXPECT_EQ(p_.pad_right, 1);
  EXPECT_EQ(p_.layout, HAWC_LAYOUT_NCHW);
  EXPECT_EQ(p_.algorithm, HAWC_ALGORITHM_AUTO);
  EXPECT_EQ(p_.precision, HAWC_PRECISION_HIGH);
  hawc_run_options o;
  hawc_run_options_init(&o);
  EXPECT_EQ(o.num_threads, 0);
}

TEST_F(ApiTest, CreateRejectsNullPointers) {
  hawc_conv2d* c = nullptr;
  EXPECT_EQ(hawc_conv2d_create(nullptr, weights_.data(), nullptr, &c), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(hawc_conv2d_create(&p_, nullptr, nullptr, &c), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(hawc_conv2d_create(&p_, weights_.data(), nullptr, nullptr), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_STRNE(hawc_last_error_message(), "");
}

TEST_F(ApiTest, CreateRejectsBadSizes) {
  // Each size field below 1, one at a time; the message names the field.
  const std::pair<int32_t hawc_conv2d_params::*, const char*> sizes[] = {
      {&hawc_conv2d_params::in_channels, "in_channels"},
      {&hawc_conv2d_params::out_channels, "out_channels"},
      {&hawc_conv2d_params::kernel_w, "kernel_w"},
      {&hawc_conv2d_params::stride_h, "stride_h"},
      {&hawc_conv2d_params::dilation_w, "dilation_w"},
      {&hawc_conv2d_params::groups, "groups"}};
  for (const auto& [field, name] : sizes)
    for (int v : {0, -1, INT_MIN}) {
      hawc_conv2d_params_init(&p_);
      p_.*field = v;
      expect_invalid_create(name);
    }
  hawc_conv2d_params_init(&p_);
  p_.pad_bottom = -1;
  expect_invalid_create("negative padding");
  hawc_conv2d_params_init(&p_);
  p_.in_channels = 6;
  p_.out_channels = 4;
  p_.groups = 4;
  expect_invalid_create("groups that do not divide in_channels");
}

TEST_F(ApiTest, CreateRejectsUnknownEnums) {
  hawc_conv2d_params_init(&p_);
  set_raw(&p_.layout, 3);
  expect_invalid_create("layout");
  hawc_conv2d_params_init(&p_);
  set_raw(&p_.activation, -1);
  expect_invalid_create("activation");
  hawc_conv2d_params_init(&p_);
  set_raw(&p_.algorithm, 17);
  expect_invalid_create("algorithm");
  hawc_conv2d_params_init(&p_);
  set_raw(&p_.precision, 2);
  expect_invalid_create("precision");
  set_raw(&p_.precision, -1);
  expect_invalid_create("precision");
}

TEST_F(ApiTest, CreateRejectsChannelCountsThatOverflowBuffers) {
  hawc_conv2d_params_init(&p_);
  p_.in_channels = INT_MAX;
  p_.out_channels = INT_MAX;
  expect_invalid_create("INT_MAX x INT_MAX channels");
}

// Valid convolutions outside what is implemented: UNSUPPORTED, with a
// message that names the limit, and no object.
TEST_F(ApiTest, ShapesBeyondTheImplementedOnesAreUnsupported) {
  struct Case {
    void (*set)(hawc_conv2d_params*);
    const char* message;
  };
  const Case cases[] = {
      {[](hawc_conv2d_params* p) { p->kernel_h = 8; }, "kernels up to 7x7"},
      {[](hawc_conv2d_params* p) { p->stride_w = 3; }, "strides up to 2"},
      {[](hawc_conv2d_params* p) { p->dilation_h = 9; }, "dilations up to 8"},
      {[](hawc_conv2d_params* p) { p->pad_left = 3; }, "padding at or beyond the kernel's extent"},
      {[](hawc_conv2d_params* p) { p->in_channels = p->out_channels = 4, p->groups = 4; },
       "depthwise convolution"},
      {[](hawc_conv2d_params* p) { p->in_channels = p->out_channels = 4, p->groups = 2,
                                   p->algorithm = HAWC_ALGORITHM_WINOGRAD_F4X3; },
       "in one group"},
      {[](hawc_conv2d_params* p) { p->kernel_h = p->kernel_w = 1, p->pad_top = p->pad_left =
                                       p->pad_bottom = p->pad_right = 0,
                                   p->algorithm = HAWC_ALGORITHM_WINOGRAD_F4X3; },
       "Winograd F(m x m, 3 x 3) runs 3x3"},
      {[](hawc_conv2d_params* p) { p->stride_h = 2, p->algorithm = HAWC_ALGORITHM_WINOGRAD_F2X3; },
       "use AUTO or GEMM"},
  };
  for (const Case& k : cases) {
    hawc_conv2d_params_init(&p_);
    k.set(&p_);
    hawc_conv2d* c = reinterpret_cast<hawc_conv2d*>(&p_);
    EXPECT_EQ(create(&c), HAWC_STATUS_UNSUPPORTED_PARAMETER) << k.message;
    EXPECT_EQ(c, nullptr);
    EXPECT_NE(std::strstr(hawc_last_error_message(), k.message), nullptr)
        << hawc_last_error_message();
  }
}

// What AUTO picks, and the output shape of strided, dilated and asymmetric
// layers (ONNX: (in + pads - extent) / stride + 1, rounded down).
TEST_F(ApiTest, OtherShapesRunTheGemmAndHaveOnnxOutputShapes) {
  struct Case {
    int kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, in_h, in_w, out_h, out_w;
  };
  const Case cases[] = {
      {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 7, 5, 7, 5},      {1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 7, 5, 4, 3},
      {3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 224, 223, 112, 112}, {7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 224, 224, 112, 112},
      {1, 7, 1, 1, 1, 1, 0, 3, 0, 3, 17, 17, 17, 17},  {3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 9, 9, 9, 9},
      {5, 3, 2, 1, 1, 3, 0, 1, 2, 3, 10, 10, 4, 8},
  };
  for (const Case& k : cases) {
    hawc_conv2d_params_init(&p_);
    p_.kernel_h = k.kh, p_.kernel_w = k.kw, p_.stride_h = k.sh, p_.stride_w = k.sw;
    p_.dilation_h = k.dh, p_.dilation_w = k.dw;
    p_.pad_top = k.pt, p_.pad_left = k.pl, p_.pad_bottom = k.pb, p_.pad_right = k.pr;
    hawc_conv2d* c = nullptr;
    ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS) << hawc_last_error_message();
    EXPECT_EQ(hawc_conv2d_algorithm(c), HAWC_ALGORITHM_GEMM);
    int32_t oh = 0, ow = 0;
    EXPECT_EQ(hawc_conv2d_output_shape(c, k.in_h, k.in_w, &oh, &ow), HAWC_STATUS_SUCCESS);
    EXPECT_EQ(oh, k.out_h);
    EXPECT_EQ(ow, k.out_w);
    EXPECT_EQ(hawc_conv2d_output_shape(c, 1, 1, &oh, &ow),
              k.kh == 1 && k.kw == 1 ? HAWC_STATUS_SUCCESS
              : k.pt + k.pb + 1 >= (k.kh - 1) * k.dh + 1 && k.pl + k.pr + 1 >= (k.kw - 1) * k.dw + 1
                  ? HAWC_STATUS_SUCCESS
                  : HAWC_STATUS_INVALID_PARAMETER);
    hawc_conv2d_destroy(c);
  }
  hawc_conv2d_params_init(&p_);  // 3x3 stride 1: Winograd, unless GEMM is asked for
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  EXPECT_NE(hawc_conv2d_algorithm(c), HAWC_ALGORITHM_GEMM);
  hawc_conv2d_destroy(c);
  p_.algorithm = HAWC_ALGORITHM_GEMM;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  EXPECT_EQ(hawc_conv2d_algorithm(c), HAWC_ALGORITHM_GEMM);
  hawc_conv2d_destroy(c);
}

TEST_F(ApiTest, RunRejectsBadArgumentsAndWritesNothing) {
  p_.in_channels = 4;
  p_.out_channels = 5;
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  std::vector<uint16_t> in(4 * 6 * 6, 0x3c00), out(5 * 6 * 6 * 2, 0xabcd);
  const std::vector<uint16_t> untouched = out;
  hawc_run_options o;
  hawc_run_options_init(&o);
  EXPECT_EQ(hawc_conv2d_run(nullptr, 1, 6, 6, in.data(), out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(hawc_conv2d_run(c, 1, 6, 6, nullptr, out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(hawc_conv2d_run(c, 1, 6, 6, in.data(), nullptr, nullptr), HAWC_STATUS_INVALID_PARAMETER);
  for (int v : {0, -3}) {
    EXPECT_EQ(hawc_conv2d_run(c, v, 6, 6, in.data(), out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
    EXPECT_EQ(hawc_conv2d_run(c, 1, v, 6, in.data(), out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
    EXPECT_EQ(hawc_conv2d_run(c, 1, 6, v, in.data(), out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
  }
  o.num_threads = -1;
  EXPECT_EQ(hawc_conv2d_run(c, 1, 6, 6, in.data(), out.data(), &o), HAWC_STATUS_INVALID_PARAMETER);
  // Sizes whose byte counts overflow size_t.
  EXPECT_EQ(hawc_conv2d_run(c, INT_MAX, INT_MAX, INT_MAX, in.data(), out.data(), nullptr),
            HAWC_STATUS_INVALID_PARAMETER);
  // Output overlapping the input.
  std::vector<uint16_t> both(4 * 6 * 6 + 5 * 6 * 6);
  EXPECT_EQ(hawc_conv2d_run(c, 1, 6, 6, both.data(), both.data() + 10, nullptr), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_NE(std::strstr(hawc_last_error_message(), "overlap"), nullptr);
  EXPECT_EQ(out, untouched);
  hawc_conv2d_destroy(c);
}

TEST_F(ApiTest, EmptyOutputIsRejected) {
  p_.pad_top = p_.pad_bottom = p_.pad_left = p_.pad_right = 0;
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  int32_t h = -7, w = -7;
  EXPECT_EQ(hawc_conv2d_output_shape(c, 2, 5, &h, &w), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(h, -7);
  EXPECT_EQ(hawc_conv2d_output_shape(c, 3, 5, &h, &w), HAWC_STATUS_SUCCESS);
  EXPECT_EQ(h, 1);
  EXPECT_EQ(w, 3);
  std::vector<uint16_t> in(2 * 5), out(16, 0x1234);
  EXPECT_EQ(hawc_conv2d_run(c, 1, 2, 5, in.data(), out.data(), nullptr), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(out, std::vector<uint16_t>(16, 0x1234));
  hawc_conv2d_destroy(c);
}

// ---- hostile inputs (the problem report's R1-R4) ----

bool message_has(const char* text) { return std::strstr(hawc_last_error_message(), text) != nullptr; }

// R1: the phased schedule's size (V and M of the whole batch) once wrapped
// size_t: 64 bytes reported for a run that needed 2^65 (C = K = 4096, batch
// 2^24 of 6144x6144). The same wrap with few input channels: C = 8, K = 4096.
TEST_F(ApiTest, HugeValidShapesGetHonestWorkspaceSizes) {
  p_.in_channels = 8;
  p_.out_channels = 4096;
  std::vector<uint16_t> weights(size_t(4096) * 8 * 9, 0x3c00);
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(hawc_conv2d_create(&p_, weights.data(), nullptr, &c), HAWC_STATUS_SUCCESS);
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.num_threads = 2;
  const int32_t batch = 1 << 24, side = 6144;
  size_t bytes = 0;
  // Fused blocks: a few MiB per thread, whatever the batch.
  ASSERT_EQ(hawc_conv2d_workspace_size(c, batch, side, side, &o, &bytes), HAWC_STATUS_SUCCESS)
      << hawc_last_error_message();
  EXPECT_GT(bytes, size_t(1) << 20);
  EXPECT_LT(bytes, size_t(1) << 30);
  // Forced phased (the whole batch's V and M): too large, said so.
  hawc::force_schedule(hawc::ScheduleChoice::Phased);
  bytes = 7;
  EXPECT_EQ(hawc_conv2d_workspace_size(c, batch, side, side, &o, &bytes),
            HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(bytes, 7u);
  EXPECT_TRUE(message_has("workspace exceeds the addressable size")) << hawc_last_error_message();
  hawc::force_schedule(hawc::ScheduleChoice::Auto);
  // Tensors beyond the address space.
  EXPECT_EQ(hawc_conv2d_workspace_size(c, INT_MAX, 40000, 40000, &o, &bytes),
            HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_TRUE(message_has("tensors exceed the addressable size")) << hawc_last_error_message();
  hawc_conv2d_destroy(c);
}

// R2: workspace_size = SIZE_MAX made ptr + size wrap, and a workspace on top
// of the input passed the overlap check.
TEST_F(ApiTest, WorkspaceOverlappingATensorIsRejectedWhateverItsSize) {
  p_.in_channels = 4;
  p_.out_channels = 4;
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  std::vector<uint16_t> in(4 * 8 * 8, 0x3c00), out(4 * 8 * 8, 0);
  const std::vector<uint16_t> in_before = in;
  hawc_run_options o;
  hawc_run_options_init(&o);
  o.workspace_size = SIZE_MAX;
  for (void* ws : {static_cast<void*>(in.data()), static_cast<void*>(in.data() + 3),
                   static_cast<void*>(out.data() + 1)}) {
    o.workspace = ws;
    EXPECT_EQ(hawc_conv2d_run(c, 1, 8, 8, in.data(), out.data(), &o),
              HAWC_STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(message_has("workspace overlaps")) << hawc_last_error_message();
  }
  EXPECT_EQ(in, in_before);
  // A workspace just below the input (its needed bytes end where the input
  // starts) is fine.
  size_t needed = 0;
  ASSERT_EQ(hawc_conv2d_workspace_size(c, 1, 8, 8, &o, &needed), HAWC_STATUS_SUCCESS);
  std::vector<unsigned char> buffer(needed + in.size() * 2);
  uint16_t* in_after = reinterpret_cast<uint16_t*>(buffer.data() + needed + needed % 2);
  std::memcpy(in_after, in.data(), in.size() * 2);
  o.workspace = buffer.data();
  EXPECT_EQ(hawc_conv2d_run(c, 1, 8, 8, in_after, out.data(), &o), HAWC_STATUS_SUCCESS)
      << hawc_last_error_message();
  hawc_conv2d_destroy(c);
}

// R3: an output taller than INT32_MAX was reported as "empty"; and rows
// near INT_MAX would overflow int in the tile loops (y0 + i).
TEST_F(ApiTest, HugeSidesGetAClearMessage) {
  p_.pad_top = p_.pad_bottom = 2;
  hawc_conv2d* c = nullptr;
  ASSERT_EQ(create(&c), HAWC_STATUS_SUCCESS);
  int32_t h = 0, w = 0;
  EXPECT_EQ(hawc_conv2d_output_shape(c, INT_MAX, 4, &h, &w), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_TRUE(message_has("are not supported")) << hawc_last_error_message();
  EXPECT_FALSE(message_has("empty"));
  EXPECT_EQ(hawc_conv2d_output_shape(c, 4, INT_MAX - 3, &h, &w), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_TRUE(message_has("are not supported")) << hawc_last_error_message();
  EXPECT_EQ(hawc_conv2d_output_shape(c, INT_MAX - 256, 4, &h, &w), HAWC_STATUS_SUCCESS);
  EXPECT_EQ(h, INT_MAX - 256 + 2);
  hawc_conv2d_destroy(c);
}

// R4: odd (1-byte aligned) tensors were accepted and read misaligned.
TEST_F(ApiTest, OddPointersAreRejected) {
  p_.in_channels = 2;
  p_.out_channels = 2;
  std::vector<uint16_t> raw(64, 0x3c00);
  const uint16_t* odd =
      reinterpret_cast<const uint16_t*>(reinterpret_cast<const unsigned char*>(raw.data()) + 1);
  hawc_conv2d* c = reinterpret_cast<hawc_conv2d*>(0x1);
  EXPECT_EQ(hawc_conv2d_create(&p_, odd, nullptr, &c), HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(c, nullptr);
  EXPECT_TRUE(message_has("2-byte aligned")) << hawc_last_error_message();
  EXPECT_EQ(hawc_conv2d_create(&p_, raw.data(), odd, &c), HAWC_STATUS_INVALID_PARAMETER);
  ASSERT_EQ(hawc_conv2d_create(&p_, raw.data(), nullptr, &c), HAWC_STATUS_SUCCESS);
  std::vector<uint16_t> in(2 * 4 * 4 + 1, 0x3c00), out(2 * 4 * 4 + 1, 0x1234);
  uint16_t* odd_out =
      reinterpret_cast<uint16_t*>(reinterpret_cast<unsigned char*>(out.data()) + 1);
  const uint16_t* odd_in =
      reinterpret_cast<const uint16_t*>(reinterpret_cast<const unsigned char*>(in.data()) + 1);
  EXPECT_EQ(hawc_conv2d_run(c, 1, 4, 4, odd_in, out.data(), nullptr),
            HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_TRUE(message_has("2-byte aligned")) << hawc_last_error_message();
  EXPECT_EQ(hawc_conv2d_run(c, 1, 4, 4, in.data(), odd_out, nullptr),
            HAWC_STATUS_INVALID_PARAMETER);
  EXPECT_EQ(out, std::vector<uint16_t>(2 * 4 * 4 + 1, 0x1234));
  hawc_conv2d_destroy(c);
}

TEST_F(ApiTest, StatusStringsAndNullHandles) {
  EXPECT_STREQ(hawc_status_string(HAWC_STATUS_SUCCESS), "success");
  EXPECT_STREQ(hawc_status_string(HAWC_STATUS_OUT_OF_MEMORY), "out of memory");
  EXPECT_EQ(hawc_conv2d_algorithm(nullptr), HAWC_ALGORITHM_AUTO);
  EXPECT_EQ(hawc_conv2d_precision(nullptr), HAWC_PRECISION_HIGH);
  hawc_conv2d_destroy(nullptr);
}

}  // namespace
