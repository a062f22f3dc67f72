// gradflow list: the activation and init tables (and the CSV columns), or
// every table as JSON for scripts (scripts/gradflow_tables.py reads it).
#include <cmath>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "engine/activation.h"
#include "engine/init.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "engine/normalization.h"
#include "experiment/activation_cost.h"
#include "experiment/histogram_columns.h"
#include "experiment/run_columns.h"
#include "experiment/spectrum_columns.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "train/train_columns.h"

namespace gradflow::cli {
namespace {

// For inits whose weight variance does not shrink with fan_in (normal,
// uniform), sigma_w^2 = fan_in * Var(W) grows with the layer: its value per
// unit of fan_in; 0 for the schemes that scale Var(W) by 1/fan_in.
double SigmaW2PerFanIn(const InitSpec& spec) {
  const double small = spec.sigma_w2(100, 100, InitParams{});
  const double large = spec.sigma_w2(200, 200, InitParams{});
  return small > 0 && std::fabs(large / small - 2.0) < 1e-9 ? small / 100 : 0.0;
}

template <typename Row>
void PrintColumns(const char* title, const std::vector<Column<Row>>& columns) {
  std::cout << title << "\n";
  for (const Column<Row>& column : columns) {
    std::cout << fmt::format("  {:<24} {}\n", column.name, column.doc);
  }
}

// A row's parameter: where it is given, stored and checked; null if none.
template <typename Params>
nlohmann::ordered_json ParameterJson(const ParameterSpec<Params>* p) {
  if (p == nullptr) return nullptr;
  nlohmann::ordered_json j;
  j["option"] = p->option;
  j["metadata_key"] = p->key;
  j["help"] = p->help;
  j["integer"] = p->IsInteger();
  if (p->IsInteger()) {
    j["default"] = static_cast<int>(p->Default());
  } else {
    j["default"] = p->Default();
  }
  // JSON has no infinity: null for "any finite number".
  j["minimum"] = std::isfinite(p->minimum) ? nlohmann::ordered_json(p->minimum) : nullptr;
  return j;
}

int ListJson() {
  nlohmann::ordered_json j;
  j["format"] = "gradflow-tables";
  j["format_version"] = 1;
  for (const ActivationSpec& spec : ActivationTable()) {
    const Activation activation(spec, ActivationParams{});
    j["activations"].push_back({{"name", spec.name},
                                {"formula", spec.formula},
                                {"derivative", spec.derivative},
                                {"parameter", ParameterJson(spec.parameter)},
                                {"max_abs_dphi", activation.MaxAbsDPhi()},
                                {"kink_at_zero", spec.kink_at_zero},
                                {"piecewise_linear", spec.piecewise_linear},
                                {"maxout", spec.is_maxout}});
  }
  for (const InitSpec& spec : InitTable()) {
    const double per_fan_in = SigmaW2PerFanIn(spec);
    const auto number_or_null = [](bool present, double value) {
      return present ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
    };
    j["inits"].push_back({{"name", spec.name},
                          {"formula", spec.formula},
                          {"parameter", ParameterJson(spec.parameter)},
                          {"sigma_w2_square",
                           number_or_null(per_fan_in == 0, spec.sigma_w2(100, 100, InitParams{}))},
                          {"sigma_w2_per_fan_in", number_or_null(per_fan_in != 0, per_fan_in)}});
  }
  for (const LossSpec& spec : LossTable()) {
    j["losses"].push_back(
        {{"name", spec.name},
         {"description", spec.description},
         {"head_option", spec.head_option != nullptr ? nlohmann::ordered_json(spec.head_option)
                                                     : nlohmann::ordered_json(nullptr)}});
  }
  for (const InputSpec& spec : InputTable()) {
    j["inputs"].push_back({{"name", spec.name}, {"description", spec.description}});
  }
  for (const NormSpec& spec : NormTable()) {
    j["norms"].push_back({{"name", spec.name}, {"description", spec.description}});
  }
  j["dtypes"] = DTypeNames();
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

int List(bool columns) {
  if (columns) {
    PrintColumns("Configuration columns (every CSV row):", ConfigColumns());
    PrintColumns("Per-layer columns (run CSV):", LayerColumns());
    PrintColumns("Summary columns (--summary-out):", SummaryColumns());
    PrintColumns("Training per-layer CSV (train --out): step, the run CSV's columns, then:",
                 TrainLayerColumns());
    PrintColumns("  and the training configuration (also in train --curve-out):",
                 TrainConfigColumns());
    PrintColumns("Learning-curve columns (train --curve-out, after step):", CurveColumns());
    PrintColumns("Histogram columns (run --histograms), after the configuration columns:",
                 HistogramColumns());
    PrintColumns(
        "Spectrum columns (spectrum -o, after the configuration columns; --per-layer puts "
        "`layer` first; --values-out has sample, index, value):",
        SpectrumColumns());
    PrintColumns("Activation cost columns (bench -o):", ActivationCostColumns());
    return kExitOk;
  }
  std::cout << "Activations (saturated when |phi'(z)| < tau * max|phi'|):\n";
  for (const ActivationSpec& spec : ActivationTable()) {
    const Activation activation(spec, ActivationParams{});
    std::cout << fmt::format(
        "  {:<11} phi = {}\n  {:<11} phi' = {}; max|phi'| = {:.6g}{}\n", spec.name, spec.formula,
        "", spec.derivative, activation.MaxAbsDPhi(),
        spec.parameter != nullptr ? fmt::format("; parameter {}", spec.parameter->option) : "");
  }
  std::cout << "\nInitialisations (sigma_w^2 = fan_in * Var(W), square layer, before --gain):\n";
  for (const InitSpec& spec : InitTable()) {
    const double per_fan_in = SigmaW2PerFanIn(spec);
    const std::string sigma_w2 = per_fan_in != 0
                                     ? fmt::format("{:.6g} * fan_in", per_fan_in)
                                     : fmt::format("{:.6g}", spec.sigma_w2(100, 100, InitParams{}));
    std::cout << fmt::format(
        "  {:<15} {}; sigma_w^2 = {}{}\n", spec.name, spec.formula, sigma_w2,
        spec.parameter != nullptr ? fmt::format(" (default {})", spec.parameter->option) : "");
  }
  std::cout << "\nNorms (--norm; eps = 1e-5, gamma = 1 and beta = 0 at initialisation):\n";
  for (const NormSpec& spec : NormTable()) {
    std::cout << fmt::format("  {:<6} {}\n", spec.name, spec.description);
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupList(CLI::App* app) {
  auto columns = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  CLI::Option* columns_flag =
      app->add_flag("--columns", *columns, "list the CSV columns and their formulas instead");
  app->add_flag("--json", *json,
                "print the activation, init, loss, input and norm tables as JSON (for scripts)")
      ->excludes(columns_flag);
  return [columns, json] { return *json ? ListJson() : List(*columns); };
}

}  // namespace gradflow::cli
