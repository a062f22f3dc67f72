// One gradflow run: build the network, one forward and backward pass on a
// synthetic batch, per-layer metrics and the run summary.
#pragma once

#include <vector>

#include "config.h"
#include "loss.h"
#include "metrics.h"
#include "network.h"
#include "summary.h"

namespace gradflow {

struct RunResult {
  RunConfig config;
  std::vector<LayerMetrics> layers;  // hidden layers 1..L, then the head if any
  RunSummary summary;
};

// Validates the config, checks the memory estimate, sets the thread count and
// runs; adds the mean-field predictions (prediction.h). Throws UsageError for
// bad configs.
RunResult RunExperiment(const RunConfig& config);

// Like RunExperiment, but leaves the process-wide thread setting alone, so
// several threads may run configurations at once (sweep: SetThreads(1) once,
// then one configuration per worker thread).
RunResult RunExperimentWithCurrentThreads(const RunConfig& config);

// Measures a given network on a given batch: forward, loss, backward, metrics.
// x: (input_dim, B). Used by RunExperiment and by callers with their own
// networks (trained or loaded); leaves the pred_* fields empty.
template <typename T>
RunResult MeasureNetwork(const RunConfig& config, const Network<T>& network, const Mat<T>& x,
                         const LossTargets& targets);

}  // namespace gradflow
