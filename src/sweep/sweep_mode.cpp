#include "sweep/sweep_mode.h"

#include <algorithm>

#include "base/error.h"
#include "base/suggest.h"
#include "engine/memory_estimate.h"
#include "experiment/run.h"
#include "experiment/run_columns.h"
#include "experiment/spectrum.h"
#include "experiment/spectrum_columns.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "theory/spectrum_prediction.h"

namespace gradflow {
namespace {

RunRows MeasureRun(const RunConfig& config, bool, RunWorkspace* workspace) {
  const RunResult result = RunExperimentWithCurrentThreads(config, nullptr, workspace);
  return RunRows{LayerCsvRows(result), SummaryCsvRow(result)};
}

RunRows MeasureSpectrum(const RunConfig& config, bool layers, RunWorkspace*) {
  const SpectrumResult result = RunSpectrum(config, layers);
  const SpectrumPrediction prediction = PredictSpectrum(result.config);
  return RunRows{layers ? SpectrumLayerCsvRows(result, prediction) : std::string(),
                 SpectrumCsvRow(result, prediction)};
}

const std::vector<SweepMode> kModes = {
    {"run",
     "gradflow run on every configuration: layer CSV (-o), summary, aggregate",
     LayerCsvHeader,
     SummaryCsvHeader,
     true,
     "--summary-out",
     true,
     {},
     [](RunConfig*) {},
     [](const RunConfig& c) { return static_cast<size_t>(c.depth) + (c.HasHead() ? 1 : 0); },
     CheckMemory,
     MeasureRun},
    {"spectrum",
     "gradflow spectrum on every configuration: summary CSV (-o), --per-layer; --batch is the "
     "number of samples (default 8)",
     SpectrumLayerCsvHeader,
     SpectrumCsvHeader,
     false,
     "--per-layer",
     false,
     // As `gradflow spectrum`: the Jacobian is of the hidden layers of a plain
     // MLP of equal widths, no loss or verdict.
     {"loss", "output-dim", "classes", "saturation-threshold", "vanishing-threshold",
      "exploding-threshold", "norm", "residual", "residual-scale", "widths"},
     [](RunConfig* c) { c->batch = 8; },
     [](const RunConfig& c) { return static_cast<size_t>(c.depth); },
     [](const RunConfig& c) {
       CheckMemoryEstimate(EstimateSpectrumBytes(c, 1), c, "this spectrum");
     },
     MeasureSpectrum},
};

}  // namespace

const std::vector<SweepMode>& SweepModes() { return kModes; }

const SweepMode& RunSweepMode() { return kModes.front(); }

const SweepMode& FindSweepMode(const std::string& name) {
  std::vector<std::string> names;
  for (const SweepMode& mode : kModes) {
    if (name == mode.name) return mode;
    names.push_back(mode.name);
  }
  const std::string near = ClosestName(name, names);
  throw UsageError(fmt::format("--mode: '{}' is not a sweep mode{} (modes: {})", name,
                               near.empty() ? "" : "; did you mean '" + near + "'?",
                               JoinNames(names)));
}

SweepGrid ExpandModeGrid(const SweepMode& mode, const std::vector<SweepSetting>& settings) {
  std::vector<std::string> refused(mode.refused.begin(), mode.refused.end());
  for (const SweepSetting& setting : settings) {
    if (std::find(refused.begin(), refused.end(), setting.option) != refused.end()) {
      throw UsageError(fmt::format("--{} does not apply to --mode {} (it takes none of: --{})",
                                   setting.option, mode.name, fmt::join(refused, ", --")));
    }
  }
  RunConfig base;
  base.threads = 1;
  mode.defaults(&base);
  return ExpandGrid(settings, base);
}

SweepPaths ResolveSweepPaths(const SweepMode& mode, const std::string& out,
                             const std::string& summary_out, const std::string& per_layer,
                             const std::string& aggregate_out) {
  const std::string other = mode.out_is_layers ? summary_out : per_layer;
  const std::string& stray = mode.out_is_layers ? per_layer : summary_out;
  if (!stray.empty()) {
    throw UsageError(fmt::format("{} is not for --mode {} (its second file is {})",
                                 mode.out_is_layers ? "--per-layer" : "--summary-out", mode.name,
                                 mode.other_option));
  }
  if (!aggregate_out.empty() && !mode.has_aggregate) {
    throw UsageError(fmt::format(
        "--aggregate-out is for --mode run (the seeds of a vanishing ratio); --mode {} has none",
        mode.name));
  }
  SweepPaths paths;
  paths.layer = mode.out_is_layers ? out : other;
  paths.summary = mode.out_is_layers ? other : out;
  paths.aggregate = aggregate_out;
  return paths;
}

}  // namespace gradflow
