#!/usr/bin/env bash
# The README's main job: set-up, build, and the demo experiment, writing results/.
#
# Sigmoid vs ReLU, as in the seed post: the same 20-layer, 256-wide network,
# once with sigmoid + Xavier (gradients vanish toward the input) and once
# with ReLU + He (they do not).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p results
gradflow=build/gradflow
common=(--depth 20 --width 256 --batch 128 --seed 0)
"$gradflow" run --activation sigmoid --init xavier_uniform "${common[@]}" \
  -o results/sigmoid_xavier.csv --summary-out results/sigmoid_xavier_summary.csv
"$gradflow" run --activation relu --init he_normal "${common[@]}" \
  -o results/relu_he.csv --summary-out results/relu_he_summary.csv
echo "main job: CSV written to $(pwd)/results/" >&2
