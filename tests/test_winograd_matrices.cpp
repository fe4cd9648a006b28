// B^T, G and A^T of every variant reproduce direct correlation exactly, in
// rational arithmetic: A^T diag(G e_a) B^T e_b = [b == i + a] for output i.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

#include "transforms/winograd_matrices.h"

namespace {

struct Exact {  // int64 fraction, always reduced
  int64_t n = 0, d = 1;
  Exact() = default;
  Exact(int64_t num, int64_t den) : n(num), d(den) {
    if (d < 0) n = -n, d = -d;
    const int64_t g = std::gcd(n < 0 ? -n : n, d);
    if (g > 1) n /= g, d /= g;
  }
  Exact operator*(const Exact& o) const { return Exact(n * o.n, d * o.d); }
  Exact operator+(const Exact& o) const { return Exact(n * o.d + o.n * d, d * o.d); }
  bool operator==(const Exact& o) const { return n == o.n && d == o.d; }
};

Exact at(const hawc::Rational* m, int cols, int r, int c) {
  return Exact(m[r * cols + c].num, m[r * cols + c].den);
}

class WinogradMatricesTest : public testing::TestWithParam<hawc::Variant> {};

TEST_P(WinogradMatricesTest, ReproducesDirectCorrelationExactly) {
  const hawc::WinogradMatrices& w = hawc::winograd_matrices(GetParam());
  ASSERT_EQ(w.alpha, w.m + 2);
  for (int i = 0; i < w.m; ++i)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < w.alpha; ++b) {
        Exact sum;
        for (int p = 0; p < w.alpha; ++p)
          sum = sum + at(w.AT, w.alpha, i, p) * at(w.G, 3, p, a) * at(w.BT, w.alpha, p, b);
        EXPECT_EQ(sum, Exact(b == i + a ? 1 : 0, 1))
            << "output " << i << ", filter tap " << a << ", input " << b;
      }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, WinogradMatricesTest,
                         testing::Values(hawc::Variant::F2x3, hawc::Variant::F4x3,
                                         hawc::Variant::F6x3),
                         [](const auto& info) {
                           return std::string("F") + std::to_string(hawc::variant_m(info.param)) + "x3";
                         });

}  // namespace
