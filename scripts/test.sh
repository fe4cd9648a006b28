#!/usr/bin/env bash
# The test command: installs what is missing, then builds and runs every test
# configuration. On x86: host, host with ASan+UBSan, host with TSan, a 60 s
# libFuzzer run (host-fuzz, clang), and the aarch64 build
# under QEMU on a CPU with FP16 arithmetic (max), on one without (cortex-a72),
# and the Graviton2 build on QEMU's neoverse-n1. On an aarch64 host the same
# presets build and run natively.
set -euo pipefail
cd "$(dirname "$0")/.."
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$(nproc)}

scripts/install-deps.sh

presets=(host host-asan host-tsan host-fuzz aarch64 aarch64-nofp16 graviton2)
[ $# -gt 0 ] && presets=("$@")
start=$SECONDS
for preset in "${presets[@]}"; do
  echo "=== $preset"
  t0=$SECONDS
  cmake --workflow --preset "$preset"
  echo "=== $preset passed in $((SECONDS - t0)) s"
done
echo "=== all test configurations passed (${presets[*]}) in $((SECONDS - start)) s"
