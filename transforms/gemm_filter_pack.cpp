// The Gemm pipeline's "filter transform": no arithmetic, only the reorder of
// OIHW weights into the GEMM's U panels (src/winograd_kernels.h), with the
// row order of the receptive-field gather (ConvGeometry, src/conv2d_types.h).
#include <algorithm>

#include "src/fp16.h"
#include "src/winograd_kernels.h"

namespace hawc {

void gemm_filter_pack(const ConvGeometry& g, const uint16_t* weights, int channels,
                      int out_channels, float* u) {
  const int taps = g.kernel_h * g.kernel_w;
  const size_t rows = size_t(gemm_reduction(g)), kp = round_up(out_channels, 8);
  std::fill(u, u + rows * kp, 0.0f);
  for (int k = 0; k < out_channels; ++k) {
    const size_t k0 = size_t(k) / kGemmNR * kGemmNR;
    const size_t nr = std::min<size_t>(kGemmNR, kp - k0);
    for (int c = 0; c < channels; ++c)
      for (int t = 0; t < taps; ++t) {
        const size_t row = size_t(t) * g.tap_channels + c;
        u[k0 * rows + row * nr + (k - k0)] =
            fp16_to_fp32(weights[(size_t(k) * channels + c) * taps + t]);
      }
  }
}

}  // namespace hawc
