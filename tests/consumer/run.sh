#!/usr/bin/env bash
# Installs the hawc build in BUILD_DIR to a temporary prefix, then builds the
# consumer project against it with find_package and pkg-config and runs both.
# Usage: run.sh SOURCE_DIR BUILD_DIR WORK_DIR [TOOLCHAIN_FILE]
set -euo pipefail
src=$1 build=$2 work=$3 toolchain=${4:-}
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
args=(-S "$src/tests/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix")
if [ -n "$toolchain" ]; then
  args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
  # pkg-config must find the aarch64 prefix's hawc.pc, not host packages.
  export PKG_CONFIG_LIBDIR="$work/prefix/lib/pkgconfig"
else
  export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
fi
cmake "${args[@]}" > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
emulator=()
[ -n "$toolchain" ] && [ "$(uname -m)" != aarch64 ] && emulator=("$src/toolchains/qemu-aarch64.sh" max)
"${emulator[@]}" "$work/build/consumer_cmake"
"${emulator[@]}" "$work/build/consumer_pkgconfig"
