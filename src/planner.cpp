#include "src/planner.h"

#include <algorithm>

#include "src/winograd_kernels.h"

namespace hawc {
namespace {
// V + M of one block should stay well inside a 512 KiB L2 (Kunpeng 920, the
// smallest of the targets), leaving room for the filter panel stream.
constexpr size_t kBlockBytes = 192 * 1024;
constexpr int kMaxTilesPerBlock = 64;
}  // namespace

TilePlan plan_tiles(Variant v, int channels_padded, int out_channels_padded, int tiles_per_image,
                    int batch, int threads) {
  const size_t points = variant_points(v);
  const size_t bytes_per_tile = points * size_t(channels_padded + out_channels_padded) * 2;
  int t = int(std::min<size_t>(kMaxTilesPerBlock, std::max<size_t>(1, kBlockBytes / bytes_per_tile)));
  if (t >= kGemmMR) t = t / kGemmMR * kGemmMR;  // whole micro-tiles
  t = std::min(t, tiles_per_image);
  // Enough blocks to give every thread work, but never below one micro-tile
  // unless the image itself is that small.
  while (t > kGemmMR && size_t(batch) * div_up(tiles_per_image, t) < size_t(threads))
    t = std::max(kGemmMR, t - kGemmMR);
  TilePlan plan;
  plan.tiles_per_block = t;
  plan.blocks_per_image = int(div_up(tiles_per_image, t));
  plan.v_elements = points * size_t(t) * channels_padded;
  plan.m_elements = points * size_t(t) * out_channels_padded;
  return plan;
}

}  // namespace hawc
