#!/usr/bin/env bash
# The .deb of a hawc build: CPack makes it (cmake/HawcPackage.cmake), its
# control fields and file list are checked, `dpkg -x` extracts it into a
# temporary root, and tests/consumer is built against <root>/usr with
# find_package (CMAKE_PREFIX_PATH) and pkg-config (PKG_CONFIG_LIBDIR) and run
# (under QEMU for aarch64).
# Usage: run.sh CPACK SOURCE_DIR BUILD_DIR WORK_DIR ARCH VERSION [TOOLCHAIN_FILE]
set -euo pipefail
cpack=$1 src=$2 build=$3 work=$4 arch=$5 version=$6 toolchain=${7:-}
rm -rf "$work" && mkdir -p "$work"
if ! (cd "$work" && "$cpack" --config "$build/CPackConfig.cmake" -B "$work/cpack" > cpack.log 2>&1); then
  cat "$work/cpack.log"
  exit 1
fi
debs=("$work"/cpack/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "expected one .deb, got: ${debs[*]}"; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb")"
fail=0
check_field() {
  local got
  got=$(dpkg-deb --field "$deb" "$1")
  if [ "$got" != "$2" ]; then
    echo "$1: '$got', expected '$2'"
    fail=1
  fi
}
check_field Package libhawc-dev
check_field Version "$version"
check_field Architecture "$arch"
[ "$(basename "$deb")" = "libhawc-dev_${version}_${arch}.deb" ] || { echo "file name $(basename "$deb")"; fail=1; }
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -v '/$' | sed 's|^\./||' | sort > "$work/contents.txt"
# Debian multiarch: the library directory is usr/lib/<triplet> of the
# package's architecture (arm64: aarch64-linux-gnu).
libdir=usr/lib/$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
for f in usr/include/hawc/hawc.h $libdir/cmake/hawc/hawcConfig.cmake \
         $libdir/cmake/hawc/hawcConfigVersion.cmake $libdir/cmake/hawc/hawcTargets.cmake \
         $libdir/pkgconfig/hawc.pc; do
  grep -qx "$f" "$work/contents.txt" || { echo "missing in the package: $f"; fail=1; }
done
grep -qE "^$libdir/libhawc\.(a|so)" "$work/contents.txt" || { echo "missing in the package: libhawc"; fail=1; }
# Nothing but the library's files (no tests, benchmarks or build paths).
if grep -vE "^usr/(include/hawc/|${libdir#usr/}/(libhawc|cmake/hawc/|pkgconfig/hawc\.pc))" "$work/contents.txt"; then
  echo "unexpected files in the package (above)"
  fail=1
fi
[ $fail -eq 0 ] || { echo "contents:"; cat "$work/contents.txt"; exit 1; }
dpkg -x "$deb" "$work/root"
"$src/tests/consumer/run.sh" --prefix "$work/root/usr" "$src" "$build" "$work/consumer" "$toolchain"
echo "package test passed: $(wc -l < "$work/contents.txt") files in $(basename "$deb")"
