// F(6x6, 3x3) input transform V = B^T d B (points 0, 1, -1, 2, -2, 1/2,
// -1/2, inf; matrices: transforms/winograd_matrices.cpp). 24 operations per
// 1-D transform (36 term by term), 16 transforms: 384 per tile and 8
// channels, done in FP32 (FP16 arithmetic raises the convolution's error by
// half): 768 FP32 operations + 128 conversions in, 128 out.
#include "transforms/neon_fp16/transform_tiles_neon_fp16.h"
#include "transforms/winograd_transforms.h"

namespace hawc {
namespace {

using namespace neon_fp16;

struct F6x3InputTransform {
  static constexpr int alpha = 8, m = 6;
  // The rows of the points +-x share their even part (d2, d4, d6) and
  // differ in the sign of their odd part (d1, d3, d5): r = even +- odd.
  template <class V>
  static void apply(const V (&d)[8], V (&r)[8]) {
    const V g = minus(d[2], d[4]), h = minus(d[5], d[3]), q = minus(d[6], d[4]);
    r[0] = mul_sub(minus(d[0], d[6]), g, 5.25f);
    r[7] = mul_sub(minus(d[7], d[1]), h, 5.25f);
    // points 1, -1: (d2 + d6 - 4.25 d4) +- (d1 + d5 - 4.25 d3)
    const V e1 = mul_sub(plus(d[2], d[6]), d[4], 4.25f), o1 = mul_sub(plus(d[1], d[5]), d[3], 4.25f);
    r[1] = plus(e1, o1);
    r[2] = minus(e1, o1);
    // points 1/2 (scaled), -1/2: (d6 - d4 + g / 4) +- (d1 / 2 - 5 d3 / 2 + 2 d5)
    // points 2, -2:             (d6 - d4 + 4 g)  +- (2 d1 - 5 d3 / 2 + d5 / 2)
    const V e3 = mul_add(q, g, 0.25f), e5 = mul_add(q, g, 4);
    const V d3 = scale(d[3], -2.5f);
    const V o3 = mul_add(mul_add(d3, d[1], 0.5f), d[5], 2), o5 = mul_add(mul_add(d3, d[1], 2), d[5], 0.5f);
    r[3] = plus(e3, o3);
    r[4] = minus(e3, o3);
    r[5] = plus(e5, o5);
    r[6] = minus(e5, o5);
  }
};

}  // namespace

void winograd_f6x3_input_transform_neon_fp16(const InputTransformArgs& a) {
  input_transform<F6x3InputTransform, Float32x8>(a);
}

}  // namespace hawc
