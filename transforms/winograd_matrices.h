// Winograd F(m, 3) transform matrices, stored as exact rationals.
//
// y = A^T [ (G g) .* (B^T d) ] computes the m outputs of the 1-D correlation of
// an alpha = m + 2 input vector d with a 3-tap filter g; the 2-D F(m x m, 3 x 3)
// nests it: Y = A^T [ (G g G^T) .* (B^T d B) ] A.
//
// Interpolation points (Toom-Cook, with the point at infinity last):
//   F(2,3): 0, 1, -1, inf                       (Lavin & Gray 2016)
//   F(4,3): 0, 1, -1, 2, -2, inf                (Lavin & Gray 2016)
//   F(6,3): 0, 1, -1, 2, -2, 1/2, -1/2, inf     (as in NNPACK and ncnn)
// The scaling between G and B^T is the conventional one that keeps B^T and
// A^T free of fractions where possible. tests/test_winograd_matrices.cpp checks
// in exact rational arithmetic that every table reproduces direct correlation.
#pragma once

#include "src/conv2d_types.h"

namespace hawc {

struct Rational {
  int num;
  int den;
  double value() const { return double(num) / double(den); }
};

struct WinogradMatrices {
  int m;      // outputs per tile side
  int alpha;  // m + 2: inputs per tile side
  const Rational* BT;  // alpha x alpha, row-major
  const Rational* G;   // alpha x 3
  const Rational* AT;  // m x alpha
};

// The matrices of a concrete variant (not AUTO).
const WinogradMatrices& winograd_matrices(Variant v);

}  // namespace hawc
