// F(6x6, 3x3) output transform Y = A^T M A + bias. 20 operations per 1-D
// transform (32 term by term), 8 + 6 transforms: 280 per tile and 8
// channels, done in FP32 like the input transform: 560 FP32 operations + 128
// conversions in, 72 out, 4 for the bias.
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F6x3OutputTransform {
  static constexpr int alpha = 8, m = 6;
  // Row i of A^T takes the points +-x as x^i (s1 +- s2) and so on: even rows
  // need the sums of the pairs, odd rows their differences.
  template <class V>
  static void apply(const V (&s)[8], V (&y)[6]) {
    const V a = plus(s[1], s[2]), b = minus(s[1], s[2]);  // points 1, -1
    const V c = plus(s[3], s[4]), d = minus(s[3], s[4]);  // points 2, -2
    const V e = plus(s[5], s[6]), f = minus(s[5], s[6]);  // points 1/2, -1/2
    y[0] = plus(plus(plus(a, s[0]), c), e);
    y[1] = mul_add(mul_add(b, d, 2), f, 0.5f);
    y[2] = mul_add(mul_add(a, c, 4), e, 0.25f);
    y[3] = mul_add(mul_add(b, d, 8), f, 0.125f);
    y[4] = mul_add(mul_add(a, c, 16), e, 0.0625f);
    y[5] = mul_add(mul_add(plus(b, s[7]), d, 32), f, 0.03125f);
  }
};

}  // namespace

void winograd_f6x3_output_transform_neon_fp16(const OutputTransformArgs& a) {
  output_transform<F6x3OutputTransform, Float32x8>(a);
}

}  // namespace hawc
