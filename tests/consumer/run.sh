#!/usr/bin/env bash
# Installs the hawc build in BUILD_DIR to a temporary prefix, then builds the
# consumer project against it with find_package and pkg-config and runs both.
# With --prefix DIR the hawc already installed in DIR is used instead (an
# extracted .deb: tests/package/run.sh); pkg-config then looks only there.
# Usage: run.sh [--prefix DIR] SOURCE_DIR BUILD_DIR WORK_DIR [TOOLCHAIN_FILE]
set -euo pipefail
prefix=""
if [ "${1:-}" = --prefix ]; then
  prefix=$2
  shift 2
fi
src=$1 build=$2 work=$3 toolchain=${4:-}
rm -rf "$work" && mkdir -p "$work"
if [ -z "$prefix" ]; then
  prefix="$work/prefix"
  cmake --install "$build" --prefix "$prefix" > "$work/install.log"
fi
# lib/pkgconfig, or lib/<multiarch triplet>/pkgconfig on Debian.
pcdir=$(dirname "$(find "$prefix" -name hawc.pc -print -quit)")
args=(-S "$src/tests/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix")
if [ -n "$toolchain" ]; then
  args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
  # pkg-config must find the aarch64 prefix's hawc.pc, not host packages.
  export PKG_CONFIG_LIBDIR="$pcdir"
elif [ "$prefix" != "$work/prefix" ]; then
  export PKG_CONFIG_LIBDIR="$pcdir"
else
  export PKG_CONFIG_PATH="$pcdir"
fi
cmake "${args[@]}" > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
emulator=()
[ -n "$toolchain" ] && [ "$(uname -m)" != aarch64 ] && emulator=("$src/toolchains/qemu-aarch64.sh" max)
"${emulator[@]}" "$work/build/consumer_cmake"
"${emulator[@]}" "$work/build/consumer_pkgconfig"
