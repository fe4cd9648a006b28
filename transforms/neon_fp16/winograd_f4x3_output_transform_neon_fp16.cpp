// F(4x4, 3x3) output transform Y = A^T M A + bias. 12 operations per 1-D
// transform (14 term by term), 6 + 4 transforms: 120 per tile and 8 channels,
// done in FP32 like the input transform: 240 FP32 operations + 72
// conversions in, 32 out, 4 for the bias.
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F4x3OutputTransform {
  static constexpr int alpha = 6, m = 4;
  // Rows of A^T: 1 1 1 8 1 0 | 0 1 -1 4 -2 0 | 0 1 1 2 4 0 | 0 1 -1 1 -8 1
  template <class V>
  static void apply(const V (&s)[6], V (&y)[4]) {
    const V even = plus(s[1], s[2]), odd = minus(s[1], s[2]);
    y[0] = mul_add(plus(plus(even, s[0]), s[4]), s[3], 8);
    y[1] = mul_sub(mul_add(odd, s[3], 4), s[4], 2);
    y[2] = mul_add(mul_add(even, s[3], 2), s[4], 4);
    y[3] = mul_sub(plus(plus(odd, s[3]), s[5]), s[4], 8);
  }
};

}  // namespace

void winograd_f4x3_output_transform_neon_fp16(const OutputTransformArgs& a) {
  output_transform<F4x3OutputTransform, Float32x8>(a);
}

void winograd_f4x3_output_transform_neon_fp16_fp16arith(const OutputTransformArgs& a) {
  output_transform<F4x3OutputTransform, float16x8_t>(a);
}

}  // namespace hawc
