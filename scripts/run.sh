#!/usr/bin/env bash
# The main job, from nothing: install what is missing, build in Release, and train the default network
# (Caffe's LeNet, configs/lenet.json) on Fashion-MNIST. A short run by default; MINICNN_EPOCHS=10 gives the
# full one of the config. Ends by saying where to look: the filters picture and the training report.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$top/build" -DMINICNN_BUILD_TESTS=OFF -DMINICNN_BUILD_BENCH=OFF
cd "$top"
./build/minicnn train configs/lenet.json --epochs "${MINICNN_EPOCHS:-2}"
run_dir=$(ls -td runs/lenet-*/ | sed -n 1p)  # the newest, the one just trained
run_dir=$top/${run_dir%/}
echo
echo "See what the network learned and how training went:"
echo "  the first layer's filters:  $run_dir/filters.png"
echo "  the training report:        $run_dir/report.html"
echo "                              (open file://$run_dir/report.html in a browser)"
