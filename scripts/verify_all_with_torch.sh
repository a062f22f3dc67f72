#!/usr/bin/env bash
# Runs scripts/verify_with_torch.py on gradflow runs of every activation x loss,
# then of every norm x residual x loss for sigmoid, tanh and relu (unequal
# --widths where there is no residual), in float64 by default (pass float32 as
# $1), printing one line per run, and exits non-zero if any run exceeds the
# tolerance. Needs python3-torch and a build. With "remedies" as $3 only the
# second part runs.
#   bash scripts/verify_all_with_torch.sh [float64|float32] [path/to/gradflow] [all|remedies]
set -euo pipefail
cd "$(dirname "$0")/.."
dtype=${1:-float64}
gradflow=${2:-build/gradflow}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
part=${3:-all}
failed=0
# The names come from gradflow's own tables.
names() {
  "$gradflow" list --json |
    /usr/bin/python3 -c "import json, sys; print(' '.join(r['name'] for r in json.load(sys.stdin)['$1']))"
}
activations=$(names activations)
losses=$(names losses)
# One run saved and verified; $1 labels the line, the rest are gradflow run options.
verify() {
  local label=$1
  shift
  "$gradflow" run -q --dtype "$dtype" "$@" --batch 24 --bias-std 0.3 --input-scale 2 \
    --seed 7 -o "$work/l.csv" --summary-out "$work/s.csv" --save-model "$work/m.safetensors"
  if line=$(/usr/bin/python3 scripts/verify_with_torch.py "$work/m.safetensors" "$work/l.csv" \
              --summary "$work/s.csv" --gradflow "$gradflow" | tail -1); then
    :
  else
    failed=1
  fi
  printf '%-40s %-7s %s\n' "$label" "$dtype" "${line#largest relative difference: }"
}
if [ "$part" != remedies ]; then
  for activation in $activations; do
    for loss in $losses; do
      verify "$activation $loss" --activation "$activation" --loss "$loss" --depth 8 \
        --width 48 --leaky-slope 0.2 --elu-alpha 0.8 --maxout-pieces 3
    done
  done
fi
for activation in sigmoid tanh relu; do
  for norm in $(names norms); do
    for residual in off on; do
      for loss in $losses; do
        if [ "$residual" = on ]; then
          shape=(--depth 8 --width 48 --residual --residual-scale 0.5)
        else
          shape=(--widths 48,40,56,32,48,36,44,40)
        fi
        verify "$activation norm=$norm residual=$residual $loss" --activation "$activation" \
          --norm "$norm" --loss "$loss" "${shape[@]}"
      done
    done
  done
done
exit $failed
