#!/bin/sh
# CMAKE_CROSSCOMPILING_EMULATOR for aarch64 programs on a non-ARM host.
# Usage: qemu-aarch64.sh DEFAULT_CPU PROGRAM [ARGS...]
# HAWC_QEMU_CPU overrides DEFAULT_CPU. "-L /" makes the guest use Debian's
# arm64 multiarch libraries (the cross toolchain's own loader mixed with the
# multiarch libc hangs every program that starts a thread).
cpu=${HAWC_QEMU_CPU:-$1}
shift
# Tell the dispatch test what the emulated CPU offers, so a broken FP16
# detection fails instead of silently running the portable path.
case "$cpu" in
  cortex-a35 | cortex-a53 | cortex-a57 | cortex-a72) HAWC_EXPECT_FP16=0 ;;
  *) HAWC_EXPECT_FP16=1 ;;
esac
export HAWC_EXPECT_FP16
exec qemu-aarch64 -L / -cpu "$cpu" "$@"
