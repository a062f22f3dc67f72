// One gradflow run: build the network, one forward and backward pass on a
// synthetic batch, per-layer metrics and the run summary.
#pragma once

#include <vector>

#include "engine/config.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "engine/network.h"
#include "engine/run_result.h"
#include "engine/summary.h"

namespace gradflow {

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
