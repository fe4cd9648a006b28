#!/usr/bin/env bash
# The benchmark command: installs what is missing, builds hawc_bench for
# aarch64 (the `aarch64` preset: cross-compiled on x86, native on an aarch64
# host) and runs it on a layer suite against oneDNN and XNNPACK, printing
# Google Benchmark's table and a summary with speedups. Extra arguments go to
# hawc_bench (see `scripts/bench.sh --help`), e.g.
#   scripts/bench.sh                                   # resnet50 suite
#   scripts/bench.sh --suite=vgg16 --threads=64
#   scripts/bench.sh --suite=qemu-small --impl=all --benchmark_out=run.json
# On x86 it runs under QEMU user mode (toolchains/qemu-aarch64.sh): times
# there are meaningless, only the accuracy checks count, and the default
# implementation list is cut to hawc_auto,onednn_f32,xnnpack_f16 so that the
# resnet50 suite (batch-8 layers included) finishes in minutes; pass --impl=...
# to choose others. Natively every implementation runs by default.
# Environment: HAWC_BENCH_PRESET (default aarch64; e.g. graviton2, kunpeng920)
# picks another aarch64 configure preset; HAWC_QEMU_CPU overrides its QEMU CPU.
# Exit status: hawc_bench's (1 when any result was wrong or a call failed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}

scripts/install-deps.sh

preset=${HAWC_BENCH_PRESET:-aarch64}
case "$preset" in
  host | host-asan) echo "bench.sh: HAWC_BENCH_PRESET must be an aarch64 preset" >&2; exit 2 ;;
esac
start=$SECONDS
echo "=== configure + build hawc_bench (preset $preset)"
cmake --preset "$preset" -DHAWC_BUILD_BENCH=ON >/dev/null
if grep -q '^HAWC_NEON_FP16:BOOL=OFF' "build/$preset/CMakeCache.txt"; then
  echo "bench.sh: WARNING: build/$preset has HAWC_NEON_FP16=OFF cached: hawc runs its portable" \
    "path only (reconfigure with -DHAWC_NEON_FP16=ON to benchmark the NEON FP16 kernels)" >&2
fi
cmake --build --preset "$preset" --target hawc_bench
bench=build/$preset/bench/hawc_bench

args=("$@")
run=("$bench")
arch=$(uname -m)
if [ "$arch" != aarch64 ] && [ "$arch" != arm64 ]; then
  # The QEMU CPU model the preset's toolchain file names (max, neoverse-n1...).
  toolchain=toolchains/$preset.cmake
  [ "$preset" = aarch64 ] && toolchain=toolchains/aarch64-linux-gnu.cmake
  cpu=$(sed -n 's/^set(HAWC_QEMU_CPU \([^)]*\)).*/\1/p' "$toolchain" 2>/dev/null | head -n1)
  run=(toolchains/qemu-aarch64.sh "${cpu:-max}" "$bench")
  export HAWC_BENCH_EMULATED=1
  has_impl=0
  for a in "$@"; do
    case "$a" in --impl=*) has_impl=1 ;; esac
  done
  [ $has_impl = 1 ] || args=(--impl=hawc_auto,onednn_f32,xnnpack_f16 "${args[@]}")
  echo "=== running under QEMU (-cpu ${HAWC_QEMU_CPU:-${cpu:-max}}): times are meaningless, accuracy checks are real"
fi

t0=$SECONDS
echo "=== ${run[*]} ${args[*]}"
status=0
"${run[@]}" "${args[@]}" || status=$?
echo "=== hawc_bench finished in $((SECONDS - t0)) s (exit $status; total with build $((SECONDS - start)) s)"
exit $status
