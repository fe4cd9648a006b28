// F(2x2, 3x3) output transform Y = A^T M A + bias, FP16 arithmetic. 4
// operations per 1-D transform, 4 + 2 transforms: 24 vector operations per
// tile and 8 channels, 1 for the bias (plus 16 loads, 4 stores).
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F2x3OutputTransform {
  static constexpr int alpha = 4, m = 2;
  template <class V>
  static void apply(const V (&s)[4], V (&y)[2]) {
    y[0] = plus(plus(s[1], s[2]), s[0]);
    y[1] = minus(minus(s[1], s[2]), s[3]);
  }
};

}  // namespace

void winograd_f2x3_output_transform_neon_fp16(const OutputTransformArgs& a) {
  output_transform<F2x3OutputTransform, float16x8_t>(a);
}

}  // namespace hawc
