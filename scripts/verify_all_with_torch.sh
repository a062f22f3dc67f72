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
# The names come from gradflow's own tables.
names() {
  "$gradflow" list --json |
    /usr/bin/python3 -c "import json, sys; print(' '.join(r['name'] for r in json.load(sys.stdin)['$1']))"
}
activations=$(names activations)
losses=$(names losses)
for activation in $activations; do
  for loss in $losses; do
    "$gradflow" run -q --dtype "$dtype" --activation "$activation" --loss "$loss" --depth 8 \
      --width 48 --batch 24 --bias-std 0.3 --input-scale 2 --leaky-slope 0.2 --elu-alpha 0.8 \
      --maxout-pieces 3 --seed 7 -o "$work/l.csv" --summary-out "$work/s.csv" \
      --save-model "$work/m.safetensors"
    if line=$(/usr/bin/python3 scripts/verify_with_torch.py "$work/m.safetensors" "$work/l.csv" \
                --summary "$work/s.csv" --gradflow "$gradflow" | tail -1); then
      status=ok
    else
      status=FAIL; failed=1
    fi
    printf '%-11s %-13s %-7s %s\n' "$activation" "$loss" "$dtype" "${line#largest relative difference: }"
  done
done
exit $failed
