#!/usr/bin/env bash
# Issue 4's benchmark: minicnn against PyTorch (Debian's python3-torch) on LeNet-5 training, inference and
# conv2d shapes, alternating the two, at 1 and 2 threads. Prints a markdown table and the figures as JSON.
# Installs python3-torch when missing (the benchmark needs it; minicnn itself does not).
# Usage: bash bench/run_speed_bench.sh [ROUNDS] [BUILD_DIR]   (defaults: 3, build-bench)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
build_dir=${2:-$top/build-bench}
"$top/scripts/install-deps.sh" python3-torch python3-numpy
mkdir -p "$build_dir"
cmake -S "$top" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DMINICNN_BUILD_TESTS=OFF -DMINICNN_BUILD_BENCH=ON \
  > "$build_dir/configure.log" 2>&1 || { cat "$build_dir/configure.log"; exit 1; }
cmake --build "$build_dir" -j "$(nproc)" --target speed_bench > /dev/null
/usr/bin/python3 "$top/bench/speed_compare.py" "$build_dir/speed_bench" "$top/configs/lenet.json" \
  --rounds "$rounds" --json "$build_dir/speed.json"
