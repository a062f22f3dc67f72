#!/usr/bin/env bash
# The README's main job: set-up, build, the canonical experiment, and the
# figures, all written into results/.
#
# The canonical experiment: the six activations of the seed post (sigmoid,
# tanh, relu, leaky_relu, maxout, elu) x two inits (xavier_uniform,
# he_normal), a 20-layer, 256-wide network, batch 128, seeds 0..2, one
# forward/backward pass each. Sigmoid's gradients vanish toward the input;
# ReLU/He's do not.
#
# Three steps: measure (CSV), draw (figures), describe (results/README.md and
# report.html). Only `measure` knows how the CSVs are made. It runs one
# `gradflow run` per configuration rather than one `gradflow sweep`, because
# sweep has no --histograms and the seed-0 runs write histograms too;
# `measure_training` adds a short `gradflow train` comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

results=results
gradflow=build/gradflow
python=/usr/bin/python3
activations=(sigmoid tanh relu leaky_relu maxout elu)
inits=(xavier_uniform he_normal)
seeds=(0 1 2)
network=(--depth 20 --width 256 --batch 128)
histogram_seed=0  # histograms of one seed per configuration
commands="$results/commands.txt"

mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# bash scripts/main_job.sh ran these; \$WORK is a temporary folder" >"$commands"

# Runs a command, recording it in results/commands.txt ($WORK: the temporary
# folder of the per-run files that measure joins).
record() {
  echo "${*//$work/\$WORK}" >>"$commands"
  "$@"
}

# Joins CSV files with one header (every gradflow CSV starts with the same columns).
join_csv() {
  local out=$1
  shift
  head -n 1 "$1" >"$out.tmp"
  for file in "$@"; do tail -n +2 "$file" >>"$out.tmp"; done
  mv "$out.tmp" "$out"
}

# Step 1: results/runs.csv (per layer), summary.csv (per run), histograms.csv.
measure() {
  local runs=() summaries=() histograms=()
  for activation in "${activations[@]}"; do
    for init in "${inits[@]}"; do
      for seed in "${seeds[@]}"; do
        local name="$work/${activation}_${init}_${seed}"
        local extra=()
        if [ "$seed" = "$histogram_seed" ]; then
          extra=(--histograms "$name.hist.csv")
          histograms+=("$name.hist.csv")
        fi
        record "$gradflow" run -q --threads 1 --activation "$activation" --init "$init" \
          "${network[@]}" --seed "$seed" -o "$name.csv" --summary-out "$name.summary.csv" \
          "${extra[@]}"
        runs+=("$name.csv")
        summaries+=("$name.summary.csv")
      done
    done
  done
  join_csv "$results/runs.csv" "${runs[@]}"
  join_csv "$results/summary.csv" "${summaries[@]}"
  join_csv "$results/histograms.csv" "${histograms[@]}"
}

# Step 1b: a short training comparison: sigmoid/Xavier against ReLU/He.
measure_training() {
  local runs=() curves=()
  for pair in sigmoid:xavier_uniform relu:he_normal; do
    local name="$work/train_${pair%%:*}"
    record "$gradflow" train -q --activation "${pair%%:*}" --init "${pair##*:}" --depth 10 \
      --width 128 --steps 500 --log-steps log -o "$name.csv" --curve-out "$name.curve.csv"
    runs+=("$name.csv")
    curves+=("$name.curve.csv")
  done
  join_csv "$results/train.csv" "${runs[@]}"
  join_csv "$results/train_curve.csv" "${curves[@]}"
}

# Step 2: the figures.
draw() {
  record "$python" scripts/plot_gradient_flow.py "$results/runs.csv" \
    -o "$results/gradient_flow.png"
  record "$python" scripts/plot_saturation.py "$results/runs.csv" -o "$results/saturation.png"
  record "$python" scripts/plot_histograms.py "$results/histograms.csv" --quantity delta \
    -o "$results/histograms_delta.png"
  record "$python" scripts/plot_histograms.py "$results/histograms.csv" --quantity act \
    --activation sigmoid,tanh,relu -o "$results/histograms_act.png"
  if head -n 1 "$results/runs.csv" | grep -q pred_delta_ratio; then
    record "$python" scripts/plot_theory.py "$results/runs.csv" -o "$results/theory.png"
  fi
  if [ -f "$results/train.csv" ]; then
    record "$python" scripts/plot_training.py "$results/train.csv" \
      --curves "$results/train_curve.csv" -o "$results/training.png"
  fi
}

# Step 3: results/README.md and the one-page report.
describe() {
  local figures=("$results"/*.png)
  record "$python" scripts/make_report.py --html "$results/report.html" \
    --figures "${figures[@]}" --summary "$results/summary.csv" --commands "$commands" \
    --title "gradflow main job: ${activations[*]} x ${inits[*]}, ${network[*]}"
  {
    cat <<EOF
# results/: what the main job wrote

Made by \`bash scripts/main_job.sh\` (every command it ran is in \`commands.txt\`): the
six activations (${activations[*]}) x (${inits[*]}), \`${network[*]}\`, seeds ${seeds[*]},
one forward/backward pass each with the random-probe loss, float32.

| file | what it shows |
|---|---|
| \`gradient_flow.png\` | ‖δ^l‖ and ‖∂L/∂W^l‖ per layer, log y, one line per configuration (geometric mean over seeds, min–max band); the legend gives each vanishing ratio ‖δ¹‖/‖δ^L‖. Sigmoid's first layer gets gradients many orders of magnitude below ReLU/He's (the arrow at layer 1 gives the number). |
| \`saturation.png\` | saturated fraction of (unit, sample) pairs and dead fraction of units per layer |
| \`histograms_delta.png\` | histograms of log10\|δ^l\| per layer (seed ${histogram_seed}): sigmoid's slide left decade by decade toward the input; the share of exact zeros is printed |
| \`histograms_act.png\` | histograms of a^l per layer for sigmoid, tanh and relu under both inits (the CS231n figure): ReLU/Xavier collapses toward 0, tanh/He saturates at ±1 in layer 1 |
| \`runs.csv\` | per-layer CSV of every run (\`gradflow run\` columns, one row per run and layer) |
| \`summary.csv\` | one row per run: vanishing ratio, decay per layer, mean saturation, verdict |
| \`histograms.csv\` | \`gradflow run --histograms\` of seed ${histogram_seed} (not committed: regenerate it) |
| \`report.html\` | one self-contained page: the summary table, every figure, the commands (not committed) |
| \`commands.txt\` | the exact commands |
EOF
    [ -f "$results/theory.png" ] &&
      echo "| \`theory.png\` | measured per-layer ‖δ^l‖/‖δ^L‖, q^l and saturation beside the mean-field predictions |"
    [ -f "$results/training.png" ] &&
      echo "| \`training.png\` | training: ‖δ^l‖ heatmap over steps, relative weight change per layer, loss curves |"
    [ -f "$results/train.csv" ] &&
      echo "| \`train.csv\` | per-layer CSV of the two \`gradflow train\` runs (sigmoid/xavier_uniform, relu/he_normal; depth 10, width 128, 500 steps): one row per logged step and layer, with \`update_ratio\` and \`weight_change\` |"
    [ -f "$results/train_curve.csv" ] &&
      echo "| \`train_curve.csv\` | their learning curves (\`--curve-out\`): train/test loss and accuracy per logged step |"
    [ -f "$results/bench.json" ] &&
      echo "| \`bench.json\` | not written by the main job: the benchmark results of \`bash scripts/bench.sh --json results/bench.json\` (README, Performance) |"
    [ -d "$results/baselines" ] &&
      echo "| \`baselines/\` | not written by the main job: the CI regression baseline (\`grid.toml\` and its layer, summary and aggregate CSVs), rewritten by \`scripts/ci_regression_check.sh --update\` |"
    cat <<EOF

Remake one figure, e.g. \`/usr/bin/python3 scripts/plot_gradient_flow.py results/runs.csv -o results/gradient_flow.png\`
(every script has \`--help\`, \`--format svg|pdf\`, \`--figsize W H\`, \`--dpi\`).
EOF
  } >"$results/README.md"
}

start=$SECONDS
measure
measure_training
draw
describe
echo "main job: done in $((SECONDS - start)) s; figures in $(pwd)/$results/:" >&2
for figure in "$results"/*.png; do echo "  $(pwd)/$figure" >&2; done
echo "  one-page report: $(pwd)/$results/report.html; what each file shows: $(pwd)/$results/README.md" >&2
