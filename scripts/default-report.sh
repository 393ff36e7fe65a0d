#!/usr/bin/env bash
# Installs what is missing, builds in Release, and prints the default LPU-vs-FP16 comparison
# (BitNet b1.58 3B, 512 prompt + 128 generated tokens, batch 1); files go to results/default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target lpusim
./build/lpusim compare configs/designs/lpu.yaml configs/designs/fp16.yaml workloads/bitnet_b158_3b.yaml -o results/default
