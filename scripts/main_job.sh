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
# Three steps: measure (CSV: one `gradflow sweep`, per-configuration
# histograms, a short `gradflow train` comparison), draw (figures), describe
# (results/README.md and report.html). Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh gradflow  # the program only: the tests are scripts/test.sh's

results=results
gradflow=build/gradflow
python=/usr/bin/python3
activations=(sigmoid tanh relu leaky_relu maxout elu)
inits=(xavier_uniform he_normal)
seeds=(0 1 2)
network=(--depth 20 --width 256 --batch 128)
histogram_seed=0  # histograms of one seed per configuration
commands="$results/commands.txt"
rewritten=""  # the results/ CSVs this job rewrote (settle), whose figures are redrawn

mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "# bash scripts/main_job.sh ran these, from the repository root; pasted into a shell"
  echo "# they remake the per-run files in a temporary folder:"
  echo 'WORK=$(mktemp -d)'
} >"$commands"

# Runs a command, recording it in results/commands.txt ($WORK: the temporary
# folder of the per-run files that measure joins). RECORD_ONLY=1 records it
# without running it (a figure whose numbers did not change), so commands.txt
# is the same whichever figures a run redrew.
record() {
  local quoted="" arg
  for arg in "$@"; do  # quote only what a shell would split or expand
    if [[ $arg =~ ^[A-Za-z0-9_./,:=+-]+$ ]]; then quoted+=" $arg"; else quoted+=" $(printf %q "$arg")"; fi
  done
  quoted=${quoted# }
  echo "${quoted//$work/\$WORK}" >>"$commands"
  [ "${RECORD_ONLY:-0}" = 1 ] && return 0
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

# Step 1: results/runs.csv (per layer) and summary.csv (per run), from one
# sweep over the grid (activation x init x seed, in that nesting order), and
# histograms.csv from one run per configuration (seed $histogram_seed).
measure() {
  local IFS=,
  record "$gradflow" sweep -q --activation "${activations[*]}" --init "${inits[*]}" \
    --seeds "${seeds[*]}" "${network[@]}" -o "$work/runs.csv" \
    --summary-out "$work/summary.csv"
  unset IFS
  local histograms=()
  for activation in "${activations[@]}"; do
    for init in "${inits[@]}"; do
      local name="$work/${activation}_${init}"
      record "$gradflow" run -q --activation "$activation" --init "$init" "${network[@]}" \
        --seed "$histogram_seed" -o /dev/null --histograms "$name.hist.csv"
      histograms+=("$name.hist.csv")
    done
  done
  join_csv "$results/histograms.csv" "${histograms[@]}"
  settle runs.csv summary.csv
}

# Moves FILE... from $work into results/, except where results/ already holds
# the same table up to floating-point noise (scripts/same_within_tolerance.py:
# another CPU or OpenBLAS kernel changes the last bits): then the committed
# file stays, so a clone's main job leaves tracked files unmodified unless the
# numbers really changed, and the figures drawn from them stay the same too.
settle() {
  for file in "$@"; do
    if [ -f "$results/$file" ] &&
      "$python" scripts/same_within_tolerance.py "$work/$file" "$results/$file" 2>/dev/null; then
      echo "main job: results/$file unchanged (same numbers within 1e-2 relative)" >&2
    else
      mv "$work/$file" "$results/$file"
      rewritten+=" $file"
      echo "main job: results/$file written" >&2
    fi
  done
}

# Step 1b: a short training comparison, sigmoid/Xavier against ReLU/He, in
# float64: 500 float32 steps amplify last-bit differences between CPUs and
# OpenBLAS kernels to up to 19% (grad_w ratio) and 5% (loss); float64 keeps
# them below 1e-13, so the committed numbers reproduce on other machines.
measure_training() {
  local runs=() curves=()
  for pair in sigmoid:xavier_uniform relu:he_normal; do
    local name="$work/train_${pair%%:*}"
    record "$gradflow" train -q --activation "${pair%%:*}" --init "${pair##*:}" --depth 10 \
      --width 128 --steps 500 --log-steps log --dtype float64 -o "$name.csv" \
      --curve-out "$name.curve.csv"
    runs+=("$name.csv")
    curves+=("$name.curve.csv")
  done
  join_csv "$work/train.csv" "${runs[@]}"
  join_csv "$work/train_curve.csv" "${curves[@]}"
  settle train.csv train_curve.csv
}

# Step 1c: the Jacobian spectrum at depth 32 (Pennington et al. 2017, Figure 1):
# linear, ReLU and tanh near criticality, each with Gaussian and orthogonal
# weights. Criticality: linear sigma_w^2 = 1; ReLU sigma_w^2 = 2 (He, or
# orthogonal with gain sqrt 2); tanh sigma_w^2 = 1.02^2 with bias_std 0.005,
# chi_1 = 0.9993 at q* = 0.021, inputs scaled to start near q* (input_scale 0.14).
# results/spectrum.csv (one row per configuration) is committed;
# spectrum_values.csv (every singular value, 1 MB) is regenerated.
measure_spectrum() {
  local summaries=() values=()
  local configs=(
    "identity xavier_normal 1 0 1" "identity orthogonal 1 0 1"
    "relu he_normal 1 0 1" "relu orthogonal 1.4142135623730951 0 1"
    "tanh xavier_normal 1.02 0.005 0.14" "tanh orthogonal 1.02 0.005 0.14"
  )
  for config in "${configs[@]}"; do
    local activation init gain bias scale
    read -r activation init gain bias scale <<<"$config"
    local name="$work/spectrum_${activation}_${init}"
    record "$gradflow" spectrum -q --activation "$activation" --init "$init" --gain "$gain" \
      --bias-std "$bias" --input-scale "$scale" --depth 32 --width 256 --samples 4 \
      --dtype float64 -o "$name.csv" --values-out "$name.values.csv"
    summaries+=("$name.csv")
    values+=("$name.values.csv")
  done
  join_csv "$work/spectrum.csv" "${summaries[@]}"
  join_csv "$results/spectrum_values.csv" "${values[@]}"
  settle spectrum.csv
}

# Step 1d: the seed post's three reasons why sigmoid is a poor activation
# (README "The seed's three reasons"), each measured.
# (1) Saturation: sigmoid, tanh and ReLU at depth 20 over the initial weight
#     scale (xavier_normal x gain: sigma_w^2 = gain^2) and over the bias scale
#     at Xavier weights, float64 so that tiny ratios do not underflow; and
#     tanh's phase picture over (sigma_w^2, depth)
#     with sigma_b = 0.05 (summary CSV: vanishing_ratio and chi1 per run).
# (2) Centring: a shallow network (depth 2, where vanishing plays no part)
#     trained with sigmoid, tanh and sigmoid_centred on the same data,
#     optimiser and seeds; steps to a training-loss target.
# (3) Cost: gradflow bench, every activation in float32 and float64; the pass
#     at width 512, batch 128 (the default 1024 x 256 takes minutes on 2 busy cores).
saturation_gains=0.25,0.5,0.75,1,1.5,2,3,4,6,8,12,16
saturation_biases=0.5,1,2,4,8,16
phase_gains=0.6,0.7,0.8,0.9,0.95,1,1.05,1.1,1.2,1.35,1.5,1.75,2
phase_depths=2,5,10,15,20,30,40,50,60
centring_activations=(sigmoid tanh sigmoid_centred)
centring_seeds=(0 1 2)
centring_target=0.8
measure_seed() {
  record "$gradflow" sweep -q --activation sigmoid,tanh,relu --init xavier_normal \
    --gain "$saturation_gains" --seeds 0,1 --depth 20 --width 256 --batch 128 --dtype float64 \
    -o "$work/saturation_weights.csv"
  record "$gradflow" sweep -q --activation sigmoid,tanh,relu --init xavier_normal \
    --bias-std "$saturation_biases" --seeds 0,1 --depth 20 --width 256 --batch 128 \
    --dtype float64 -o "$work/saturation_biases.csv"
  join_csv "$work/saturation_vs_scale_runs.csv" "$work/saturation_weights.csv" \
    "$work/saturation_biases.csv"
  record "$gradflow" sweep -q --activation tanh --init xavier_normal --gain "$phase_gains" \
    --bias-std 0.05 --depth "$phase_depths" --width 256 --batch 64 --dtype float64 --seeds 0 \
    -o /dev/null --summary-out "$work/phase_tanh.csv"
  local curves=()
  for activation in "${centring_activations[@]}"; do
    for seed in "${centring_seeds[@]}"; do
      local name="$work/centring_${activation}_$seed"
      record "$gradflow" train -q --activation "$activation" --init xavier_uniform --depth 2 \
        --width 64 --task regression --train-size 2048 --test-size 512 --optimizer sgd --lr 0.05 \
        --steps 1000 --log-every 20 --dtype float64 --seed "$seed" -o /dev/null \
        --curve-out "$name.curve.csv"
      curves+=("$name.curve.csv")
    done
  done
  join_csv "$work/centring_curve.csv" "${curves[@]}"
  record "$gradflow" bench -q --width 512 --batch 128 --pass-repeats 1 --repeats 3 \
    -o "$work/activation_cost.csv"
  settle saturation_vs_scale_runs.csv phase_tanh.csv centring_curve.csv activation_cost.csv
}

# Step 1e: remedies at depth 50 (README, Remedies): sigmoid plain and with
# batch norm, layer norm, a residual connection, residual + layer norm (and
# residual + batch norm: the grid is norm x residual), beside tanh/Xavier and
# ReLU/He; one forward/backward pass per seed. Then a short training comparison
# of the same variants (float64, as the other training runs). The residual
# scale is 0.1: with s = 1 the sigmoid branches' mean (0.5 each) piles up to
# about 25 per unit at layer 50, and the head starts at a cross-entropy of 80.
remedy_network=(--depth 50 --width 256 --batch 128)
remedy_scale=0.1
remedy_train=(--depth 50 --width 64 --batch 64 --steps 100 --log-every 10 --train-size 2048
  --test-size 512 --dtype float64)
measure_remedies() {
  record "$gradflow" sweep -q --activation sigmoid --norm none,batch,layer --residual off,on \
    --residual-scale "$remedy_scale" --seeds 0,1,2 "${remedy_network[@]}" \
    -o "$work/remedies_sigmoid.csv"
  record "$gradflow" sweep -q --activation tanh --init xavier_uniform --seeds 0,1,2 \
    "${remedy_network[@]}" -o "$work/remedies_tanh.csv"
  record "$gradflow" sweep -q --activation relu --init he_normal --seeds 0,1,2 \
    "${remedy_network[@]}" -o "$work/remedies_relu.csv"
  join_csv "$work/remedies.csv" "$work/remedies_sigmoid.csv" "$work/remedies_tanh.csv" \
    "$work/remedies_relu.csv"
  local curves=()
  local variants=("sigmoid xavier_uniform none off" "sigmoid xavier_uniform batch off"
    "sigmoid xavier_uniform layer off" "sigmoid xavier_uniform none on"
    "sigmoid xavier_uniform layer on" "tanh xavier_uniform none off"
    "relu he_normal none off")
  for variant in "${variants[@]}"; do
    local activation init norm residual
    read -r activation init norm residual <<<"$variant"
    local name="$work/train_remedy_${activation}_${norm}_${residual}"
    local flags=(--norm "$norm")
    [ "$residual" = on ] && flags+=(--residual --residual-scale "$remedy_scale")
    record "$gradflow" train -q --activation "$activation" --init "$init" "${flags[@]}" \
      "${remedy_train[@]}" -o /dev/null --curve-out "$name.curve.csv"
    curves+=("$name.curve.csv")
  done
  join_csv "$work/remedies_train_curve.csv" "${curves[@]}"
  settle remedies.csv remedies_train_curve.csv
}

# Step 2: the figures. A figure is redrawn when the numbers it shows were
# rewritten by settle (or it is missing): a committed figure of unchanged
# numbers stays byte for byte. The histograms come from the same runs as
# runs.csv (seed $histogram_seed), so runs.csv stands for them.
draw() {
  figure gradient_flow.png runs.csv -- scripts/plot_gradient_flow.py "$results/runs.csv"
  figure saturation.png runs.csv -- scripts/plot_saturation.py "$results/runs.csv"
  figure histograms_delta.png runs.csv -- scripts/plot_histograms.py "$results/histograms.csv" \
    --quantity delta
  figure histograms_act.png runs.csv -- scripts/plot_histograms.py "$results/histograms.csv" \
    --quantity act --activation sigmoid,tanh,relu
  figure theory.png runs.csv -- scripts/plot_theory.py "$results/runs.csv"
  figure spectrum.png spectrum.csv -- scripts/plot_spectrum.py "$results/spectrum_values.csv"
  figure training.png train.csv train_curve.csv -- scripts/plot_training.py \
    "$results/train.csv" --curves "$results/train_curve.csv"
  figure saturation_vs_scale.png saturation_vs_scale_runs.csv -- \
    scripts/plot_saturation_vs_scale.py "$results/saturation_vs_scale_runs.csv" \
    --table-out "$results/saturation_vs_scale.csv"
  figure phase_tanh.png phase_tanh.csv -- scripts/plot_phase.py "$results/phase_tanh.csv"
  figure zigzag.png -- scripts/plot_zigzag.py --table-out "$results/zigzag.csv"
  figure centring.png centring_curve.csv -- scripts/plot_centring.py \
    "$results/centring_curve.csv" --target "$centring_target" --table-out "$results/centring.csv"
  figure activation_cost.png activation_cost.csv -- scripts/plot_activation_cost.py \
    "$results/activation_cost.csv"
  figure remedies.png remedies.csv remedies_train_curve.csv -- scripts/plot_remedies.py \
    "$results/remedies.csv" --curves "$results/remedies_train_curve.csv"
}

# figure OUT.png INPUT.csv... -- SCRIPT ARGS...: runs SCRIPT ARGS -o results/OUT.png
# when an INPUT was rewritten by this job or OUT.png is missing.
figure() {
  local out=$1 stale=0
  shift
  [ -f "$results/$out" ] || stale=1
  while [ "$1" != -- ]; do
    [[ " $rewritten " == *" $1 "* ]] && stale=1
    shift
  done
  shift
  if ((stale)); then
    record "$python" "$@" -o "$results/$out"
  else
    RECORD_ONLY=1 record "$python" "$@" -o "$results/$out"
    echo "main job: results/$out unchanged (its numbers did not change)" >&2
  fi
}

# Step 3: results/README.md and the one-page report.
# One sentence per figure: what it shows (report.html's captions).
declare -A captions=(
  [gradient_flow.png]="Back-propagated gradient norm per layer (log scale): under sigmoid, layer 1 gets about 12 orders of magnitude less gradient than the last layer; under ReLU/He the norm stays flat."
  [saturation.png]="Saturated and dead fractions per layer: how many units pass almost no gradient."
  [histograms_delta.png]="Histograms of log10 of the gradient magnitude per layer: sigmoid's gradients slide left decade by decade toward the input."
  [histograms_act.png]="Histograms of the activations per layer (the CS231n picture): ReLU/Xavier collapses toward 0, tanh and sigmoid stay spread."
  [theory.png]="Measured per-layer gradient ratio, pre-activation variance and saturation (markers) beside the mean-field predictions (lines)."
  [spectrum.png]="Singular values of the input-output Jacobian at depth 32: orthogonal weights keep linear and near-critical tanh networks isometric (all s near 1); Gaussian weights and every ReLU network spread them over many decades."
  [remedies.png]="Gradient per layer at depth 50 for sigmoid, plain and with batch norm, layer norm and residual connections, beside tanh and ReLU/He, and the training loss of the same variants: residual connections and batch norm carry the gradient down to layer 1 (batch norm lets it grow slightly toward the input), layer norm alone does not; only batch norm makes sigmoid learn within 100 steps."
  [training.png]="Training for 500 steps: gradient norm per layer and step, how far each layer's weights moved, and the loss on one shared scale."
  [saturation_vs_scale.png]="Reason 1: as the weight or the bias scale grows, sigmoid's and tanh's units saturate; with larger biases the gradient reaching layer 1 collapses, with larger weights it grows instead (the weights amplify it more than saturation removes); measured (markers) over mean-field predictions (lines), ReLU as the contrast."
  [phase_tanh.png]="Reason 1, the classic phase picture: log10 of the gradient ratio over (sigma_w^2, depth) for tanh, vanishing on the ordered side of the theory's chi_1 = 1 line and exploding on the chaotic side."
  [zigzag.png]="Reason 2: a two-weight neuron learning a (+, -) target with all-positive inputs can only move both weights the same way each step (a staircase); with zero-centred inputs it need not."
  [centring.png]="Reason 2 in a real (shallow) network: training loss of sigmoid, tanh and the zero-centred sigmoid on the same data and optimiser, with the steps each needed to reach the target."
  [activation_cost.png]="Reason 3: time per element of each activation (phi, and phi with phi') and the share of one whole forward/backward pass spent in the activation versus the matrix products."
)

describe() {
  local figures=("$results"/*.png) caption_args=()
  for figure in "${figures[@]}"; do
    local name=${figure##*/}
    [ -n "${captions[$name]:-}" ] && caption_args+=(--caption "$name=${captions[$name]}")
  done
  record "$python" scripts/make_report.py --html "$results/report.html" \
    --figures "${figures[@]}" "${caption_args[@]}" --summary "$results/summary.csv" --commands "$commands" \
    --title "gradflow main job: ${activations[*]} x ${inits[*]}, ${network[*]}"
  {
    cat <<EOF
# results/: what the main job wrote

Made by \`bash scripts/main_job.sh\` (every command it ran is in \`commands.txt\`): the
six activations (${activations[*]}) x (${inits[*]}), \`${network[*]}\`, seeds ${seeds[*]},
one forward/backward pass each with the random-probe loss, float32; the training runs and
the Jacobian spectra in float64.

| file | what it shows |
|---|---|
| \`runs.csv\` | per-layer CSV of every run (\`gradflow run\` columns, one row per run and layer) |
| \`summary.csv\` | one row per run: vanishing ratio, decay per layer, mean saturation, verdict |
| \`histograms.csv\` | \`gradflow run --histograms\` of seed ${histogram_seed} (not committed: regenerate it) |
| \`report.html\` | one self-contained page: the summary table, every figure, the commands (not committed) |
| \`commands.txt\` | the exact commands |
EOF
    for figure in "${figures[@]}"; do
      local name=${figure##*/}
      echo "| \`$name\` | ${captions[$name]:-} |"
    done
    [ -f "$results/spectrum.csv" ] &&
      echo "| \`spectrum.csv\` | \`gradflow spectrum\` of the six Jacobian-spectrum configurations (depth 32, width 256, 4 samples, float64): sv_mean_sq, sv_var_sq, isometry_frac beside the predictions |"
    [ -f "$results/spectrum_values.csv" ] &&
      echo "| \`spectrum_values.csv\` | every singular value of those Jacobians (\`--values-out\`; not committed: regenerate it) |"
    [ -f "$results/train.csv" ] &&
      echo "| \`train.csv\` | per-layer CSV of the two \`gradflow train\` runs (sigmoid/xavier_uniform, relu/he_normal; depth 10, width 128, 500 steps): one row per logged step and layer, with \`update_ratio\` and \`weight_change\` |"
    [ -f "$results/train_curve.csv" ] &&
      echo "| \`train_curve.csv\` | their learning curves (\`--curve-out\`): train/test loss and accuracy per logged step |"
    [ -f "$results/saturation_vs_scale.csv" ] &&
      echo "| \`saturation_vs_scale.csv\` | per (activation, gain, bias_std): mean saturation_frac and vanishing_ratio, measured and predicted (depth 20, width 256, 2 seeds, float64) |"
    [ -f "$results/saturation_vs_scale_runs.csv" ] &&
      echo "| \`saturation_vs_scale_runs.csv\` | the per-layer CSV of those two sweeps (not committed: regenerate it) |"
    [ -f "$results/phase_tanh.csv" ] &&
      echo "| \`phase_tanh.csv\` | summary CSV of the tanh sweep over gain (sigma_w^2 = gain^2) and depth, sigma_b 0.05: vanishing_ratio and chi1 per run |"
    [ -f "$results/zigzag.csv" ] &&
      echo "| \`zigzag.csv\` | steps the two-weight neuron needed to reach its target, all-positive against zero-centred inputs, at a shared and at each one's best learning rate |"
    [ -f "$results/centring_curve.csv" ] &&
      echo "| \`centring_curve.csv\` | learning curves of the centring comparison (${centring_activations[*]}; depth 2, width 64, regression, SGD lr 0.05, seeds ${centring_seeds[*]}) |"
    [ -f "$results/centring.csv" ] &&
      echo "| \`centring.csv\` | steps to training loss ${centring_target} per activation in that comparison |"
    [ -f "$results/activation_cost.csv" ] &&
      echo "| \`activation_cost.csv\` | \`gradflow bench\`: ns per element of phi and of phi with phi', and each activation's share of a depth-20, width-512, batch-128 pass, float32 and float64 (timings of this machine: they change from run to run) |"
    [ -f "$results/remedies.csv" ] &&
      echo "| \`remedies.csv\` | per-layer CSV of the remedies runs (\`${remedy_network[*]}\`, seeds 0-2): sigmoid x {no norm, batch, layer} x {no residual, residual with scale $remedy_scale}, tanh/xavier_uniform and relu/he_normal |"
    [ -f "$results/remedies_train_curve.csv" ] &&
      echo "| \`remedies_train_curve.csv\` | learning curves of the remedies training comparison (\`gradflow train ${remedy_train[*]}\`): one row per logged step and variant |"
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
echo "main job: measuring (sweep of ${#activations[@]} activations x ${#inits[@]} inits x ${#seeds[@]} seeds)" >&2
measure
echo "main job: training sigmoid/Xavier and ReLU/He for 500 steps" >&2
measure_training
echo "main job: Jacobian spectra (linear, ReLU, tanh x Gaussian, orthogonal; depth 32)" >&2
measure_spectrum
echo "main job: the seed's three reasons (saturation vs scale, tanh phase, centring, activation cost)" >&2
seed_start=$SECONDS
measure_seed
echo "main job: the seed's three reasons took $((SECONDS - seed_start)) s" >&2
echo "main job: remedies (norm, residual) at depth 50 and their training comparison" >&2
measure_remedies
echo "main job: drawing the figures" >&2
draw
describe
echo "main job: done in $((SECONDS - start)) s; figures in $(pwd)/$results/:" >&2
for figure in "$results"/*.png; do echo "  $(pwd)/$figure" >&2; done
echo "  one-page report: $(pwd)/$results/report.html; what each file shows: $(pwd)/$results/README.md" >&2
