#include "tests/reference/conv2d_reference.h"

#include <algorithm>

namespace hawc_ref {

std::vector<float> conv2d_reference(const ConvShape& s, const std::vector<float>& input,
                                    const std::vector<float>& weights,
                                    const std::vector<float>& bias, Activation act) {
  const int ho = s.out_h(), wo = s.out_w();
  std::vector<float> out(size_t(s.batch) * s.out_channels * ho * wo);
  for (int n = 0; n < s.batch; ++n)
    for (int k = 0; k < s.out_channels; ++k)
      for (int y = 0; y < ho; ++y)
        for (int x = 0; x < wo; ++x) {
          double acc = bias.empty() ? 0.0 : bias[k];
          const int group_in = s.in_channels / s.groups;
          const int first = k / (s.out_channels / s.groups) * group_in;
          for (int c = first; c < first + group_in; ++c)
            for (int i = 0; i < s.kernel_h; ++i)
              for (int j = 0; j < s.kernel_w; ++j) {
                const int iy = y * s.stride_h - s.pad_top + i * s.dilation_h;
                const int ix = x * s.stride_w - s.pad_left + j * s.dilation_w;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                acc += double(input[((size_t(n) * s.in_channels + c) * s.in_h + iy) * s.in_w + ix]) *
                       weights[((size_t(k) * group_in + c - first) * s.kernel_h + i) * s.kernel_w + j];
              }
          float v = float(acc);
          if (act != Activation::None) v = std::max(v, 0.0f);
          if (act == Activation::Relu6) v = std::min(v, 6.0f);
          out[((size_t(n) * s.out_channels + k) * ho + y) * wo + x] = v;
        }
  return out;
}

}  // namespace hawc_ref
