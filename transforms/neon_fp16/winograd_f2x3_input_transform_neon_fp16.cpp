// F(2x2, 3x3) input transform V = B^T d B, FP16 arithmetic (matrices:
// transforms/winograd_matrices.cpp). 4 operations per 1-D transform, 8
// transforms: 32 vector operations per tile and 8 channels (plus 16 loads,
// 16 stores). FP16 arithmetic keeps F2x3 well inside its error bound.
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F2x3InputTransform {
  static constexpr int alpha = 4, m = 2;
  template <class V>
  static void apply(const V (&d)[4], V (&r)[4]) {
    r[0] = minus(d[0], d[2]);
    r[1] = plus(d[1], d[2]);
    r[2] = minus(d[2], d[1]);
    r[3] = minus(d[1], d[3]);
  }
};

}  // namespace

void winograd_f2x3_input_transform_neon_fp16(const InputTransformArgs& a) {
  input_transform<F2x3InputTransform, float16x8_t>(a);
}

}  // namespace hawc
