#!/usr/bin/env bash
# shellcheck disable=SC2034  # count vectors are used via namerefs (local -n)
# Self-test of the hawc_insn_count QEMU plugin.
#
#   bench/qemu_plugin/selftest/run.sh [BUILD_DIR]
#
# 1. builds the plugin (../build.sh BUILD_DIR) and a host-side decoder test;
# 2. decoder table test: every instruction of decode_cases.txt is assembled
#    with the cross assembler and must be classified as listed;
# 3. builds roi_test.S (freestanding, two threads, two ROIs) and runs it
#    under qemu-aarch64 with the plugin in several configurations, checking
#    every counter of every output line against the exact expected values
#    derived from the block tallies documented in roi_test.S.
# Prints "N passed, M failed" and exits non-zero on any failure.
#
# Environment: QEMU (qemu-aarch64), CROSS_CC (aarch64-linux-gnu-gcc),
# CROSS_AS, CROSS_OBJDUMP, HOST_CC (cc), N0..N3 (loop trip counts),
# VERBOSE=1 (print every check), SELFTEST_PERTURB=1 (debug only: corrupt
# one expected value to prove that the test can fail).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
builddir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/hawc_qemu_plugin.XXXXXX")}
mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)

QEMU=${QEMU:-qemu-aarch64}
CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
CROSS_AS=${CROSS_AS:-aarch64-linux-gnu-as}
CROSS_OBJDUMP=${CROSS_OBJDUMP:-aarch64-linux-gnu-objdump}
HOST_CC=${HOST_CC:-cc}
N0=${N0:-100}
N1=${N1:-1000}
N2=${N2:-3000}
N3=${N3:-2000}

pass=0
fail=0
die() { echo "run.sh: $*" >&2; echo "$pass passed, $((fail + 1)) failed"; exit 1; }

check() { # check LABEL EXPECTED ACTUAL
    if [ "$2" == "$3" ]; then
        pass=$((pass + 1))
        [ -n "${VERBOSE:-}" ] && echo "ok   $1 = $3"
    else
        fail=$((fail + 1))
        echo "FAIL $1: expected $2, got ${3:-<missing>}"
    fi
    return 0
}

# ---------------------------------------------------------------- build
plugin=$("$here/../build.sh" "$builddir") || die "plugin build failed"
echo "plugin: $plugin"
"$HOST_CC" -O1 -Wall -Wextra -o "$builddir/decode_test" "$here/decode_test.c" ||
    die "decode_test build failed"
"$CROSS_CC" -nostdlib -static -DN0="$N0" -DN1="$N1" -DN2="$N2" -DN3="$N3" \
    -o "$builddir/roi_test" "$here/roi_test.S" || die "roi_test build failed"

# ---------------------------------------------------- decoder table test
cases="$builddir/decode_cases.tsv"
grep -v '^[[:space:]]*#' "$here/decode_cases.txt" | grep -v '^[[:space:]]*$' > "$cases"
{
    echo '.arch armv8.5-a+fp16+fp16fml+rcpc+lse+crypto+sha3+bf16+sve+dotprod+rdma+memtag'
    awk '{ $1 = ""; print substr($0, 2) }' "$cases"
} > "$builddir/decode_cases.s"
"$CROSS_AS" -o "$builddir/decode_cases.o" "$builddir/decode_cases.s" ||
    die "assembling decode cases failed"
"$CROSS_OBJDUMP" -d "$builddir/decode_cases.o" |
    awk '/^ *[0-9a-f]+:\t/ { print $2 }' > "$builddir/decode_cases.hex"
[ "$(wc -l < "$cases")" -eq "$(wc -l < "$builddir/decode_cases.hex")" ] ||
    die "decode cases: instruction count mismatch after assembly"
dec_out=$(paste -d' ' <(awk '{ print $1 }' "$cases") "$builddir/decode_cases.hex" \
          <(awk '{ $1 = ""; print substr($0, 2) }' "$cases") | "$builddir/decode_test")
echo "$dec_out" | grep '^FAIL' || true
dp=$(echo "$dec_out" | sed -n 's/^decode: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
df=$(echo "$dec_out" | sed -n 's/^decode: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$dp" ] || [ -z "$df" ]; then die "decode_test produced no summary"; fi
pass=$((pass + dp))
fail=$((fail + df))
echo "decoder table: $dp passed, $df failed"

# ------------------------------------------------------ expected values
# Vector order (values of one output line, after insns):
KEYS=(fp16_fmla fp16_other fp32_fmla loads stores branches other bytes_loaded bytes_stored)
NCLS=7  # the first 7 keys are instruction classes (their sum is insns)
MIX=(4 6 3 11 6 0 4 145 89)         # 34 insns, see roi_test.S
BRMIX=(0 0 0 0 0 8 2 0 0)           # 10 insns
LOOPCTL=(0 0 0 0 0 1 1 0 0)         # subs + b.ne per iteration
OTHER=(0 0 0 0 0 0 1 0 0)
BRANCH=(0 0 0 0 0 1 0 0 0)
FP16FMLA=(0 0 0 0 0 0 0 0 0); FP16FMLA[0]=1
LDQ=(0 0 0 1 0 0 0 16 0)            # ldr q, 16 bytes
STQ=(0 0 0 0 1 0 0 0 16)            # str q, 16 bytes

vzero() { local -n _z=$1; _z=(0 0 0 0 0 0 0 0 0); }
acc() { # acc DST MULT SRC  (DST += MULT * SRC)
    local -n _d=$1 _s=$3
    local i
    for i in "${!KEYS[@]}"; do _d[i]=$((_d[i] + $2 * _s[i])); done
}
loop() { acc "$1" 1 OTHER; acc "$1" "$2" MIX; acc "$1" "$2" LOOPCTL; }

# Main thread, inside the ROIs (identical for roi=global and roi=thread).
vzero ROI1; acc ROI1 1 MIX; acc ROI1 1 BRMIX; loop ROI1 "$N1"; acc ROI1 1 MIX
vzero ROI2; acc ROI2 9 OTHER; acc ROI2 1 OTHER; acc ROI2 2 BRANCH
loop ROI2 "$N2"; acc ROI2 6 OTHER; acc ROI2 1 OTHER
vzero T0_ROI; acc T0_ROI 1 ROI1; acc T0_ROI 1 ROI2
# Main thread, everything (roi=off): markers are ordinary "other" insns.
vzero T0_ALL
acc T0_ALL 4 OTHER; loop T0_ALL "$N0"
acc T0_ALL 1 FP16FMLA; acc T0_ALL 1 LDQ; acc T0_ALL 1 OTHER      # .., BEGIN
acc T0_ALL 1 ROI1
acc T0_ALL 1 OTHER; acc T0_ALL 1 FP16FMLA; acc T0_ALL 1 STQ; acc T0_ALL 1 BRANCH
acc T0_ALL 1 MIX
acc T0_ALL 1 OTHER; acc T0_ALL 1 ROI2; acc T0_ALL 1 OTHER         # BEGIN, END
acc T0_ALL 3 OTHER
# Child thread.
vzero T1_GLOBAL
acc T1_GLOBAL 1 BRANCH; loop T1_GLOBAL "$N3"
acc T1_GLOBAL 1 MIX; acc T1_GLOBAL 1 BRMIX; acc T1_GLOBAL 1 MIX; acc T1_GLOBAL 3 OTHER
vzero T1_THREAD; acc T1_THREAD 1 MIX; acc T1_THREAD 1 BRMIX
vzero T1_ALL; acc T1_ALL 1 T1_GLOBAL; acc T1_ALL 2 OTHER

# ------------------------------------------------------------- run & compare
declare -A got
parse() { # parse FILE -> got[<line id>.<key>]
    got=()
    local line id kv
    while read -r line; do
        case $line in
            hawc_insn_count*) id=header; line=${line#hawc_insn_count} ;;
            total*)           id=total;  line=${line#total} ;;
            thread\ *)       read -r _ id _ <<< "$line"
                              id="thread $id"; line=${line#"$id"} ;;
            *) continue ;;
        esac
        got["$id.lines"]=$(( ${got["$id.lines"]:-0} + 1 ))
        for kv in $line; do got["$id.${kv%%=*}"]=${kv#*=}; done
    done < "$1"
}

check_line() { # check_line RUN ID MEMON VECNAME
    local -n _v=$4
    local i sum=0 val
    for ((i = 0; i < NCLS; i++)); do sum=$((sum + _v[i])); done
    check "$1: $2 insns" "$sum" "${got["$2.insns"]:-}"
    for i in "${!KEYS[@]}"; do
        val=${_v[i]}
        if [ "$i" -ge "$NCLS" ] && [ "$3" != on ]; then val=0; fi
        check "$1: $2 ${KEYS[i]}" "$val" "${got["$2.${KEYS[i]}"]:-}"
    done
}

perturbed=
run_case() { # run_case NAME PLUGIN_ARGS ROI_NAME MEMON T0VEC T1VEC BEGINS ENDS
    local name=$1 args=$2 out="$builddir/out_$1.txt" rc
    rm -f "$out"
    "$QEMU" -L / -cpu max -plugin "$plugin,$args,out=$out" "$builddir/roi_test"
    rc=$?
    check "$name: qemu exit status" 0 "$rc"
    [ -f "$out" ] || { check "$name: output file exists" yes no; return; }
    parse "$out"
    [ -n "${VERBOSE:-}" ] && cat "$out"
    local -n _t0=$5 _t1=$6
    local e0=("${_t0[@]}") e1=("${_t1[@]}") tot
    if [ -n "${SELFTEST_PERTURB:-}" ] && [ -z "$perturbed" ]; then
        e0[0]=$((e0[0] + 1)); perturbed=1
        echo "NOTE: SELFTEST_PERTURB set: expecting a wrong thread 0 fp16_fmla"
    fi
    vzero tot; acc tot 1 e0; acc tot 1 e1
    check "$name: header lines" 1 "${got[header.lines]:-}"
    check "$name: header version" 1 "${got[header.version]:-}"
    check "$name: header roi" "$3" "${got[header.roi]:-}"
    check "$name: header mem" "$4" "${got[header.mem]:-}"
    check "$name: header vcpus" 2 "${got[header.vcpus]:-}"
    check "$name: header roi_begins" "$7" "${got[header.roi_begins]:-}"
    check "$name: header roi_ends" "$8" "${got[header.roi_ends]:-}"
    check "$name: number of thread lines" 2 "$(grep -c '^thread ' "$out")"
    check_line "$name" total "$4" tot
    check_line "$name" "thread 0" "$4" e0
    check_line "$name" "thread 1" "$4" e1
    echo "case $name ($args): done, cumulative $pass passed, $fail failed"
}

run_case global_mem "roi=on,mem=on"     global on  T0_ROI T1_GLOBAL 3 3
run_case thread_mem "roi=thread,mem=on" thread on  T0_ROI T1_THREAD 3 3
run_case off_mem    "roi=off,mem=on"    off    on  T0_ALL T1_ALL    0 0
run_case global     "roi=global"        global off T0_ROI T1_GLOBAL 3 3
run_case off        "mem=off"           off    off T0_ALL T1_ALL    0 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
