#!/usr/bin/env bash
# Build the hawc_insn_count QEMU TCG plugin with the host C compiler.
#
#   bench/qemu_plugin/build.sh OUTDIR      -> OUTDIR/libhawc_insn_count.so
#
# Environment: HOST_CC (default: cc), HOST_CFLAGS (extra flags).
# Idempotent: does nothing if the .so is newer than the source and this
# script; the library is replaced atomically.  Prints the library path.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/hawc_insn_count.c"
outdir=$1
mkdir -p "$outdir"
out="$(cd "$outdir" && pwd)/libhawc_insn_count.so"

if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ] &&
   [ -z "${HAWC_FORCE_REBUILD:-}" ]; then
    echo "$out"
    exit 0
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086
${HOST_CC:-cc} -shared -fPIC -O2 -fvisibility=hidden -Wall -Wextra \
    ${HOST_CFLAGS:-} -o "$tmp" "$src"
mv -f "$tmp" "$out"
trap - EXIT
echo "$out"
