// F(4x4, 3x3) input transform V = B^T d B (points 0, 1, -1, 1/2, -2, inf;
// matrices: transforms/winograd_matrices.cpp). 17 operations per 1-D
// transform (22 term by term), 12 transforms: 204 per tile and 8 channels,
// done in FP32 (FP16 arithmetic nearly doubles the convolution's error, past
// its bound): 408 FP32 operations + 72 conversions in, 72 out.
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F4x3InputTransform {
  static constexpr int alpha = 6, m = 4;
  // Rows of B^T:  2 -3 -4  3  2  0 | 0 -2  1  5  2  0 | 0  2 -5  1  2  0
  //               0 -2 -1  2  1  0 | 0  1 -2 -1  2  0 | 0  2 -3 -4  3  2
  // With a = d1 - d3, b = d4 - d2: rows 3 and 4 are b - 2a and a + 2b, and
  // rows 0 and 5 reuse them.
  template <class V>
  static void apply(const V (&d)[6], V (&r)[6]) {
    const V a = minus(d[1], d[3]), b = minus(d[4], d[2]);
    r[3] = mul_sub(b, a, 2);
    r[4] = mul_add(a, b, 2);
    r[0] = mul_sub(mul_add(r[4], minus(d[0], d[2]), 2), a, 4);  // r4 + 2 (d0 - d2) - 4a
    const V s = plus(a, minus(d[5], d[3]));                      // d1 - 2 d3 + d5
    r[5] = mul_add(mul_add(b, s, 2), b, 2);                      // 3b + 2s
    r[1] = mul_sub(mul_add(mul_add(d[2], d[3], 5), d[4], 2), d[1], 2);
    r[2] = mul_add(mul_add(mul_sub(d[3], d[2], 5), d[4], 2), d[1], 2);
  }
};

}  // namespace

void winograd_f4x3_input_transform_neon_fp16(const InputTransformArgs& a) {
  input_transform<F4x3InputTransform, Float32x8>(a);
}

void winograd_f4x3_input_transform_neon_fp16_fp16arith(const InputTransformArgs& a) {
  input_transform<F4x3InputTransform, float16x8_t>(a);
}

}  // namespace hawc
