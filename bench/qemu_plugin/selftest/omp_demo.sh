#!/usr/bin/env bash
# OpenMP end-to-end demo of the hawc_insn_count plugin (not part of the exact
# self-test; run by hand):
#
#   bench/qemu_plugin/selftest/omp_demo.sh [BUILD_DIR]
#
# Builds omp_demo.c (4 OpenMP threads, FP16 + FP32 FMLA kernels between
# HAWC_ROI_BEGIN/END), runs it under qemu-aarch64 without the plugin, with
# roi=on,mem=on and with roi=off, checks that
#   - there are 4 "thread" lines (vcpus=4) and exactly one BEGIN/END,
#   - fp16_fmla = (N/8)*REPS and fp32_fmla = (N/4)*REPS in total and a
#     quarter of each per thread (exact: schedule(static)),
#   - the ROI excludes start-up/initialisation (roi=off counts more
#     instructions, and the FP16 conversions of the init loop),
# and prints the wall-clock time of each run (plugin overhead).
# Environment: QEMU, CROSS_CC, HOST_CC, N (default 32768), REPS (default 2048).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
builddir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/hawc_qemu_plugin.XXXXXX")}
mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)
QEMU=${QEMU:-qemu-aarch64}
CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
N=${N:-32768}
REPS=${REPS:-2048}

pass=0
fail=0
check() { # check LABEL CONDITION-RESULT(0/1) DETAIL
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1 ($3)"; fi
}
field() { # field FILE LINE-PREFIX KEY
    grep "^$2 " "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
now() { date +%s.%N; }

plugin=$("$here/../build.sh" "$builddir") || { echo "plugin build failed"; exit 1; }
"$CROSS_CC" -O2 -march=armv8.2-a+fp16 -fopenmp -DN="$N" -DREPS="$REPS" \
    -o "$builddir/omp_demo" "$here/omp_demo.c" || { echo "omp_demo build failed"; exit 1; }

run() { # run NAME PLUGIN-ARGS|none
    local t0 t1 rc
    t0=$(now)
    if [ "$2" = none ]; then
        "$QEMU" -L / -cpu max "$builddir/omp_demo" > "$builddir/omp_$1.stdout"
    else
        "$QEMU" -L / -cpu max -plugin "$plugin,$2,out=$builddir/omp_$1.txt" \
            "$builddir/omp_demo" > "$builddir/omp_$1.stdout"
    fi
    rc=$?
    t1=$(now)
    check "$1: exit status" "$rc" "rc=$rc"
    printf '%-12s %-22s %6.2f s\n' "$1" "$2" "$(echo "$t1 - $t0" | bc)"
}

run noplugin none
run roi roi=on,mem=on
run roi_nomem roi=on
run all roi=off

out="$builddir/omp_roi.txt"
cat "$out"
nthreads=$(grep -c '^thread ' "$out")
check "roi: 4 thread lines" "$([ "$nthreads" -eq 4 ]; echo $?)" "got $nthreads"
check "roi: vcpus=4" "$([ "$(field "$out" hawc_insn_count vcpus)" = 4 ]; echo $?)" ""
check "roi: one BEGIN" "$([ "$(field "$out" hawc_insn_count roi_begins)" = 1 ]; echo $?)" ""
check "roi: one END" "$([ "$(field "$out" hawc_insn_count roi_ends)" = 1 ]; echo $?)" ""
e16=$((N * REPS / 8))
e32=$((N * REPS / 4))
check "roi: total fp16_fmla" "$([ "$(field "$out" total fp16_fmla)" = $e16 ]; echo $?)" "expected $e16"
check "roi: total fp32_fmla" "$([ "$(field "$out" total fp32_fmla)" = $e32 ]; echo $?)" "expected $e32"
check "roi: fp16_other (init loop excluded)" "$([ "$(field "$out" total fp16_other)" = 0 ]; echo $?)" ""
for t in 0 1 2 3; do
    check "roi: thread $t fp16_fmla" "$([ "$(field "$out" "thread $t" fp16_fmla)" = $((e16 / 4)) ]; echo $?)" ""
    check "roi: thread $t fp32_fmla" "$([ "$(field "$out" "thread $t" fp32_fmla)" = $((e32 / 4)) ]; echo $?)" ""
done
roi_insns=$(field "$out" total insns)
all_insns=$(field "$builddir/omp_all.txt" total insns)
all16=$(field "$builddir/omp_all.txt" total fp16_other)
echo "instructions: roi=on $roi_insns, roi=off $all_insns (start-up + init + exit = $((all_insns - roi_insns)))"
check "roi excludes start-up" "$([ "$all_insns" -gt "$roi_insns" ]; echo $?)" ""
check "roi=off sees the init loop's fcvt" "$([ "$all16" -gt 0 ]; echo $?)" ""
check "same checksum" "$(cmp -s "$builddir/omp_noplugin.stdout" "$builddir/omp_roi.stdout"; echo $?)" ""
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
