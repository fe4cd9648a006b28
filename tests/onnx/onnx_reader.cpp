#include "tests/onnx/onnx_reader.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace onnx_lite {
namespace {

// Protobuf wire types; 3 and 4 (groups) are deprecated and unused by onnx.proto.
enum WireType { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  int wire_type = kVarint;
  uint64_t scalar = 0;            // kVarint, kFixed64, kFixed32
  const uint8_t* data = nullptr;  // kBytes
  size_t size = 0;
  std::string text() const { return std::string(reinterpret_cast<const char*>(data), size); }
};

class WireReader {
 public:
  WireReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  explicit WireReader(const Field& f) : WireReader(f.data, f.size) {}

  bool done() const { return p_ == end_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) throw std::runtime_error("truncated varint");
      const uint8_t byte = *p_++;
      v |= uint64_t(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    throw std::runtime_error("varint longer than 10 bytes");
  }

  // Little-endian on the wire whatever the host's byte order.
  uint64_t fixed(int bytes) {
    if (end_ - p_ < bytes) throw std::runtime_error("truncated fixed-width field");
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(p_[i]) << (8 * i);
    p_ += bytes;
    return v;
  }

  Field next() {
    Field f;
    const uint64_t key = varint();
    f.number = uint32_t(key >> 3);
    f.wire_type = int(key & 7);
    switch (f.wire_type) {
      case kVarint:
        f.scalar = varint();
        break;
      case kFixed64:
        f.scalar = fixed(8);
        break;
      case kFixed32:
        f.scalar = fixed(4);
        break;
      case kBytes: {
        const uint64_t n = varint();
        if (n > uint64_t(end_ - p_))
          throw std::runtime_error("length-delimited field past the end");
        f.data = p_;
        f.size = size_t(n);
        p_ += n;
        break;
      }
      default:
        throw std::runtime_error("unsupported wire type " + std::to_string(f.wire_type) +
                                 " in field " + std::to_string(f.number));
    }
    return f;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

void expect_wire_type(const Field& f, int wire_type, const char* what) {
  if (f.wire_type != wire_type)
    throw std::runtime_error(std::string(what) + ": wire type " + std::to_string(f.wire_type) +
                             ", expected " + std::to_string(wire_type));
}

float float_from_bits(uint32_t bits) {
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Repeated scalars arrive packed (one length-delimited run) or one per field;
// parsers must accept both.
void append_int64s(const Field& f, std::vector<int64_t>* out, const char* what) {
  if (f.wire_type == kBytes) {
    for (WireReader r(f); !r.done();) out->push_back(int64_t(r.varint()));
  } else {
    expect_wire_type(f, kVarint, what);
    out->push_back(int64_t(f.scalar));
  }
}

void append_floats(const Field& f, std::vector<float>* out, const char* what) {
  if (f.wire_type == kBytes) {
    if (f.size % 4 != 0)
      throw std::runtime_error(std::string(what) + ": packed size not a multiple of 4");
    for (WireReader r(f); !r.done();) out->push_back(float_from_bits(uint32_t(r.fixed(4))));
  } else {
    expect_wire_type(f, kFixed32, what);
    out->push_back(float_from_bits(uint32_t(f.scalar)));
  }
}

Tensor parse_tensor(WireReader r) {
  Tensor t;
  std::vector<float> float_data;
  Field raw_data;
  bool has_raw_data = false;
  while (!r.done()) {
    const Field f = r.next();
    switch (f.number) {
      case 1:
        append_int64s(f, &t.dims, "TensorProto.dims");
        break;
      case 2:
        expect_wire_type(f, kVarint, "TensorProto.data_type");
        t.data_type = int32_t(f.scalar);
        break;
      case 4:
        append_floats(f, &float_data, "TensorProto.float_data");
        break;
      case 8:
        expect_wire_type(f, kBytes, "TensorProto.name");
        t.name = f.text();
        break;
      case 9:
        expect_wire_type(f, kBytes, "TensorProto.raw_data");
        raw_data = f;
        has_raw_data = true;
        break;
      case 14:  // data_location: EXTERNAL data lives in another file
        if (f.scalar != 0) throw std::runtime_error("tensor '" + t.name + "' has external data");
        break;
      default:
        break;
    }
  }
  if (t.data_type != kFloat) return t;
  if (has_raw_data) {
    if (raw_data.size % 4 != 0) throw std::runtime_error("raw_data size not a multiple of 4");
    for (WireReader v(raw_data); !v.done();)
      t.values.push_back(float_from_bits(uint32_t(v.fixed(4))));
  } else {
    t.values = std::move(float_data);
  }
  size_t elements = 1;
  for (int64_t d : t.dims) {
    if (d < 0) throw std::runtime_error("tensor '" + t.name + "' has a negative dimension");
    elements *= size_t(d);
  }
  if (t.values.size() != elements)
    throw std::runtime_error("tensor '" + t.name + "' holds " + std::to_string(t.values.size()) +
                             " values for " + std::to_string(elements) + " elements");
  return t;
}

Attribute parse_attribute(WireReader r) {
  Attribute a;
  while (!r.done()) {
    const Field f = r.next();
    switch (f.number) {
      case 1:
        expect_wire_type(f, kBytes, "AttributeProto.name");
        a.name = f.text();
        break;
      case 2:
        expect_wire_type(f, kFixed32, "AttributeProto.f");
        a.f = float_from_bits(uint32_t(f.scalar));
        break;
      case 3:
        expect_wire_type(f, kVarint, "AttributeProto.i");
        a.i = int64_t(f.scalar);
        break;
      case 4:
        expect_wire_type(f, kBytes, "AttributeProto.s");
        a.s = f.text();
        break;
      case 8:
        append_int64s(f, &a.ints, "AttributeProto.ints");
        break;
      case 20:
        expect_wire_type(f, kVarint, "AttributeProto.type");
        a.type = AttributeType(f.scalar);
        break;
      default:
        break;
    }
  }
  return a;
}

Node parse_node(WireReader r) {
  Node n;
  while (!r.done()) {
    const Field f = r.next();
    switch (f.number) {
      case 1:
        expect_wire_type(f, kBytes, "NodeProto.input");
        n.inputs.push_back(f.text());
        break;
      case 2:
        expect_wire_type(f, kBytes, "NodeProto.output");
        n.outputs.push_back(f.text());
        break;
      case 4:
        expect_wire_type(f, kBytes, "NodeProto.op_type");
        n.op_type = f.text();
        break;
      case 5:
        expect_wire_type(f, kBytes, "NodeProto.attribute");
        n.attributes.push_back(parse_attribute(WireReader(f)));
        break;
      default:
        break;
    }
  }
  return n;
}

// ValueInfoProto: only its name (field 1).
std::string parse_value_info_name(WireReader r) {
  std::string name;
  while (!r.done()) {
    const Field f = r.next();
    if (f.number == 1 && f.wire_type == kBytes) name = f.text();
  }
  return name;
}

Graph parse_graph(WireReader r) {
  Graph g;
  while (!r.done()) {
    const Field f = r.next();
    switch (f.number) {
      case 1:
        expect_wire_type(f, kBytes, "GraphProto.node");
        g.nodes.push_back(parse_node(WireReader(f)));
        break;
      case 5:
        expect_wire_type(f, kBytes, "GraphProto.initializer");
        g.initializers.push_back(parse_tensor(WireReader(f)));
        break;
      case 11:
        expect_wire_type(f, kBytes, "GraphProto.input");
        g.inputs.push_back(parse_value_info_name(WireReader(f)));
        break;
      default:
        break;
    }
  }
  return g;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs parse on the file's bytes; errors name the file.
template <typename Parse>
auto parse_file(const std::string& path, Parse parse) {
  const std::vector<uint8_t> bytes = read_file(path);
  try {
    return parse(WireReader(bytes.data(), bytes.size()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace

const Attribute* Node::attribute(const std::string& name) const {
  for (const Attribute& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

const Tensor* Graph::initializer(const std::string& name) const {
  for (const Tensor& t : initializers)
    if (t.name == name) return &t;
  return nullptr;
}

Graph read_model(const std::string& path) {
  return parse_file(path, [](WireReader r) {
    Graph g;
    while (!r.done()) {  // ModelProto: only graph (field 7)
      const Field f = r.next();
      if (f.number == 7) {
        expect_wire_type(f, kBytes, "ModelProto.graph");
        g = parse_graph(WireReader(f));
      }
    }
    return g;
  });
}

Tensor read_tensor(const std::string& path) { return parse_file(path, parse_tensor); }

}  // namespace onnx_lite
