// The NEON batched GEMMs (FP16 sums, and FP32 sums from an FP32 U) against an
// exact reference computed from the same FP16-valued inputs, through the
// packed layouts of src/winograd_kernels.h (packed here independently, and
// checked against the portable GEMM).
// Needs FP16 arithmetic: ctest label "fp16", excluded on CPUs without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>
#include <random>
#include <tuple>
#include <vector>

#include "kernels/gemm.h"
#include "src/cpu_features.h"
#include "src/fp16.h"

namespace {

using hawc::kGemmMR;
using hawc::kGemmNR;

constexpr uint16_t kSentinel = 0x7e00;  // FP16 NaN: marks M elements the GEMM must not write

// One batched GEMM problem: logical V[p][t][c] and U[p][c][k] as FP16 bits.
struct Problem {
  int points, tiles, cp, kp;
  size_t v_stride, m_stride;  // point strides of the packed V and M
  std::vector<uint16_t> v, u;
};

Problem make_problem(int points, int tiles, int cp, int kp, float v_sigma, float u_sigma,
                     uint32_t seed) {
  Problem pr{points, tiles, cp, kp, size_t(tiles) * cp + 40, size_t(tiles) * kp + 24, {}, {}};
  std::mt19937 rng(seed);
  std::normal_distribution<float> vd(0.0f, v_sigma), ud(0.0f, u_sigma);
  pr.v.resize(size_t(points) * tiles * cp);
  pr.u.resize(size_t(points) * cp * kp);
  for (auto& x : pr.v) x = hawc::fp32_to_fp16(vd(rng));
  for (auto& x : pr.u) x = hawc::fp32_to_fp16(ud(rng));
  return pr;
}

uint16_t v_at(const Problem& pr, int p, int t, int c) {
  return pr.v[(size_t(p) * pr.tiles + t) * pr.cp + c];
}
uint16_t u_at(const Problem& pr, int p, int c, int k) {
  return pr.u[(size_t(p) * pr.cp + c) * pr.kp + k];
}

// V panels of kGemmMR tiles, inside [c / 8][mr][8]; gaps between points hold NaN.
template <typename T>
std::vector<T> pack_v(const Problem& pr, T (*convert)(uint16_t)) {
  std::vector<T> out(pr.points * pr.v_stride, convert(kSentinel));
  for (int p = 0; p < pr.points; ++p)
    for (int t = 0; t < pr.tiles; ++t) {
      const int mr = std::min(kGemmMR, pr.tiles - t / kGemmMR * kGemmMR);
      for (int c = 0; c < pr.cp; ++c)
        out[p * pr.v_stride + size_t(t / kGemmMR) * kGemmMR * pr.cp + size_t(c / 8) * mr * 8 +
            (t % kGemmMR) * 8 + c % 8] = convert(v_at(pr, p, t, c));
    }
  return out;
}

// U panels of kGemmNR output channels (the last may be 8), inside [c][nr].
template <typename T>
std::vector<T> pack_u(const Problem& pr, T (*convert)(uint16_t)) {
  std::vector<T> out(pr.u.size());
  for (int p = 0; p < pr.points; ++p)
    for (int k = 0; k < pr.kp; ++k) {
      const int k0 = k / kGemmNR * kGemmNR, nr = std::min(kGemmNR, pr.kp - k0);
      for (int c = 0; c < pr.cp; ++c)
        out[size_t(p) * pr.cp * pr.kp + size_t(k0) * pr.cp + size_t(c) * nr + k - k0] =
            convert(u_at(pr, p, c, k));
    }
  return out;
}

uint16_t as_fp16(uint16_t h) { return h; }

// A GEMM family: its entry point, its U element type, the FP16 chain length
// (0: FP32 sums) and whether it needs FEAT_FHM.
struct Family {
  const char* name;
  void (*gemm)(const hawc::GemmArgs&);
  bool fp32_u;
  int chain;
  bool fhm;
};

// M[p][t][k] = sum_c V U exactly (double), and the sum of |V U| that bounds
// the rounding error of any FP16 summation order.
struct Reference {
  std::vector<double> m, abs_sum;
};

Reference reference(const Problem& pr) {
  Reference r{std::vector<double>(size_t(pr.points) * pr.tiles * pr.kp),
              std::vector<double>(size_t(pr.points) * pr.tiles * pr.kp)};
  for (int p = 0; p < pr.points; ++p)
    for (int t = 0; t < pr.tiles; ++t)
      for (int k = 0; k < pr.kp; ++k) {
        double s = 0, a = 0;
        for (int c = 0; c < pr.cp; ++c) {
          const double x =
              double(hawc::fp16_to_fp32(v_at(pr, p, t, c))) * hawc::fp16_to_fp32(u_at(pr, p, c, k));
          s += x;
          a += std::fabs(x);
        }
        r.m[(size_t(p) * pr.tiles + t) * pr.kp + k] = s;
        r.abs_sum[(size_t(p) * pr.tiles + t) * pr.kp + k] = a;
      }
  return r;
}

// Runs a NEON GEMM over points [begin, end) into FP32 M; M elements outside
// stay NaN.
std::vector<float> run_neon(const Family& f, const Problem& pr, int begin, int end,
                            int channels = 0) {
  const std::vector<uint16_t> v = pack_v(pr, as_fp16), u16 = pack_u(pr, as_fp16);
  const std::vector<float> u32 = pack_u(pr, hawc::fp16_to_fp32);
  std::vector<float> m(pr.points * pr.m_stride, std::nanf(""));
  hawc::GemmArgs a{
      v.data(), pr.v_stride, f.fp32_u ? static_cast<const void*>(u32.data()) : u16.data(),
      m.data(), pr.m_stride, pr.tiles,
      pr.cp,    pr.kp,       begin,
      end};
  a.channels = channels;
  f.gemm(a);
  return m;
}

// Each rounding in a sum errs by at most unit roundoff u times a partial sum,
// so |error| <= gamma_n * sum|V U| with gamma_n = n u / (1 - n u), n the
// roundings on the longest path. FP16 chains (u = 2^-11): `chain` roundings
// (the FMUL that starts it included) and the FP32 sum of the Cp / chain
// chains adds that many roundings of u = 2^-24. FP32 sums (chain 0): the
// products of FP16 values are exact in the FMA, and each of the Cp additions
// rounds with u = 2^-24.
double error_bound(const Family& f, int cp, double abs_sum) {
  const double u16 = std::ldexp(1.0, -11), u32 = std::ldexp(1.0, -24);
  if (f.chain == 0) return cp * u32 / (1 - cp * u32) * abs_sum;
  const double n16 = std::min(f.chain, cp), n32 = (cp + f.chain - 1) / f.chain + 1;
  return (n16 * u16 / (1 - n16 * u16) + n32 * u32) * abs_sum +
         std::ldexp(1.0, -24) * n16;  // FP16 subnormal spacing, should partial sums underflow
}

const Family kHigh{"fp16_high", hawc::winograd_gemm_neon_fp16_high, false,
                   hawc::kGemmFp16ChainHigh, false};
const Family kFast{"fp16_fast", hawc::winograd_gemm_neon_fp16_fast, false,
                   hawc::kGemmFp16ChainFast, false};
const Family kHighFhm{"fhm_high", hawc::winograd_gemm_neon_fp16fhm_high, false,
                      hawc::kGemmFp16ChainHigh, true};
const Family kFastFhm{"fhm_fast", hawc::winograd_gemm_neon_fp16fhm_fast, false,
                      hawc::kGemmFp16ChainFast, true};
const Family kFp32Sums{"fp32_sums", hawc::winograd_gemm_neon_fp16_f32acc, true, 0, false};

// The families this CPU runs: the fhm forms only where FEAT_FHM is (QEMU max,
// Kunpeng 920, Graviton3; not Neoverse N1).
std::vector<const Family*> families() {
  std::vector<const Family*> f{&kHigh, &kFast, &kFp32Sums};
  if (hawc::cpu_features().fp16_fml) f.insert(f.end(), {&kHighFhm, &kFastFhm});
  return f;
}

class NeonFp16Gemm : public testing::TestWithParam<std::tuple<const Family*, int, int>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(hawc::cpu_features().fp16_arith)
        << "this CPU lacks FP16 arithmetic; run ctest with -LE fp16 on such CPUs";
  }
};

TEST_P(NeonFp16Gemm, MatchesExactProductOnEveryBlockEdge) {
  const auto [family, cp, kp] = GetParam();
  constexpr int kPoints = 5, kBegin = 1, kEnd = 4;  // a range that does not start at 0
  for (int tiles = 1; tiles <= 17; ++tiles) {
    SCOPED_TRACE(testing::Message() << "T=" << tiles << " Cp=" << cp << " Kp=" << kp);
    const Problem pr = make_problem(kPoints, tiles, cp, kp, 1.0f, 1.0f, 100 * tiles + cp + kp);
    const Reference ref = reference(pr);
    const std::vector<float> m = run_neon(*family, pr, kBegin, kEnd);
    int bad = 0;
    for (int p = 0; p < kPoints; ++p)
      for (size_t i = 0; i < pr.m_stride; ++i) {
        const float got = m[p * pr.m_stride + i];
        if (p < kBegin || p >= kEnd || i >= size_t(tiles) * kp) {
          bad += !std::isnan(got);  // other points and the stride gap stay untouched
          continue;
        }
        const size_t r = size_t(p) * tiles * kp + i;
        const double err = std::fabs(double(got) - ref.m[r]);
        const double bound = error_bound(*family, cp, ref.abs_sum[r]);
        if (!(err <= bound) && ++bad <= 5)
          ADD_FAILURE() << "p=" << p << " t=" << i / kp << " k=" << i % kp << ": got " << got
                        << ", exact " << ref.m[r] << ", bound " << bound;
      }
    ASSERT_EQ(bad, 0);
  }
}

// Tiles [first, first + count) of a one-point problem, as a problem of their own.
Problem tile_range(const Problem& pr, int first, int count) {
  Problem sub = pr;
  sub.tiles = count;
  sub.v_stride = size_t(count) * pr.cp + 40;
  sub.m_stride = size_t(count) * pr.kp + 24;
  sub.v.assign(pr.v.begin() + size_t(first) * pr.cp, pr.v.begin() + size_t(first + count) * pr.cp);
  return sub;
}

// A tile's M is bitwise the same whichever block it is computed in, at any
// position: the driver's results may not depend on the planner's block
// sizes, which change with the thread count.
TEST_P(NeonFp16Gemm, TileBitsDoNotDependOnTheBlock) {
  const auto [family, cp, kp] = GetParam();
  constexpr int kTiles = 17;
  const Problem whole = make_problem(1, kTiles, cp, kp, 1.0f, 1.0f, 7 * cp + kp);
  const std::vector<float> expected = run_neon(*family, whole, 0, 1);
  for (int first = 0; first < kTiles; ++first)
    for (int count : {1, 2, 3, 4, 5, kTiles - first}) {
      if (first + count > kTiles) continue;
      const std::vector<float> m = run_neon(*family, tile_range(whole, first, count), 0, 1);
      for (int i = 0; i < count * kp; ++i)
        ASSERT_EQ(m[i], expected[size_t(first) * kp + i])
            << "tile " << first + i / kp << " k " << i % kp << " in a block of " << count
            << " tiles starting at " << first;
    }
}

// With the real channel count C < Cp (V and U zero beyond it, as the
// transforms pack them), the FP32-sum kernels skip the padding channels: the
// same M as summing all Cp (zeros add nothing; +0 and -0 compare equal).
TEST(NeonFp16GemmFp32Sums, SkipsZeroPaddingChannels) {
  ASSERT_TRUE(hawc::cpu_features().fp16_arith)
      << "this CPU lacks FP16 arithmetic; run ctest with -LE fp16 on such CPUs";
  for (int cp : {8, 16, 24})
    for (int c = cp - 7; c <= cp; ++c)
      for (int tiles : {1, 3, 4, 9}) {
        Problem pr = make_problem(2, tiles, cp, 24, 1.0f, 1.0f, 31 * cp + c + tiles);
        for (int p = 0; p < pr.points; ++p)
          for (int ch = c; ch < cp; ++ch) {
            for (int t = 0; t < tiles; ++t) pr.v[(size_t(p) * tiles + t) * cp + ch] = 0;
            for (int k = 0; k < pr.kp; ++k) pr.u[(size_t(p) * cp + ch) * pr.kp + k] = 0;
          }
        const std::vector<float> all = run_neon(kFp32Sums, pr, 0, 2);
        const std::vector<float> real = run_neon(kFp32Sums, pr, 0, 2, c);
        for (int p = 0; p < pr.points; ++p)
          for (int i = 0; i < tiles * pr.kp; ++i)
            ASSERT_EQ(real[p * pr.m_stride + i], all[p * pr.m_stride + i])
                << "Cp " << cp << " C " << c << " tiles " << tiles << " p " << p << " i " << i;
      }
}

// FMLAL by 1.0 adds a chain's FP16 sum to FP32 M with the same single
// rounding as FCVTL + FADD: the fhm kernels give the plain kernels' bits.
TEST(NeonFp16GemmFhm, BitwiseEqualToPlainMerge) {
  ASSERT_TRUE(hawc::cpu_features().fp16_arith)
      << "this CPU lacks FP16 arithmetic; run ctest with -LE fp16 on such CPUs";
  if (!hawc::cpu_features().fp16_fml) {
    std::printf("no FEAT_FHM on this CPU: the fhm kernels never run here\n");
    return;
  }
  for (int cp : {8, 40, 72, 264})
    for (int tiles : {1, 5, 8, 13}) {
      // Large and tiny magnitudes, so that merges round and partial sums go subnormal.
      for (float scale : {1.0f, 300.0f, 1e-3f}) {
        const Problem pr = make_problem(2, tiles, cp, 24, scale, 1.0f, cp + tiles);
        for (const auto& [plain, fhm] : {std::pair{&kHigh, &kHighFhm}, std::pair{&kFast, &kFastFhm}}) {
          const std::vector<float> a = run_neon(*plain, pr, 0, 2), b = run_neon(*fhm, pr, 0, 2);
          for (size_t i = 0; i < a.size(); ++i)
            ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(float)), 0)
                << plain->name << " Cp " << cp << " T " << tiles << " scale " << scale << " i " << i
                << ": " << a[i] << " vs " << b[i];
        }
      }
    }
}

// The packing above follows the same contract as the portable GEMM (which
// needs no FP16 arithmetic, so one run per shape, not per family).
TEST(NeonFp16GemmPacking, AgreesWithPortableGemm) {
  for (int cp : {8, 72, 200})
    for (int kp : {8, 24, 48}) {
      const Problem pr = make_problem(2, 11, cp, kp, 1.0f, 1.0f, cp * kp);
      const Reference ref = reference(pr);
      const std::vector<float> v = pack_v(pr, hawc::fp16_to_fp32),
                               u = pack_u(pr, hawc::fp16_to_fp32);
      std::vector<float> m(pr.points * pr.m_stride);
      hawc::winograd_gemm_portable({v.data(), pr.v_stride, u.data(), m.data(), pr.m_stride,
                                    pr.tiles, pr.cp, pr.kp, 0, pr.points});
      for (int p = 0; p < pr.points; ++p)
        for (int i = 0; i < pr.tiles * kp; ++i)
          ASSERT_NEAR(m[p * pr.m_stride + i], ref.m[size_t(p) * pr.tiles * kp + i],
                      1e-5 * ref.abs_sum[size_t(p) * pr.tiles * kp + i])
              << "Cp=" << cp << " Kp=" << kp << " p=" << p << " t=" << i / kp << " k=" << i % kp;
    }
}

// Cp 72 and 200 end in a partial chain; 8 and 16 are shorter than one.
INSTANTIATE_TEST_SUITE_P(Shapes, NeonFp16Gemm,
                         testing::Combine(testing::ValuesIn(families()),
                                          testing::Values(8, 16, 64, 72, 200, 256),
                                          testing::Values(8, 16, 24, 32, 48)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)->name) + "_Cp" +
                                  std::to_string(std::get<1>(info.param)) + "_Kp" +
                                  std::to_string(std::get<2>(info.param));
                         });

// Magnitudes of a real layer: V ~ N(0, 10^2) (transformed activations), U ~
// He-scaled N(0, 2 / (9 C)). Error as the convolution tests measure it,
// max|M - exact| / max|exact|. The F4x3 output transform amplifies it ~10x
// into the convolution's 1e-2 budget, which FP16 accumulation over 64
// channels (1.4e-3 to 2.6e-3 here) already overran; FP16 chains of 16
// channels summed in FP32 measure 8e-4 (bench/RESULTS_mca.md).
TEST(NeonFp16GemmAccuracy, RealisticMagnitudes) {
  ASSERT_TRUE(hawc::cpu_features().fp16_arith)
      << "this CPU lacks FP16 arithmetic; run ctest with -LE fp16 on such CPUs";
  for (int c : {64, 256, 512}) {
    const Problem pr = make_problem(1, 64, c, 64, 10.0f, std::sqrt(2.0f / (9 * c)), c);
    const Reference ref = reference(pr);
    const std::vector<float> m = run_neon(kHigh, pr, 0, 1);
    double max_err = 0, max_ref = 0, sq_err = 0, sq_ref = 0;
    for (size_t i = 0; i < ref.m.size(); ++i) {
      const double err = m[i] - ref.m[i];
      max_ref = std::max(max_ref, std::fabs(ref.m[i]));
      max_err = std::max(max_err, std::fabs(err));
      sq_err += err * err;
      sq_ref += ref.m[i] * ref.m[i];
    }
    std::printf("C=%d: max|M - exact| / max|exact| = %.2e, RMS relative error %.2e\n", c,
                max_err / max_ref, std::sqrt(sq_err / sq_ref));
    EXPECT_LE(max_err / max_ref, 1.2e-3) << "C=" << c;
  }
}

}  // namespace
