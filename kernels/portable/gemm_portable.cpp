// Portable batched GEMM over Winograd points (reference for the NEON kernels).
#include <algorithm>

#include "kernels/gemm.h"

namespace hawc {

void winograd_gemm_portable(const GemmArgs& a) {
  const int cp = a.channels_padded, kp = a.out_channels_padded;
  for (int p = a.point_begin; p < a.point_end; ++p) {
    const float* v = static_cast<const float*>(a.v) + size_t(p) * a.v_point_stride;
    const float* u = static_cast<const float*>(a.u) + size_t(p) * cp * kp;
    float* out = static_cast<float*>(a.m) + size_t(p) * a.m_point_stride;
    for (int t = 0; t < a.tiles; ++t) {
      const VTileSlot slot = v_tile_slot(t, a.tiles, cp, a.v_part);
      const float* vt = v + slot.offset;
      for (int k0 = a.k_begin; k0 < std::min(a.k_end, kp); k0 += kGemmNR) {
        const int nr = std::min(kGemmNR, kp - k0);
        const float* panel = u + size_t(k0) * cp;
        float acc[kGemmNR] = {};
        for (int c = 0; c < cp; ++c) {
          const float x = vt[size_t(c / 8) * slot.panel_tiles * 8 + c % 8];
          for (int j = 0; j < nr; ++j) acc[j] += x * panel[size_t(c) * nr + j];
        }
        for (int j = 0; j < nr; ++j) out[size_t(t) * kp + k0 + j] = acc[j];
      }
    }
  }
}

}  // namespace hawc
