#!/usr/bin/env bash
# Runs the libFuzzer target for SECONDS over a fresh working corpus seeded
# from SEED_CORPUS (which is only read), or with SECONDS = 0 every seed input
# once. Prints libFuzzer's statistics (executions, speed, new inputs) and
# fails, with the log's tail and the crashing input's name, on any finding.
# Usage: run_fuzz.sh FUZZER SEED_CORPUS WORK_DIR SECONDS
set -uo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
if [ "$seconds" = 0 ]; then
  args=(-runs=0 "$seeds")
else
  args=(-max_total_time="$seconds" "$work/corpus" "$seeds")
fi
"$fuzzer" -timeout=30 -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${args[@]}" \
  > "$work/fuzz.log" 2>&1
rc=$?
grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)" "$work/fuzz.log"
grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)" \
  "$work/fuzz.log"
findings=$(find "$work/artifacts" -type f | wc -l)
if [ "$rc" -ne 0 ] || [ "$findings" -ne 0 ]; then
  if [ -n "${HAWC_FUZZ_SELF_TEST_FAIL:-}" ]; then
    echo "fuzz_conv2d: failed as the self-test must (exit code $rc, $findings finding(s))"
    exit 1
  fi
  echo "fuzz_conv2d: FAILED (exit code $rc, $findings finding(s) in $work/artifacts); end of $work/fuzz.log:"
  tail -n 60 "$work/fuzz.log"
  echo "reproduce: $fuzzer $work/artifacts/<file>"
  exit 1
fi
echo "fuzz_conv2d: no finding ($(ls "$seeds" | wc -l) seed inputs, ${seconds} s)"
