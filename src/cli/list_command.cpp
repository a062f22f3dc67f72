// gradflow list: the activation and init tables (and the CSV columns).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "engine/activation.h"
#include "engine/init.h"
#include "experiment/histogram_columns.h"
#include "experiment/run_columns.h"
#include "experiment/spectrum_columns.h"
#include "fmt/format.h"
#include "train/train_columns.h"

namespace gradflow::cli {
namespace {

template <typename Row>
void PrintColumns(const char* title, const std::vector<Column<Row>>& columns) {
  std::cout << title << "\n";
  for (const Column<Row>& column : columns) {
    std::cout << fmt::format("  {:<24} {}\n", column.name, column.doc);
  }
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
    return kExitOk;
  }
  std::cout << "Activations (saturated when phi'(z) < tau * max phi'):\n";
  for (const ActivationSpec& spec : ActivationTable()) {
    const Activation activation(spec, ActivationParams{});
    std::cout << fmt::format("  {:<11} phi = {}\n  {:<11} phi' = {}; max phi' = {:.6g}{}\n",
                             spec.name, spec.formula, "", spec.derivative, activation.MaxDPhi(),
                             *spec.parameter ? fmt::format("; parameter {}", spec.parameter) : "");
  }
  std::cout << "\nInitialisations (sigma_w^2 = fan_in * Var(W), square layer, before --gain):\n";
  for (const InitSpec& spec : InitTable()) {
    std::cout << fmt::format("  {:<15} {}; sigma_w^2 = {:.6g}{}\n", spec.name, spec.formula,
                             spec.sigma_w2(100, 100, InitParams{}),
                             *spec.parameter ? fmt::format(" (default {})", spec.parameter) : "");
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupList(CLI::App* app) {
  auto columns = std::make_shared<bool>(false);
  app->add_flag("--columns", *columns, "list the CSV columns and their formulas instead");
  return [columns] { return List(*columns); };
}

}  // namespace gradflow::cli
