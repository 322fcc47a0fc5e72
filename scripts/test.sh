#!/usr/bin/env bash
# Builds and runs the whole test suite: a Release build, then a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (skip it with MINICNN_SKIP_SANITIZE=1), then each fuzz target for
# MINICNN_FUZZ_SECONDS (default 30, as issue 8 asks; skip them with MINICNN_SKIP_FUZZ=1).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
jobs=$(nproc)
# Tests on explicitly: scripts/run.sh configures the same build directory without them, and CMake keeps that.
"$top/scripts/build.sh" "$top/build" -DMINICNN_BUILD_TESTS=ON
(cd "$top/build" && ctest --output-on-failure --no-tests=error -j "$jobs")
if [[ "${MINICNN_SKIP_SANITIZE:-0}" != 1 ]]; then
  "$top/scripts/build.sh" "$top/build-sanitize" -DCMAKE_BUILD_TYPE=Debug -DMINICNN_SANITIZE=ON -DMINICNN_BUILD_TESTS=ON \
    -DMINICNN_BUILD_BENCH=OFF
  (cd "$top/build-sanitize" && ctest --output-on-failure --no-tests=error -j "$jobs")
fi
if [[ "${MINICNN_SKIP_FUZZ:-0}" != 1 ]]; then
  MINICNN_FUZZ_JOBS=$jobs "$top/scripts/fuzz.sh" "${MINICNN_FUZZ_SECONDS:-30}"
fi
