#!/usr/bin/env bash
# gradflow's own gradient-flow regression check, for CI.
#
# Regenerates the committed baseline sweep (results/baselines/grid.toml) with
# the gradflow just built and compares it with results/baselines/ using
# `gradflow check`, plus rules that theory fixes (ReLU-family + He is healthy,
# deep sigmoid vanishes, nothing overflows). Writes JUnit XML and Markdown
# reports into the output folder.
#
# Usage: scripts/ci_regression_check.sh [OUT_DIR]      (default build/ci_regression)
#        scripts/ci_regression_check.sh --update       (rewrite the committed baseline,
#                                                       after an intended change)
# Environment: GRADFLOW=path/to/gradflow (default build/gradflow).
# Exit code: 0 pass, 1 regression found, 2 usage error or unreadable input.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gradflow=${GRADFLOW:-$root/build/gradflow}
baseline=$root/results/baselines
if [[ ! -x $gradflow ]]; then
  echo "ci_regression_check: no gradflow binary at '$gradflow' (build first, or set GRADFLOW)" >&2
  exit 2
fi

sweep() {  # sweep OUT_DIR
  "$gradflow" sweep --config "$baseline/grid.toml" --quiet \
    -o "$1/layers.csv" --summary-out "$1/summary.csv" --aggregate-out "$1/aggregate.csv"
}

if [[ ${1:-} == --update ]]; then
  sweep "$baseline"
  echo "ci_regression_check: rewrote $baseline/{layers,summary,aggregate}.csv; review and commit them"
  exit 0
fi

out=${1:-$root/build/ci_regression}
mkdir -p "$out"
sweep "$out"

status=0
run_check() {  # run_check NAME ARGS...: runs gradflow check, keeps the worst exit code
  local name=$1 code=0
  shift
  echo "== gradflow check: $name"
  "$gradflow" check "$@" --junit "$out/check_$name.xml" --markdown "$out/check_$name.md" || code=$?
  if ((code > status)); then status=$code; fi
}

# Per layer: delta_norm, grad_w_norm, saturation_frac against the baseline.
run_check layers "$out/layers.csv" --baseline "$baseline/layers.csv"
# Per run: vanishing ratios and mean saturation, plus the rules theory fixes.
run_check summary "$out/summary.csv" --baseline "$baseline/summary.csv" \
  --expect 'activation=relu|leaky_relu,init=he_normal:healthy' \
  --expect 'activation=sigmoid,depth=20:vanishing' \
  --expect 'activation=relu,init=xavier_uniform,depth=20:vanishing_ratio<1e-2' \
  --expect '*:!nonfinite'

if ((status == 0)); then
  echo "ci_regression_check: PASS (reports in $out)"
else
  echo "ci_regression_check: FAIL with exit code $status (reports in $out)" >&2
fi
exit $status
