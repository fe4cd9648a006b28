// A minimal reader of the ONNX protobuf files in ONNX's backend test data
// (model.onnx, input_N.pb, output_N.pb): only the fields a Conv test needs,
// decoded straight from the wire format so the tests need no protobuf library.
// Field numbers are onnx.proto's (IR version 7 and later keep them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace onnx_lite {

// TensorProto.DataType values used here.
constexpr int32_t kFloat = 1;

struct Tensor {
  std::string name;
  int32_t data_type = 0;
  std::vector<int64_t> dims;
  std::vector<float> values;  // filled for FLOAT tensors only
};

// AttributeProto.AttributeType values used here.
enum class AttributeType : int32_t { Undefined = 0, Float = 1, Int = 2, String = 3, Ints = 7 };

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<int64_t> ints;
};

struct Node {
  std::string op_type;
  std::vector<std::string> inputs, outputs;
  std::vector<Attribute> attributes;
  const Attribute* attribute(const std::string& name) const;  // nullptr when absent
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<Tensor> initializers;
  std::vector<std::string> inputs;                           // names of GraphProto.input, in order
  const Tensor* initializer(const std::string& name) const;  // nullptr when absent
};

// Both throw std::runtime_error (with the path) on an unreadable file or
// malformed protobuf data.
Graph read_model(const std::string& path);
Tensor read_tensor(const std::string& path);

}  // namespace onnx_lite
