// gradflow spectrum: singular values of the input-output Jacobian, measured
// and predicted (experiment/spectrum.h, theory/spectrum_prediction.h).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "base/error.h"
#include "base/progress.h"
#include "cli/commands.h"
#include "experiment/spectrum.h"
#include "experiment/spectrum_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"
#include "theory/spectrum_prediction.h"

namespace gradflow::cli {
namespace {

struct SpectrumOptions {
  RunConfig config;
  NetworkNames names;
  std::string out = "-";   // summary CSV
  std::string per_layer;   // per-layer CSV; "" for none
  std::string values_out;  // every singular value; "" for none
  bool quiet = false;
  std::string config_path;  // --config, an input no output may overwrite
};

// run's options that mean nothing for a Jacobian of the hidden layers.
constexpr const char* kNotForSpectrum[] = {"--batch",
                                           "--loss",
                                           "--output-dim",
                                           "--classes",
                                           "--vanishing-threshold",
                                           "--exploding-threshold",
                                           "--saturation-threshold"};

std::string FormatReport(const SpectrumResult& r, const SpectrumPrediction& p) {
  const RunConfig& c = r.config;
  auto predicted = [](const std::optional<double>& v) {
    return v ? fmt::format(" (predicted {:.4g})", *v) : std::string(" (no prediction)");
  };
  std::string text = fmt::format(
      "gradflow spectrum: {}, init {}, depth {}, width {}, input_dim {}, {} samples, {}, seed {}\n",
      ActivationName(c.activation), InitName(c.init), c.depth, c.width, c.InputDim(), c.batch,
      DTypeName(c.dtype), c.seed);
  text += fmt::format("mean s^2 = {:.4g}{}\n", r.stats.mean_sq, predicted(p.mean_sq));
  text += fmt::format("var s^2  = {:.4g}{}\n", r.stats.var_sq, predicted(p.var_sq));
  text += fmt::format(
      "s in [{:.4g}, {:.4g}], mean condition number {:.4g}, {:.1f}% within a "
      "factor 2 of 1\n",
      r.stats.min, r.stats.max, r.stats.condition, 100 * r.stats.isometry_frac);
  return text;
}

int Spectrum(const SpectrumOptions& o) {
  RunConfig config = o.config;
  ParseNetworkNames(o.names, &config);
  if (config.batch < 1) {
    throw UsageError(fmt::format("--samples must be at least 1, got {}", config.batch));
  }
  Validate(config);
  CheckWritable("--out", o.out);
  CheckWritable("--per-layer", o.per_layer);
  CheckWritable("--values-out", o.values_out);
  CheckDistinctPaths(
      {{"--out", o.out}, {"--per-layer", o.per_layer}, {"--values-out", o.values_out}},
      {{"--config", o.config_path}});
  ProgressBar bar(config.batch, !o.quiet && isatty(STDERR_FILENO), &std::cerr);
  const SpectrumResult result =
      RunSpectrum(config, !o.per_layer.empty(), [&](int done) { bar.Update(done); });
  bar.Finish();
  const SpectrumPrediction prediction = PredictSpectrum(result.config);
  if (!o.quiet) std::cerr << FormatReport(result, prediction);
  WriteAtomically(o.out, SpectrumCsvHeader() + SpectrumCsvRow(result, prediction));
  if (!o.per_layer.empty()) {
    WriteAtomically(o.per_layer,
                    SpectrumLayerCsvHeader() + SpectrumLayerCsvRows(result, prediction));
  }
  if (!o.values_out.empty()) {
    WriteAtomically(o.values_out, SpectrumValuesCsvHeader() + SpectrumValuesCsvRows(result));
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupSpectrum(CLI::App* app) {
  auto o = std::make_shared<SpectrumOptions>();
  o->config.batch = 8;
  AddNetworkOptions(app, &o->config, &o->names);
  for (const char* name : kNotForSpectrum) app->remove_option(app->get_option(name));
  app->add_option("--samples", o->config.batch,
                  "input samples; each gives one Jacobian (the inputs `run` draws as its batch)")
      ->capture_default_str();
  app->add_option("-o,--out", o->out,
                  "summary CSV: statistics of the singular values of J = da^L/dx ('-': stdout)")
      ->capture_default_str();
  app->add_option("--per-layer", o->per_layer,
                  "per-layer CSV: the same statistics for each layer's Jacobian D^l W^l");
  app->add_option("--values-out", o->values_out,
                  "every singular value of J: sample, index, value (for histograms)");
  app->add_flag("-q,--quiet", o->quiet, "no report or progress bar on stderr");
  return [o, app] {
    o->config_path = ConfigPathOf(app);
    return Spectrum(*o);
  };
}

}  // namespace gradflow::cli
