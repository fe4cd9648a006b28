// ONNX backend Conv tests in hawc's terms: where they are, and each one's
// shape and data as a 2-D convolution, or why hawc's C API cannot express it.
#pragma once

#include <string>
#include <vector>

#include "tests/onnx/onnx_reader.h"
#include "tests/reference/conv2d_reference.h"

namespace hawc_onnx {

// The folders of ONNX's backend test data that hold Conv tests.
inline constexpr const char* kFolders[] = {"node", "pytorch-converted", "pytorch-operator"};

struct ConvTestDir {
  std::string folder;  // one of kFolders
  std::string name;    // e.g. "test_basic_conv_with_padding"
  std::string path;
  onnx_lite::Graph graph;
};

// Test directories under root/<kFolders> whose model has a node of op_type
// exactly "Conv", in kFolders order, then by name. Models that cannot be read
// are left out and described in *errors.
std::vector<ConvTestDir> find_conv_tests(const std::string& root, std::vector<std::string>* errors);

struct ConvCaseData {
  hawc_ref::ConvShape shape;
  std::vector<float> x, w, b, y;  // NCHW input, OIHW weights, bias (empty: none), NCHW output
};

// "" with *out filled when hawc's C API can express the test (test_data_set_0),
// otherwise the reason it cannot ("1-D conv", "X is DOUBLE, not FLOAT", ...).
// Throws std::runtime_error when the test's data contradicts its own model
// (a wrong output shape means this translation is wrong, not the data).
std::string translate(const ConvTestDir& test, ConvCaseData* out);

}  // namespace hawc_onnx
