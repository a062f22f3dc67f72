// gradflow theory: mean-field predictions without running a network.
//
// One activation and one init: a per-layer table (q^l, χ_l, predicted
// ‖δ^l‖/‖δ^L‖, saturation) and the phase. Several (comma-separated) or `all`
// for either: a phase table, one row per (activation, init). -o writes the
// same as CSV.
#include <iostream>
#include <memory>

#include "base/suggest.h"
#include "cli/commands.h"
#include "experiment/theory_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"
#include "sweep/sweep_grid.h"
#include "theory/theory.h"

namespace gradflow::cli {
namespace {

struct TheoryOptions {
  RunConfig config;
  // As given: a name, comma-separated names or "all".
  std::string activations = ActivationName(config.activation);
  std::string inits = InitName(config.init);
  std::string out;          // CSV file; "" none; "-" stdout (the table then goes to stderr)
  std::string config_path;  // --config FILE, which -o must not overwrite
};

std::string PhaseSentence(const PhaseInfo& p) {
  if (p.phase == "critical") {
    return fmt::format("critical: chi_1 = {:.6g}, no exponential trend in the gradients", p.chi1);
  }
  // xi = -1/ln chi_1 is the e-folding depth of ||delta||^2 (each layer multiplies it by
  // chi_1), so the norm ||delta|| itself changes by e every 2 xi layers.
  if (p.phase == "ordered") {
    return fmt::format(
        "ordered: chi_1 = {:.6g} < 1, gradient norms shrink by e every {:.4g} layers toward the "
        "input (||delta||^2 every xi = {:.4g})",
        p.chi1, 2 * p.xi, p.xi);
  }
  return fmt::format(
      "chaotic: chi_1 = {:.6g} > 1, gradient norms grow by e every {:.4g} layers toward the "
      "input (||delta||^2 every |xi| = {:.4g})",
      p.chi1, -2 * p.xi, -p.xi);
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

int Theory(const TheoryOptions& options) {
  // The lists are written as for a sweep ("all", or comma-separated names).
  const SweepOption& activation_option = FindSweepOption("activation");
  const SweepOption& init_option = FindSweepOption("init");
  const std::vector<std::string> activations = ExpandValues(activation_option, options.activations);
  const std::vector<std::string> inits = ExpandValues(init_option, options.inits);
  std::vector<RunConfig> configs;
  for (const std::string& activation : activations) {
    for (const std::string& init : inits) {
      RunConfig config = options.config;
      activation_option.apply(activation, &config);
      init_option.apply(init, &config);
      Validate(config);
      configs.push_back(config);
    }
  }
  CheckWritable("--out", options.out);
  CheckDistinctPaths({{"--out", options.out}}, {{"--config", options.config_path}});
  std::vector<NetworkTheory> theories;
  for (const RunConfig& config : configs) theories.push_back(PredictNetwork(config));

  std::ostream& screen = options.out == "-" ? std::cerr : std::cout;
  std::string csv;
  if (configs.size() == 1) {
    screen << FormatLayerTable(configs[0], theories[0]);
    csv = TheoryLayerCsv(configs[0], theories[0]);
  } else {
    screen << FormatPhaseTable(configs, theories);
    csv = TheoryPhaseCsv(configs, theories);
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
                  "tau: saturated when |phi'(z)| < tau * max|phi'|")
      ->capture_default_str();
  app->add_option("-o,--out", options->out,
                  "CSV file ('-': stdout, the table then goes to stderr): per-layer, or the phase "
                  "table with 'all'");
  return [options, app] {
    options->config_path = ConfigPathOf(app);
    return Theory(*options);
  };
}

}  // namespace gradflow::cli
