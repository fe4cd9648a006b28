// Filter transform U = G g G^T, once per create: FP32 arithmetic, packed
// into the GEMM's panel layout (src/winograd_kernels.h).
#include <algorithm>

#include "src/fp16.h"
#include "transforms/winograd_matrices.h"
#include "src/winograd_kernels.h"

namespace hawc {

void winograd_filter_transform(Variant v, const uint16_t* weights, int channels, int out_channels,
                               float* u) {
  const WinogradMatrices& mat = winograd_matrices(v);
  const int alpha = mat.alpha, points = alpha * alpha;
  const size_t cp = round_up(channels, 8), kp = round_up(out_channels, 8);
  float g_mat[kMaxAlpha * 3];
  for (int i = 0; i < alpha * 3; ++i) g_mat[i] = float(mat.G[i].value());
  std::fill(u, u + size_t(points) * cp * kp, 0.0f);
  for (int k = 0; k < out_channels; ++k) {
    const size_t k0 = size_t(k) / kGemmNR * kGemmNR;
    const size_t nr = std::min<size_t>(kGemmNR, kp - k0);
    for (int c = 0; c < channels; ++c) {
      const uint16_t* w = weights + (size_t(k) * channels + c) * 9;
      float g[3][3], tmp[kMaxAlpha][3];  // G g
      for (int i = 0; i < 9; ++i) g[i / 3][i % 3] = fp16_to_fp32(w[i]);
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < 3; ++j)
          tmp[i][j] = g_mat[i * 3] * g[0][j] + g_mat[i * 3 + 1] * g[1][j] + g_mat[i * 3 + 2] * g[2][j];
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j) {  // (G g) G^T
          const float s =
              tmp[i][0] * g_mat[j * 3] + tmp[i][1] * g_mat[j * 3 + 1] + tmp[i][2] * g_mat[j * 3 + 2];
          u[size_t(i * alpha + j) * cp * kp + k0 * cp + size_t(c) * nr + (k - k0)] = s;
        }
    }
  }
}

}  // namespace hawc
