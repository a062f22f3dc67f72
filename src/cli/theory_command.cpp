// gradflow theory: mean-field predictions without running a network.
//
// One activation and one init: a per-layer table (q^l, χ_l, predicted
// ‖δ^l‖/‖δ^L‖, saturation) and the phase. Several (comma-separated) or `all`
// for either: a phase table, one row per (activation, init). -o writes the
// same as CSV.
#include <cmath>
#include <iostream>
#include <memory>

#include "base/error.h"
#include "base/suggest.h"
#include "cli/commands.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "theory/theory.h"

namespace gradflow::cli {
namespace {

struct TheoryOptions {
  RunConfig config;
  // As given: a name, comma-separated names or "all".
  std::string activations = ActivationName(config.activation);
  std::string inits = InitName(config.init);
  std::string out;  // CSV file; "" none; "-" stdout (the table then goes to stderr)
};

// One CSV row: a configuration, its predictions and (per-layer CSV) one layer.
struct TheoryRow {
  const RunConfig* config;
  const NetworkTheory* theory;
  const LayerTheory* layer;  // null in the phase table
};

std::string Num(double v) { return FormatNumber(v); }
std::string Int(int64_t v) { return fmt::format("{}", v); }

const std::vector<Column<TheoryRow>> kConfigColumns = {
    {"activation", "activation name",
     [](const TheoryRow& r) { return ActivationName(r.config->activation); }},
    {"act_param",
     "the activation's parameter (leaky slope, ELU alpha, maxout pieces); empty if none",
     [](const TheoryRow& r) { return MakeActivation(*r.config).ParamString(); }},
    {"init", "initialisation scheme", [](const TheoryRow& r) { return InitName(r.config->init); }},
    {"init_param", "--init-std for normal, --init-scale for uniform; empty otherwise",
     [](const TheoryRow& r) { return InitParamString(r.config->init, r.config->init_params); }},
    {"gain", "multiplier on every weight", [](const TheoryRow& r) { return Num(r.config->gain); }},
    {"bias_std", "biases ~ N(0, bias_std^2)",
     [](const TheoryRow& r) { return Num(r.config->bias_std); }},
    {"depth", "hidden layers L", [](const TheoryRow& r) { return Int(r.config->depth); }},
    {"width", "units per hidden layer N", [](const TheoryRow& r) { return Int(r.config->width); }},
    {"input_dim", "input dimension", [](const TheoryRow& r) { return Int(r.config->InputDim()); }},
    {"input_scale", "multiplier on every input",
     [](const TheoryRow& r) { return Num(r.config->input_scale); }},
    {"saturation_threshold", "tau of the saturation rule phi'(u) < tau * max phi'",
     [](const TheoryRow& r) { return Num(r.config->saturation_threshold); }},
};

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
    {"pred_saturation_frac", "P[phi'(u) < tau * max phi'], u ~ N(0, q^l)",
     [](const TheoryRow& r) { return Num(r.layer->saturation_frac); }},
};

template <typename Row>
void Append(const std::vector<Column<Row>>& columns, const Row* row, std::string* line) {
  for (const Column<Row>& column : columns) {
    if (!line->empty()) *line += ',';
    *line += row ? column.value(*row) : std::string(column.name);
  }
}

std::string PhaseSentence(const PhaseInfo& p) {
  if (p.phase == "critical") {
    return fmt::format("critical: chi_1 = {:.6g}, no exponential trend in the gradients", p.chi1);
  }
  if (p.phase == "ordered") {
    return fmt::format(
        "ordered: chi_1 = {:.6g} < 1, gradients shrink by e every {:.4g} layers toward the input",
        p.chi1, p.xi);
  }
  return fmt::format(
      "chaotic: chi_1 = {:.6g} > 1, gradients grow by e every {:.4g} layers toward the input",
      p.chi1, -p.xi);
}

std::string FixedPointSentence(const PhaseInfo& p) {
  switch (p.kind) {
    case FixedPointKind::kStable:
      return fmt::format("stable: q^l converges to q* = {:.6g}", p.q_star);
    case FixedPointKind::kZero:
      return "zero: q^l -> 0 (chi_1 is the limit of chi(q) as q -> 0)";
    case FixedPointKind::kDiverging:
      return "diverging: q^l -> infinity (chi_1 is the limit of chi(q) as q -> infinity)";
    case FixedPointKind::kMarginal:
      return fmt::format("marginal: the length map is the identity, q^l stays at q^1 = {:.6g}",
                         p.q_star);
  }
  return "";
}

std::string FormatLayerTable(const RunConfig& c, const NetworkTheory& t) {
  const std::string param = MakeActivation(c).ParamString();
  std::string text = fmt::format(
      "gradflow theory: {}{}, init {}, gain {:g}, bias_std {:g}, depth {}, width {}, input_scale "
      "{:g}\n",
      ActivationName(c.activation), param.empty() ? "" : "(" + param + ")", InitName(c.init),
      c.gain, c.bias_std, c.depth, c.width, c.input_scale);
  text += fmt::format(
      "sigma_w^2 = {:.6g} (hidden layers), sigma_b^2 = {:.6g}, q_x = {:.6g}, tau = {:g}\n",
      t.sigma_w2_hidden, t.sigma_b2, t.q_x, c.saturation_threshold);
  text += fmt::format("{:>5} {:>10} {:>12} {:>10} {:>14} {:>10}\n", "layer", "sigma_w^2", "q^l",
                      "chi_l", "delta^l/delta^L", "saturated");
  for (const LayerTheory& l : t.layers) {
    text += fmt::format("{:>5} {:>10.4g} {:>12.6g} {:>10.6g} {:>14.6g} {:>10.4g}\n", l.layer,
                        l.sigma_w2, l.q, l.chi, l.delta_ratio, l.saturation_frac);
  }
  text += "phase: " + PhaseSentence(t.phase) + "\n";
  text += "fixed point: " + FixedPointSentence(t.phase) + "\n";
  text += fmt::format(
      "predicted delta[1]/delta[{}] = {:.4g}, per-layer factor {:.6g} (random-probe loss at "
      "initialisation)\n",
      c.depth, t.vanishing_ratio, t.decay_per_layer);
  return text;
}

std::string FormatPhaseTable(const std::vector<RunConfig>& configs,
                             const std::vector<NetworkTheory>& theories) {
  const int depth = configs.front().depth;
  std::string text = fmt::format(
      "mean-field phase at initialisation (width {}, bias_std {:g}, gain {:g}, input_scale {:g}); "
      "chi_1 = chi(q*), xi = -1/ln chi_1\n",
      configs.front().width, configs.front().bias_std, configs.front().gain,
      configs.front().input_scale);
  text += fmt::format("{:<11} {:<15} {:>9} {:<10} {:>11} {:>10} {:>10} {:<9} {:>12}\n",
                      "activation", "init", "sigma_w^2", "fixed pt", "q*", "chi_1", "xi", "phase",
                      fmt::format("d1/d{}", depth));
  for (size_t i = 0; i < configs.size(); ++i) {
    const PhaseInfo& p = theories[i].phase;
    text +=
        fmt::format("{:<11} {:<15} {:>9.4g} {:<10} {:>11.5g} {:>10.5g} {:>10.4g} {:<9} {:>12.4g}\n",
                    ActivationName(configs[i].activation), InitName(configs[i].init),
                    theories[i].sigma_w2_hidden, FixedPointName(p.kind), p.q_star, p.chi1, p.xi,
                    p.phase, theories[i].vanishing_ratio);
  }
  text += fmt::format(
      "d1/d{0} = predicted ||delta^1||/||delta^{0}|| (random-probe loss). Phase is the deep limit; "
      "d1/d{0} includes the approach to q*.\n",
      depth);
  return text;
}

// "all", or one name, or comma-separated names; each checked against `names`.
std::vector<std::string> Expand(const std::string& option, const std::string& value,
                                const std::vector<std::string>& names) {
  if (value == "all") return names;
  std::vector<std::string> allowed = names;
  allowed.push_back("all");
  std::vector<std::string> chosen;
  size_t start = 0;
  while (true) {
    const size_t comma = value.find(',', start);
    const std::string name =
        value.substr(start, comma == std::string::npos ? comma : comma - start);
    RequireOneOf(option, name, allowed);
    if (name == "all") {
      throw UsageError(option + ": 'all' cannot be combined with other names, got '" + value + "'");
    }
    chosen.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return chosen;
}

int Theory(const TheoryOptions& options) {
  const std::vector<std::string> activations =
      Expand("--activation", options.activations, ActivationNames());
  const std::vector<std::string> inits = Expand("--init", options.inits, InitNames());
  std::vector<RunConfig> configs;
  for (const std::string& activation : activations) {
    for (const std::string& init : inits) {
      RunConfig config = options.config;
      config.activation = ParseActivation(activation);
      config.init = ParseInit(init);
      Validate(config);
      configs.push_back(config);
    }
  }
  CheckWritable("--out", options.out);
  std::vector<NetworkTheory> theories;
  for (const RunConfig& config : configs) theories.push_back(PredictNetwork(config));

  std::ostream& screen = options.out == "-" ? std::cerr : std::cout;
  std::string csv;
  if (configs.size() == 1) {
    screen << FormatLayerTable(configs[0], theories[0]);
    Append<TheoryRow>(kConfigColumns, nullptr, &csv);
    Append<TheoryRow>(kPhaseColumns, nullptr, &csv);
    Append<TheoryRow>(kLayerColumns, nullptr, &csv);
    csv += '\n';
    for (const LayerTheory& layer : theories[0].layers) {
      const TheoryRow row{&configs[0], &theories[0], &layer};
      std::string line;
      Append(kConfigColumns, &row, &line);
      Append(kPhaseColumns, &row, &line);
      Append(kLayerColumns, &row, &line);
      csv += line + '\n';
    }
  } else {
    screen << FormatPhaseTable(configs, theories);
    Append<TheoryRow>(kConfigColumns, nullptr, &csv);
    Append<TheoryRow>(kPhaseColumns, nullptr, &csv);
    csv += '\n';
    for (size_t i = 0; i < configs.size(); ++i) {
      const TheoryRow row{&configs[i], &theories[i], nullptr};
      std::string line;
      Append(kConfigColumns, &row, &line);
      Append(kPhaseColumns, &row, &line);
      csv += line + '\n';
    }
  }
  screen << std::flush;
  if (!options.out.empty()) WriteAtomically(options.out, csv);
  return kExitOk;
}

}  // namespace

std::function<int()> SetupTheory(CLI::App* app) {
  auto options = std::make_shared<TheoryOptions>();
  RunConfig& c = options->config;
  app->add_option("--activation", options->activations,
                  "activation, one of: " + JoinNames(ActivationNames()) +
                      "; several comma-separated, or all")
      ->capture_default_str();
  AddParameterOptions(app, ActivationParameters(), &c.activation_params);
  app->add_option("--init", options->inits,
                  "weight initialisation, one of: " + JoinNames(InitNames()) +
                      "; several comma-separated, or all")
      ->capture_default_str();
  AddParameterOptions(app, InitParameters(), &c.init_params);
  app->add_option("--gain", c.gain, "multiplier on every initial weight")->capture_default_str();
  app->add_option("--bias-std", c.bias_std, "biases ~ N(0, std^2); 0 = zero biases")
      ->capture_default_str();
  app->add_option("--depth", c.depth, "hidden layers")->capture_default_str();
  app->add_option("--width", c.width, "units per hidden layer (sets sigma_w^2 of normal/uniform)")
      ->capture_default_str();
  app->add_option("--input-dim", c.input_dim, "input dimension (0: same as --width)")
      ->capture_default_str();
  app->add_option("--input-scale", c.input_scale,
                  "multiplier on every input (inputs have unit variance)")
      ->capture_default_str();
  app->add_option("--saturation-threshold", c.saturation_threshold,
                  "tau: saturated when phi'(z) < tau * max phi'")
      ->capture_default_str();
  app->add_option("-o,--out", options->out,
                  "CSV file ('-': stdout, the table then goes to stderr): per-layer, or the phase "
                  "table with 'all'");
  return [options] { return Theory(*options); };
}

}  // namespace gradflow::cli
