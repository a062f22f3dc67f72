#include "experiment/run_columns.h"

#include <cmath>
#include <optional>

#include "base/format.h"
#include "fmt/format.h"

namespace gradflow {

namespace {

std::string Num(double v) { return FormatNumber(v); }
std::string Int(int64_t v) { return fmt::format("{}", v); }
// Empty cell where a prediction does not apply.
std::string OptNum(const std::optional<double>& v) { return v ? Num(*v) : std::string(); }

const std::vector<Column<RunConfig>> kConfigColumns = {
    {"activation", "activation name (gradflow list)",
     [](const RunConfig& c) { return ActivationName(c.activation); }},
    {"act_param",
     "the activation's parameter: leaky slope, ELU alpha or maxout pieces; empty if none",
     [](const RunConfig& c) { return MakeActivation(c).ParamString(); }},
    {"init",
     "initialisation scheme; `file` for weights loaded by --load-model from a file that names none",
     [](const RunConfig& c) { return InitName(c.init); }},
    {"init_param", "the scheme's parameter: --init-std for normal, --init-scale for uniform",
     [](const RunConfig& c) { return InitParamString(c.init, c.init_params); }},
    {"gain", "multiplier on every weight", [](const RunConfig& c) { return Num(c.gain); }},
    {"bias_std", "biases ~ N(0, bias_std^2)", [](const RunConfig& c) { return Num(c.bias_std); }},
    {"depth", "hidden layers L", [](const RunConfig& c) { return Int(c.depth); }},
    {"width", "units per hidden layer N", [](const RunConfig& c) { return Int(c.width); }},
    {"widths",
     "units of each hidden layer, 'x'-separated (512x256x128), when --widths gives unequal "
     "ones; empty when all have `width`",
     [](const RunConfig& c) { return WidthsText(c); }},
    {"norm", "none, batch or layer: the normalisation of z^l before phi (--norm)",
     [](const RunConfig& c) { return NormName(c.norm); }},
    {"residual", "the residual scale s of a^l = a^{l-1} + s*phi(...) (--residual); empty without",
     [](const RunConfig& c) { return c.residual ? Num(c.residual_scale) : std::string(); }},
    {"input_dim", "input dimension", [](const RunConfig& c) { return Int(c.InputDim()); }},
    {"batch", "samples B", [](const RunConfig& c) { return Int(c.batch); }},
    {"input",
     "input distribution (gaussian or uniform, unit variance); `file` for a batch x loaded by "
     "--load-model from a file that names none",
     [](const RunConfig& c) { return InputName(c.input); }},
    {"input_scale", "multiplier on every input",
     [](const RunConfig& c) { return Num(c.input_scale); }},
    {"loss", "probe, mse or cross_entropy", [](const RunConfig& c) { return LossName(c.loss); }},
    {"dtype", "float32 or float64",
     [](const RunConfig& c) { return std::string(DTypeName(c.dtype)); }},
    {"seed", "random seed", [](const RunConfig& c) { return fmt::format("{}", c.seed); }},
};

const std::vector<Column<LayerMetrics>> kLayerColumns = {
    {"layer", "l, 1 = next to the input", [](const LayerMetrics& m) { return Int(m.layer); }},
    {"kind", "hidden, or head (the linear output layer of mse/cross_entropy)",
     [](const LayerMetrics& m) { return m.kind; }},
    {"fan_in", "columns of W^l", [](const LayerMetrics& m) { return Int(m.fan_in); }},
    {"fan_out", "rows of W^l (units x pieces for maxout)",
     [](const LayerMetrics& m) { return Int(m.fan_out); }},
    {"preact_mean", "mean of z^l over (row, sample)",
     [](const LayerMetrics& m) { return Num(m.preact_mean); }},
    {"preact_std", "population standard deviation of z^l",
     [](const LayerMetrics& m) { return Num(m.preact_std); }},
    {"preact_q", "mean of (z^l)^2, the mean-field q^l",
     [](const LayerMetrics& m) { return Num(m.preact_q); }},
    {"act_mean", "mean of a^l = phi(z^l)", [](const LayerMetrics& m) { return Num(m.act_mean); }},
    {"act_std", "population standard deviation of a^l",
     [](const LayerMetrics& m) { return Num(m.act_std); }},
    {"saturation_frac",
     "fraction of (unit, sample) with |phi'(z)| < tau * max|phi'| (tau = --saturation-threshold)",
     [](const LayerMetrics& m) { return Num(m.saturation_frac); }},
    {"saturated_unit_frac", "fraction of units saturated on >= 99% of the batch",
     [](const LayerMetrics& m) { return Num(m.saturated_unit_frac); }},
    {"dead_frac", "fraction of units with phi'(z) = 0 for every sample",
     [](const LayerMetrics& m) { return Num(m.dead_frac); }},
    {"delta_norm",
     "||dLoss/dz^l||_F, the back-propagated gradient at the linear output z^l = W^l a^{l-1} + "
     "b^l (before the norm, if any)",
     [](const LayerMetrics& m) { return Num(m.delta_norm); }},
    {"delta_norm_post",
     "||dLoss/da^l||_F at the layer's (block's) output a^l: the gradient arriving from above, "
     "through W^{l+1} and, with --residual, the skip path",
     [](const LayerMetrics& m) { return Num(m.delta_norm_post); }},
    {"grad_w_norm", "||dLoss/dW^l||_F = ||delta^l (a^{l-1})^T||_F",
     [](const LayerMetrics& m) { return Num(m.grad_w_norm); }},
    {"grad_b_norm", "||dLoss/db^l||_2 = ||delta^l 1||",
     [](const LayerMetrics& m) { return Num(m.grad_b_norm); }},
    {"grad_w_norm_per_example", "sqrt(mean_b ||delta_b||^2 ||a_b^{l-1}||^2)",
     [](const LayerMetrics& m) { return Num(m.grad_w_norm_per_example); }},
    {"weight_norm", "||W^l||_F", [](const LayerMetrics& m) { return Num(m.weight_norm); }},
    {"grad_to_weight", "grad_w_norm / weight_norm",
     [](const LayerMetrics& m) { return Num(m.grad_to_weight); }},
    {"input_same_sign_frac",
     "fraction of samples whose input a^{l-1} has all entries of one sign (zeros count with "
     "either): for them every row of dLoss/dW^l = delta a^T is single-signed",
     [](const LayerMetrics& m) { return Num(m.input_same_sign_frac); }},
    {"grad_w_sign_agreement",
     "mean over rows i of |#positive - #negative| / fan_in in dLoss/dW^l_{i,:}: 1 when every "
     "row is single-signed, near 0 for mixed signs",
     [](const LayerMetrics& m) { return Num(m.grad_w_sign_agreement); }},
    {"nonfinite", "count of NaN/Inf entries in z^l, a^l and delta^l",
     [](const LayerMetrics& m) { return Int(m.nonfinite); }},
    {"subnormal",
     "count of subnormal entries (nonzero, below the dtype's smallest normal: underflowing) in "
     "z^l, a^l and delta^l",
     [](const LayerMetrics& m) { return Int(m.subnormal); }},
    {"pred_preact_q",
     "mean-field prediction of preact_q at initialisation: q^1 = sigma_w^2 q_x + sigma_b^2, "
     "q^l = sigma_w^2 E[phi(u)^2] + sigma_b^2, u ~ N(0, q^{l-1}) (gradflow theory); "
     "empty when the network is not freshly initialised",
     [](const LayerMetrics& m) { return OptNum(m.pred_preact_q); }},
    {"pred_delta_ratio",
     "predicted delta_norm[l] / delta_norm[L] = sqrt(prod_{m=l}^{L-1} chi(q^m)), "
     "chi(q) = sigma_w^2 E[phi'(u)^2]; assumes --loss probe at initialisation, "
     "empty for mse/cross_entropy (their top gradient depends on the weights) and for the head",
     [](const LayerMetrics& m) { return OptNum(m.pred_delta_ratio); }},
    {"pred_saturation_frac",
     "predicted saturation_frac at initialisation: P[|phi'(u)| < tau * max|phi'|], u ~ N(0, q^l)",
     [](const LayerMetrics& m) { return OptNum(m.pred_saturation_frac); }},
};

const std::vector<Column<RunSummary>> kSummaryColumns = {
    {"loss_value", "the loss at this pass", [](const RunSummary& s) { return Num(s.loss); }},
    {"vanishing_ratio", "delta_norm[1] / delta_norm[L], L the last hidden layer",
     [](const RunSummary& s) { return Num(s.vanishing_ratio); }},
    {"grad_w_vanishing_ratio", "grad_w_norm[1] / grad_w_norm[L]",
     [](const RunSummary& s) { return Num(s.grad_w_vanishing_ratio); }},
    {"decay_per_layer", "vanishing_ratio^(1/(L-1)): geometric-mean per-layer factor",
     [](const RunSummary& s) { return Num(s.decay_per_layer); }},
    {"mean_saturation", "mean saturation_frac over hidden layers",
     [](const RunSummary& s) { return Num(s.mean_saturation); }},
    {"nonfinite", "NaN/Inf count over all layers",
     [](const RunSummary& s) { return Int(s.nonfinite); }},
    {"verdict",
     "nonfinite | vanishing (ratio < --vanishing-threshold) | exploding (ratio > "
     "--exploding-threshold) | at_risk (ratio within a factor 10 of either threshold) | healthy",
     [](const RunSummary& s) { return s.verdict; }},
    {"pred_vanishing_ratio",
     "predicted vanishing_ratio (mean-field; --loss probe at initialisation, else empty)",
     [](const RunSummary& s) { return OptNum(s.pred_vanishing_ratio); }},
    {"pred_decay_per_layer",
     "predicted decay_per_layer (--loss probe at initialisation, else empty)",
     [](const RunSummary& s) { return OptNum(s.pred_decay_per_layer); }},
    {"chi1",
     "chi_1 = chi(q*) of a hidden layer, q* the length map's fixed point reached from q^1 "
     "(its limit when q^l goes to 0 or infinity); per-layer gradient gain deep in the network",
     [](const RunSummary& s) { return OptNum(s.chi1); }},
    {"phase",
     "ordered (chi_1 < 1: gradients vanish) | critical (|chi_1 - 1| <= 1e-6) | chaotic "
     "(chi_1 > 1: they explode); empty when not predicted",
     [](const RunSummary& s) { return s.phase; }},
};

}  // namespace

const std::vector<Column<RunConfig>>& ConfigColumns() { return kConfigColumns; }
const std::vector<Column<LayerMetrics>>& LayerColumns() { return kLayerColumns; }
const std::vector<Column<RunSummary>>& SummaryColumns() { return kSummaryColumns; }

std::string LayerCsvHeader() {
  return CsvLine().AddNames(kConfigColumns).AddNames(kLayerColumns).Text();
}

std::string SummaryCsvHeader() {
  return CsvLine().AddNames(kConfigColumns).AddNames(kSummaryColumns).Text();
}

std::string LayerCsvRows(const RunResult& result) {
  const CsvLine config = CsvLine().AddValues(kConfigColumns, result.config);
  std::string rows;
  for (const LayerMetrics& m : result.layers) {
    rows += CsvLine(config).AddValues(kLayerColumns, m).Text();
  }
  return rows;
}

std::string SummaryCsvRow(const RunResult& result) {
  return CsvLine()
      .AddValues(kConfigColumns, result.config)
      .AddValues(kSummaryColumns, result.summary)
      .Text();
}

}  // namespace gradflow
