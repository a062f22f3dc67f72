#!/usr/bin/env bash
# Runs scripts/verify_with_torch.py on gradflow runs of every activation x loss
# (float64 by default; pass float32 as $1), printing one line per run, and exits
# non-zero if any run exceeds the tolerance. Needs python3-torch and a build.
#   bash scripts/verify_all_with_torch.sh [float64|float32] [path/to/gradflow]
set -euo pipefail
cd "$(dirname "$0")/.."
dtype=${1:-float64}
gradflow=${2:-build/gradflow}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
activations=$("$gradflow" list | awk '/^Activations/{on=1; next} on && NF==0{exit} on && /^  [a-z]/{print $1}')
[ -n "$activations" ] || activations="sigmoid tanh relu leaky_relu elu maxout softplus softsign selu gelu silu identity"
for activation in $activations; do
  for loss in probe mse cross_entropy; do
    "$gradflow" run -q --dtype "$dtype" --activation "$activation" --loss "$loss" --depth 8 \
      --width 48 --batch 24 --bias-std 0.3 --input-scale 2 --leaky-slope 0.2 --elu-alpha 0.8 \
      --maxout-pieces 3 --seed 7 -o "$work/l.csv" --summary-out "$work/s.csv" \
      --save-model "$work/m.safetensors"
    if line=$(/usr/bin/python3 scripts/verify_with_torch.py "$work/m.safetensors" "$work/l.csv" \
                --summary "$work/s.csv" | tail -1); then
      status=ok
    else
      status=FAIL; failed=1
    fi
    printf '%-11s %-13s %-7s %s\n' "$activation" "$loss" "$dtype" "${line#largest relative difference: }"
  done
done
exit $failed
