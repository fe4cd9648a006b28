#include "tests/onnx/onnx_conv_case.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace hawc_onnx {
namespace {

namespace fs = std::filesystem;
using onnx_lite::Attribute;
using onnx_lite::AttributeType;
using onnx_lite::Graph;
using onnx_lite::Node;
using onnx_lite::Tensor;

const char* data_type_name(int32_t t) {
  static const char* const kNames[] = {"UNDEFINED",  "FLOAT",   "UINT8",  "INT8",   "UINT16",
                                       "INT16",      "INT32",   "INT64",  "STRING", "BOOL",
                                       "FLOAT16",    "DOUBLE",  "UINT32", "UINT64", "COMPLEX64",
                                       "COMPLEX128", "BFLOAT16"};
  return t >= 0 && t < int32_t(std::size(kNames)) ? kNames[t] : "an unknown type";
}

// Conv's attributes with the defaults of the ONNX operator (2-D).
struct ConvAttributes {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel_shape;  // empty: W's spatial dims
  std::vector<int64_t> strides{1, 1}, dilations{1, 1};
  std::vector<int64_t> pads{0, 0, 0, 0};  // top, left, bottom, right
  int64_t group = 1;
};

// "" and *a filled, or the attribute this translation does not know.
std::string read_attributes(const Node& node, ConvAttributes* a) {
  for (const Attribute& attr : node.attributes) {
    const bool ints = attr.type == AttributeType::Ints;
    if (attr.name == "auto_pad" && attr.type == AttributeType::String)
      a->auto_pad = attr.s;
    else if (attr.name == "group" && attr.type == AttributeType::Int)
      a->group = attr.i;
    else if (attr.name == "kernel_shape" && ints)
      a->kernel_shape = attr.ints;
    else if (attr.name == "strides" && ints)
      a->strides = attr.ints;
    else if (attr.name == "dilations" && ints)
      a->dilations = attr.ints;
    else if (attr.name == "pads" && ints)
      a->pads = attr.ints;
    else
      return "attribute '" + attr.name + "' of type " + std::to_string(int(attr.type));
  }
  if (a->strides.size() != 2 || a->dilations.size() != 2 || a->pads.size() != 4 ||
      (!a->kernel_shape.empty() && a->kernel_shape.size() != 2))
    throw std::runtime_error("2-D Conv with attributes of the wrong length");
  return "";
}

// ONNX's auto_pad on one axis: SAME_* pads to out = ceil(in / stride), the odd
// pixel after (UPPER) or before (LOWER) the image; VALID pads nothing.
bool auto_pad_axis(const std::string& mode, int64_t in, int64_t stride, int64_t extent,
                   int64_t* before, int64_t* after) {
  if (mode == "NOTSET") return true;
  if (mode == "VALID") {
    *before = *after = 0;
    return true;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") return false;
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
  const int64_t small = total / 2;
  *before = mode == "SAME_UPPER" ? small : total - small;
  *after = total - *before;
  return true;
}

bool fits_int32(int64_t v, int64_t lowest) { return v >= lowest && v <= INT32_MAX; }

// Graph inputs without an initializer: what input_N.pb feed, in order.
std::vector<std::string> fed_inputs(const Graph& g) {
  std::vector<std::string> fed;
  for (const std::string& name : g.inputs)
    if (g.initializer(name) == nullptr) fed.push_back(name);
  return fed;
}

// The tensors a test's Conv reads: initializers, then test_data_set_0's
// inputs (named, or by position among the fed graph inputs).
std::map<std::string, Tensor> tensors_of(const ConvTestDir& test) {
  std::map<std::string, Tensor> tensors;
  for (const Tensor& t : test.graph.initializers) tensors[t.name] = t;
  const std::vector<std::string> fed = fed_inputs(test.graph);
  for (size_t i = 0;; ++i) {
    const std::string path = test.path + "/test_data_set_0/input_" + std::to_string(i) + ".pb";
    if (!fs::exists(path)) break;
    Tensor t = onnx_lite::read_tensor(path);
    if (t.name.empty() && i >= fed.size())
      throw std::runtime_error(path + ": no graph input to feed");
    const std::string name = t.name.empty() ? fed[i] : t.name;
    tensors[name] = std::move(t);
  }
  return tensors;
}

}  // namespace

std::vector<ConvTestDir> find_conv_tests(const std::string& root,
                                         std::vector<std::string>* errors) {
  std::vector<ConvTestDir> found;
  for (const char* folder : kFolders) {
    const fs::path dir = fs::path(root) / folder;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> tests;
    for (const fs::directory_entry& e : fs::directory_iterator(dir))
      if (fs::exists(e.path() / "model.onnx")) tests.push_back(e.path());
    std::sort(tests.begin(), tests.end());
    for (const fs::path& t : tests) {
      ConvTestDir c{folder, t.filename().string(), t.string(), {}};
      try {
        c.graph = onnx_lite::read_model((t / "model.onnx").string());
      } catch (const std::runtime_error& e) {
        errors->push_back(std::string(folder) + "/" + c.name + ": " + e.what());
        continue;
      }
      if (std::any_of(c.graph.nodes.begin(), c.graph.nodes.end(),
                      [](const Node& n) { return n.op_type == "Conv"; }))
        found.push_back(std::move(c));
    }
  }
  return found;
}

std::string translate(const ConvTestDir& test, ConvCaseData* out) {
  const Graph& g = test.graph;
  if (g.nodes.size() != 1) {
    std::string ops;
    for (const Node& n : g.nodes) ops += (ops.empty() ? "" : ", ") + n.op_type;
    return "graph of " + std::to_string(g.nodes.size()) + " nodes (" + ops + "), not a Conv alone";
  }
  const Node& node = g.nodes[0];
  std::map<std::string, Tensor> tensors = tensors_of(test);
  auto input = [&](size_t i) -> Tensor* {
    if (i >= node.inputs.size() || node.inputs[i].empty()) return nullptr;  // "": omitted
    const auto it = tensors.find(node.inputs[i]);
    if (it == tensors.end())
      throw std::runtime_error("no data for Conv input '" + node.inputs[i] + "'");
    return &it->second;
  };
  Tensor* x = input(0);
  Tensor* w = input(1);
  Tensor* b = input(2);
  if (x == nullptr || w == nullptr) throw std::runtime_error("Conv without X or W");
  Tensor y = onnx_lite::read_tensor(test.path + "/test_data_set_0/output_0.pb");
  const std::pair<const Tensor*, const char*> roles[] = {{x, "X"}, {w, "W"}, {b, "B"}, {&y, "Y"}};
  for (const auto& [t, role] : roles)
    if (t != nullptr && t->data_type != onnx_lite::kFloat)
      return std::string(role) + " is " + data_type_name(t->data_type) + ", not FLOAT";

  const size_t rank = x->dims.size();
  if (rank != 4)
    return rank >= 3 ? std::to_string(rank - 2) + "-D conv" : "X of rank " + std::to_string(rank);
  if (w->dims.size() != 4)
    throw std::runtime_error("2-D Conv with W of rank " + std::to_string(w->dims.size()));
  ConvAttributes a;
  if (std::string unknown = read_attributes(node, &a); !unknown.empty()) return unknown;
  if (!a.kernel_shape.empty() &&
      (a.kernel_shape[0] != w->dims[2] || a.kernel_shape[1] != w->dims[3]))
    throw std::runtime_error("kernel_shape differs from W's dims");

  // Everything hawc_conv2d_params holds must fit its int32 fields.
  const int64_t extent_h = (w->dims[2] - 1) * a.dilations[0] + 1;
  const int64_t extent_w = (w->dims[3] - 1) * a.dilations[1] + 1;
  for (int64_t v :
       {x->dims[0], x->dims[1], x->dims[2], x->dims[3], w->dims[0], w->dims[2], w->dims[3],
        a.strides[0], a.strides[1], a.dilations[0], a.dilations[1], a.group, extent_h, extent_w})
    if (!fits_int32(v, 1)) return "a size, stride, dilation or group outside 1..INT32_MAX";
  if (!auto_pad_axis(a.auto_pad, x->dims[2], a.strides[0], extent_h, &a.pads[0], &a.pads[2]) ||
      !auto_pad_axis(a.auto_pad, x->dims[3], a.strides[1], extent_w, &a.pads[1], &a.pads[3]))
    return "auto_pad " + a.auto_pad;
  for (int64_t p : a.pads)
    if (!fits_int32(p, 0)) return "a pad outside 0..INT32_MAX";

  hawc_ref::ConvShape& s = out->shape;
  s = {int(x->dims[0]), int(x->dims[1]), int(w->dims[0]), int(x->dims[2]), int(x->dims[3])};
  s.kernel_h = int(w->dims[2]), s.kernel_w = int(w->dims[3]);
  s.stride_h = int(a.strides[0]), s.stride_w = int(a.strides[1]);
  s.dilation_h = int(a.dilations[0]), s.dilation_w = int(a.dilations[1]);
  s.pad_top = int(a.pads[0]), s.pad_left = int(a.pads[1]);
  s.pad_bottom = int(a.pads[2]), s.pad_right = int(a.pads[3]);
  s.groups = int(a.group);
  // The model's own data must agree with this reading of it.
  if (s.in_channels % s.groups != 0 || s.out_channels % s.groups != 0 ||
      w->dims[1] != s.in_channels / s.groups)
    throw std::runtime_error("W's dims do not match X's channels and group");
  if (b != nullptr && b->dims != std::vector<int64_t>{s.out_channels})
    throw std::runtime_error("B's dims are not [out_channels]");
  if (y.dims != std::vector<int64_t>{s.batch, s.out_channels, s.out_h(), s.out_w()})
    throw std::runtime_error("output_0's dims differ from those the attributes imply");
  out->x = std::move(x->values);
  out->w = std::move(w->values);
  out->b = b != nullptr ? std::move(b->values) : std::vector<float>();
  out->y = std::move(y.values);
  return "";
}

}  // namespace hawc_onnx
