// gradflow run: one forward/backward pass, per-layer CSV, summary on stderr.
#include <iostream>
#include <memory>

#include "base/error.h"
#include "cli/commands.h"
#include "experiment/histogram.h"
#include "experiment/histogram_columns.h"
#include "experiment/model_io.h"
#include "experiment/run.h"
#include "experiment/run_columns.h"
#include "experiment/run_report.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"
#include "theory/prediction.h"

namespace gradflow::cli {
namespace {

struct RunOptions {
  RunConfig config;
  NetworkNames names;       // activation, init, input, loss, dtype as given
  std::string out = "-";    // per-layer CSV; "-" is stdout
  std::string summary_out;  // one-row summary CSV; "" for none
  bool quiet = false;       // no report on stderr
  bool compare = false;     // measured vs mean-field prediction on stderr (even with --quiet)
  std::string histograms;   // per-layer histogram CSV; "" for none
  int histogram_bins = kDefaultHistogramBins;  // regular bins per (layer, quantity)
  std::string save_model;   // safetensors file to write the measured model to; "" for none
  std::string load_model;   // safetensors file to take the model from; "" to generate it
  GivenOptions given;       // options given explicitly (they must agree with --load-model)
  std::string config_path;  // --config FILE, an input no output may overwrite; "" for none
};

int Run(const RunOptions& options) {
  RunConfig config = options.config;
  ParseNetworkNames(options.names, &config);
  Validate(config);
  // Refused here, before the computation: an empty name would fail only at
  // the final write, after all the work.
  if (options.out.empty()) {
    throw UsageError("--out: the file name is empty (give a path, or '-' for stdout)");
  }
  if (options.given.count("--histogram-bins") > 0 && options.histograms.empty()) {
    throw UsageError("--histogram-bins applies with --histograms only (no histograms are written)");
  }
  CheckWritable("--out", options.out);
  CheckWritable("--summary-out", options.summary_out);
  ValidateHistogramBins(options.histogram_bins);
  if (options.histograms == "-" && options.out == "-") {
    throw UsageError("--histograms: '-' (stdout) is taken by --out; give --out a file");
  }
  CheckWritable("--histograms", options.histograms);
  if (options.save_model == "-") {
    throw UsageError("--save-model needs a file name ('-' would mix binary data into the CSV)");
  }
  CheckDistinctPaths({{"--out", options.out},
                      {"--summary-out", options.summary_out},
                      {"--histograms", options.histograms},
                      {"--save-model", options.save_model}},
                     {{"--load-model", options.load_model}, {"--config", options.config_path}});
  const bool files = !options.load_model.empty() || !options.save_model.empty();
  const bool want_histograms = !options.histograms.empty();
  std::vector<LayerHistogram> layer_histograms;
  // Every output is staged, then all are renamed: a failure leaves none replaced.
  AtomicWriteSet outputs;
  const RunResult result =
      files ? RunWithModelFiles(config, options.given, options.load_model, options.save_model,
                                &outputs, options.histogram_bins,
                                want_histograms ? &layer_histograms : nullptr)
      : want_histograms
          ? RunExperimentWithHistograms(config, options.histogram_bins, &layer_histograms)
          : RunExperiment(config);
  std::string histograms;
  if (want_histograms) {
    histograms = HistogramCsvHeader() + HistogramCsvRows(result.config, layer_histograms);
  }
  if (!options.quiet) std::cerr << FormatRunReport(result);
  if (options.compare) std::cerr << FormatComparison(CompareWithTheory(result));
  outputs.Add(options.out, LayerCsvHeader() + LayerCsvRows(result));
  if (!options.summary_out.empty()) {
    outputs.Add(options.summary_out, SummaryCsvHeader() + SummaryCsvRow(result));
  }
  if (!options.histograms.empty()) outputs.Add(options.histograms, histograms);
  outputs.Commit();
  return kExitOk;
}

}  // namespace

std::function<int()> SetupRun(CLI::App* app) {
  auto options = std::make_shared<RunOptions>();
  AddNetworkOptions(app, &options->config, &options->names);
  app->add_option("-o,--out", options->out, "per-layer CSV file ('-': stdout)")
      ->capture_default_str();
  app->add_option("--summary-out", options->summary_out, "one-row run summary CSV file");
  app->add_flag("-q,--quiet", options->quiet, "no report on stderr");
  app->add_flag("--compare", options->compare,
                "print measured vs mean-field predicted per-layer decay and the largest deviation "
                "(stderr, also with --quiet)");
  app->add_option("--histograms", options->histograms,
                  "per-layer histogram CSV of preact, act and log10|delta| ('-': stdout)");
  app->add_option("--histogram-bins", options->histogram_bins,
                  "regular bins per layer and quantity, over that layer's value range")
      ->capture_default_str();
  app->add_option("--save-model", options->save_model,
                  "write the measured weights, batch and targets to this safetensors file");
  app->add_option("--load-model", options->load_model,
                  "take weights (and batch/targets if present) from this safetensors file");
  return [options, app] {
    for (const CLI::Option* option : app->get_options()) {
      if (option->count() > 0) options->given.insert(option->get_name());
    }
    options->config_path = ConfigPathOf(app);
    return Run(*options);
  };
}

}  // namespace gradflow::cli
