#include "experiment/theory_columns.h"

#include "base/format.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"

namespace gradflow {

// What the prediction depends on: no batch, input distribution, loss, dtype
// or seed (the theory is their large-width, any-batch limit). Built on first
// use: ConfigColumns() is another file's static.
const std::vector<Column<RunConfig>>& TheoryConfigColumns() {
  static const std::vector<Column<RunConfig>> columns = [] {
    std::vector<Column<RunConfig>> chosen =
        ColumnsNamed(ConfigColumns(), {"activation", "act_param", "init", "init_param", "gain",
                                       "bias_std", "depth", "width", "input_dim", "input_scale"});
    chosen.push_back({"saturation_threshold",
                      "tau of the saturation rule |phi'(u)| < tau * max|phi'|",
                      [](const RunConfig& c) { return FormatNumber(c.saturation_threshold); }});
    return chosen;
  }();
  return columns;
}

namespace {

std::string Num(double v) { return FormatNumber(v); }
std::string Int(int64_t v) { return fmt::format("{}", v); }

const std::vector<Column<TheoryRow>> kPhaseColumns = {
    {"sigma_w2", "sigma_w^2 = fan_in * Var(W) of a hidden layer (width -> width), times gain^2",
     [](const TheoryRow& r) { return Num(r.theory->sigma_w2_hidden); }},
    {"sigma_b2", "sigma_b^2 = bias_std^2",
     [](const TheoryRow& r) { return Num(r.theory->sigma_b2); }},
    {"q_x", "input second moment: 1 x input_scale^2",
     [](const TheoryRow& r) { return Num(r.theory->q_x); }},
    {"fixed_point",
     "where the length map takes q^l: stable (q* > 0) | zero | diverging | marginal (every q "
     "fixed)",
     [](const TheoryRow& r) { return std::string(FixedPointName(r.theory->phase.kind)); }},
    {"q_star", "the fixed point q* (0 or inf for zero/diverging)",
     [](const TheoryRow& r) { return Num(r.theory->phase.q_star); }},
    {"chi1", "chi_1 = chi(q*) = sigma_w^2 E[phi'(u)^2], u ~ N(0, q*) (limits for zero/diverging)",
     [](const TheoryRow& r) { return Num(r.theory->phase.chi1); }},
    {"xi",
     "-1/ln chi_1 layers: > 0 gradients shrink e-fold per xi layers, < 0 grow per |xi|, inf "
     "critical",
     [](const TheoryRow& r) { return Num(r.theory->phase.xi); }},
    {"phase", "ordered (chi_1 < 1) | critical (|chi_1 - 1| <= 1e-6) | chaotic (chi_1 > 1)",
     [](const TheoryRow& r) { return r.theory->phase.phase; }},
    {"pred_vanishing_ratio", "predicted ||delta^1|| / ||delta^L|| (probe loss at initialisation)",
     [](const TheoryRow& r) { return Num(r.theory->vanishing_ratio); }},
    {"pred_decay_per_layer", "pred_vanishing_ratio^(1/(L-1))",
     [](const TheoryRow& r) { return Num(r.theory->decay_per_layer); }},
};

const std::vector<Column<TheoryRow>> kLayerColumns = {
    {"layer", "l, 1 = next to the input", [](const TheoryRow& r) { return Int(r.layer->layer); }},
    {"layer_sigma_w2", "sigma_w^2 of W^l (layer 1: fan_in = input_dim)",
     [](const TheoryRow& r) { return Num(r.layer->sigma_w2); }},
    {"pred_preact_q", "q^l, the predicted mean of (z^l)^2",
     [](const TheoryRow& r) { return Num(r.layer->q); }},
    {"chi",
     "chi_l = sigma_w^2 E[phi'(u)^2], u ~ N(0, q^l): predicted ||delta^l||^2/||delta^l+1||^2",
     [](const TheoryRow& r) { return Num(r.layer->chi); }},
    {"pred_delta_ratio", "predicted ||delta^l|| / ||delta^L|| = sqrt(prod_{m=l}^{L-1} chi_m)",
     [](const TheoryRow& r) { return Num(r.layer->delta_ratio); }},
    {"pred_saturation_frac", "P[|phi'(u)| < tau * max|phi'|], u ~ N(0, q^l)",
     [](const TheoryRow& r) { return Num(r.layer->saturation_frac); }},
};

// The configuration and phase columns of one row.
CsvLine PhaseLine(const TheoryRow& row) {
  return CsvLine().AddValues(TheoryConfigColumns(), *row.config).AddValues(kPhaseColumns, row);
}

}  // namespace

const std::vector<Column<TheoryRow>>& PhaseColumns() { return kPhaseColumns; }
const std::vector<Column<TheoryRow>>& TheoryLayerColumns() { return kLayerColumns; }

std::string TheoryLayerCsv(const RunConfig& config, const NetworkTheory& theory) {
  std::string csv = CsvLine()
                        .AddNames(TheoryConfigColumns())
                        .AddNames(kPhaseColumns)
                        .AddNames(kLayerColumns)
                        .Text();
  const CsvLine phase = PhaseLine({&config, &theory, nullptr});
  for (const LayerTheory& layer : theory.layers) {
    csv += CsvLine(phase).AddValues(kLayerColumns, {&config, &theory, &layer}).Text();
  }
  return csv;
}

std::string TheoryPhaseCsv(const std::vector<RunConfig>& configs,
                           const std::vector<NetworkTheory>& theories) {
  std::string csv = CsvLine().AddNames(TheoryConfigColumns()).AddNames(kPhaseColumns).Text();
  for (size_t i = 0; i < configs.size(); ++i) {
    csv += PhaseLine({&configs[i], &theories[i], nullptr}).Text();
  }
  return csv;
}

}  // namespace gradflow
