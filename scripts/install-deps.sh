#!/usr/bin/env bash
# Installs every package hawc's builds, tests and benchmarks need, from the
# distribution (Debian/Ubuntu apt). Idempotent: does nothing when all is there.
#   x86_64 host:  host toolchain + aarch64 cross compiler, QEMU user mode and
#                 Debian's arm64 multiarch libraries (GoogleTest, Google
#                 Benchmark, oneDNN, XNNPACK, libgomp) for the QEMU builds.
#   aarch64 host: the native packages only.
# Arch-all packages are named with :all (dpkg-query finds no host-arch copy);
# libonnx-testdata's files serve the QEMU tests too (qemu-aarch64 -L /).
set -euo pipefail

arch=$(uname -m)
native=(cmake make g++ pkg-config python3 python3-numpy python3-matplotlib
        libgtest-dev libbenchmark-dev libomp-dev clang llvm-19 lld
        libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes of clang 14 (host-fuzz)
        dpkg-dev:all        # dpkg-architecture: the .deb test's multiarch directory
        libonnx-testdata:all)  # ONNX's backend tests: test_onnx_conv's Conv cases
cross=(g++-aarch64-linux-gnu qemu-user)
arm64_libs=(libgtest-dev libbenchmark-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev libgomp1 libstdc++6)

if [ "$arch" = aarch64 ] || [ "$arch" = arm64 ]; then
  wanted=("${native[@]}" libdnnl-dev libxnnpack-dev libpthreadpool-dev)
else
  wanted=("${native[@]}" "${cross[@]}")
  for p in "${arm64_libs[@]}"; do wanted+=("$p:arm64"); done
fi

# Name every package with its architecture: a bare multiarch name would match
# the arm64 copy alone and hide a missing native one.
host_arch=$(dpkg --print-architecture)
missing=()
for p in "${wanted[@]}"; do
  [[ $p == *:* ]] || p="$p:$host_arch"

  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
if [ "$arch" != aarch64 ] && [ "$arch" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
