#!/usr/bin/env bash
# The benchmark command: installs what is missing, builds hawc_bench for
# aarch64 (the `aarch64` preset: cross-compiled on x86, native on an aarch64
# host) and runs it on a layer suite against oneDNN and XNNPACK, printing
# Google Benchmark's table and a summary with speedups. Extra arguments go to
# hawc_bench (see `scripts/bench.sh --help`), e.g.
#   scripts/bench.sh                                   # resnet50 suite
#   scripts/bench.sh --suite=vgg16 --threads=64
#   scripts/bench.sh --suite=qemu-small --impl=all --benchmark_out=run.json
# On x86 it runs under QEMU user mode, where wall times say nothing about ARM
# hardware (FP16 arithmetic is emulated in software). There it does not time
# anything: it counts executed instructions with the project's QEMU plugin
# (bench/profile: one checked call per layer and implementation, on the QEMU
# CPU model of the preset's target core) and leads with instructions per
# layer and the peers' ratios to hawc (bench/insn_summary). Default
# implementations there: hawc_auto (HIGH), hawc_fast, xnnpack_f16, onednn_f32
# (and ncnn_auto when the build has ncnn); arguments it takes there:
# --suite=, --layers=, --impl=, --threads= (a list, e.g. 1,16). Natively it
# runs Google Benchmark and every implementation by default.
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
  # The QEMU CPU model the preset's toolchain file names: the target core's
  # features (no SVE for Kunpeng 920 and Graviton2, SVE-256 for Graviton3),
  # so that oneDNN's JIT picks what that machine would run.
  toolchain=toolchains/$preset.cmake
  [ "$preset" = aarch64 ] && toolchain=toolchains/aarch64-linux-gnu.cmake
  cpu=$(sed -n 's/^set(HAWC_QEMU_CPU "\{0,1\}\([^)"]*\)"\{0,1\}).*/\1/p' "$toolchain" 2>/dev/null | head -n1)
  cpu=${HAWC_QEMU_CPU:-${cpu:-max}}
  suite=resnet50 impls=hawc_auto,hawc_fast,xnnpack_f16,onednn_f32 threads=1 layers=
  grep -q 'HAWC_BENCH_HAVE_NCNN' "build/$preset/bench/CMakeFiles/hawc_bench.dir/flags.make" 2>/dev/null &&
    impls+=,ncnn_auto
  for a in "$@"; do
    case "$a" in
      --suite=*) suite=${a#*=} ;;
      --layers=*) layers=${a#*=} ;;
      --impl=*) impls=${a#*=} ;;
      --threads=*) threads=${a#*=} ;;
      *) echo "bench.sh: under emulation only --suite, --layers, --impl and --threads apply (got $a)" >&2
         exit 2 ;;
    esac
  done
  out=build/$preset/bench/insn_counts
  echo "=== under QEMU (-cpu $cpu): counting executed instructions (wall times under emulation say nothing about ARM)"
  status=0
  bench/profile --bench="$bench" --plugin-dir="build/$preset/qemu_plugin" --cpu="$cpu" \
    --suite="$suite" ${layers:+--layers="$layers"} --impl="$impls" --threads="$threads" \
    --out="$out" >"$out.log" 2>&1 || status=$?
  echo "=== executed instructions per layer (QEMU plugin, one checked call each; full tables: $out.log)"
  bench/insn_summary "$out/profile.tsv" || status=1
  echo "=== finished in $((SECONDS - start)) s (exit $status)"
  exit $status
fi

t0=$SECONDS
echo "=== ${run[*]} ${args[*]}"
status=0
"${run[@]}" "${args[@]}" || status=$?
echo "=== hawc_bench finished in $((SECONDS - t0)) s (exit $status; total with build $((SECONDS - start)) s)"
exit $status
