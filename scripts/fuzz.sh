#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, AddressSanitizer + UndefinedBehaviorSanitizer) in build-fuzz/
# and runs each for SECONDS (default 25), starting from its seed corpus (tests/fuzz/corpus/<target>/) and the
# inputs that once broke it (tests/fuzz/regressions/<target>/). New interesting inputs accumulate in
# build-fuzz/corpus/<target>/. A crash, leak, hang (an input running 25 s: the largest image an input may
# describe takes seconds to decode under the sanitizers) or broken promise is reported with the input that
# caused it, saved in build-fuzz/artifacts/<target>/; once the parser is fixed, that input belongs in
# tests/fuzz/regressions/<target>/, where ctest (test_fuzz_inputs) replays it in every build.
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]     (default: every target)
# Environment: MINICNN_FUZZ_JOBS=N runs N targets at a time (default 1); each is run under nice.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-25}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(idx idx_gz config checkpoint npy image image_folder)
jobs=${MINICNN_FUZZ_JOBS:-1}
build=$top/build-fuzz

mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINICNN_FUZZ=ON \
  -DMINICNN_BUILD_TESTS=OFF -DMINICNN_BUILD_BENCH=OFF > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}" make_fuzz_corpus

# The fuzzers' scratch files go to a tmpfs when there is one: checkpoints are saved with fsync.
scratch=${TMPDIR:-/tmp}
[[ -d /dev/shm && -w /dev/shm ]] && scratch=/dev/shm

run_target() {
  local target=$1
  local work=$build/corpus/$target artifacts=$build/artifacts/$target log=$build/logs/$target.log
  mkdir -p "$work" "$artifacts" "$build/logs"
  local inputs=("$work" "$top/tests/fuzz/corpus/$target")
  [[ -d "$top/tests/fuzz/regressions/$target" ]] && inputs+=("$top/tests/fuzz/regressions/$target")
  local options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1
                 -artifact_prefix="$artifacts/")
  [[ -f "$top/fuzz/$target.dict" ]] && options+=(-dict="$top/fuzz/$target.dict")
  local status=0
  TMPDIR=$scratch OMP_NUM_THREADS=1 UBSAN_OPTIONS=print_stacktrace=1 \
    nice "$build/fuzz_$target" "${options[@]}" "${inputs[@]}" > "$log" 2>&1 || status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if ((status == 0)); then
    echo "fuzz_$target: ${runs:-?} inputs in ${seconds} s, no crash"
  else
    echo "fuzz_$target: FAILED after ${runs:-?} inputs (exit $status); the input is in $artifacts/:"
    grep -E "ERROR|SUMMARY|runtime error|terminate|what\(\)" "$log" | head -5 | sed 's/^/  /'
    echo "  full log: $log"
  fi
  return "$status"
}

failed=0
running=0
for target in "${targets[@]}"; do
  run_target "$target" &
  if ((++running >= jobs)); then
    wait -n || failed=1
    ((running--))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  ((running--))
done
exit "$failed"
