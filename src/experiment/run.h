// One gradflow run: build the network, one forward and backward pass on a
// synthetic batch, per-layer metrics and the run summary.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/config.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "engine/network.h"
#include "engine/run_result.h"
#include "engine/summary.h"
#include "experiment/forward_reuse.h"
#include "experiment/pass_observer.h"

namespace gradflow {

// The pass's cached tensors, kept by a caller that measures many networks (a
// sweep worker) and handed to each run: once warm, a run of a shape seen
// before allocates no cache memory and touches no fresh pages; and the
// matrices drawn so far (engine/sample_cache.h), so runs that share a layer's
// seed, init and shape, or a seed's input batch and probe, do not draw them
// again; and the forward passes of fresh networks (forward_reuse.h), so a
// run whose first layers an earlier run computed starts above them.
struct RunWorkspace {
  RunWorkspace() = default;
  // The sample cache and each forward store within cache_bytes (default 64 MiB each).
  explicit RunWorkspace(int64_t cache_bytes)
      : samples(cache_bytes), float_forwards(cache_bytes), double_forwards(cache_bytes) {}

  ForwardCache<float> float_cache;
  ForwardCache<double> double_cache;
  SampleCache samples;
  ForwardStore<float> float_forwards;
  ForwardStore<double> double_forwards;
  // False: every run computes its forward pass from layer 1 (the same
  // results; for timing the pass itself, and `sweep --no-forward-reuse`).
  bool reuse_forward = true;
  template <typename T>
  ForwardCache<T>* Cache() {
    return OfType<T>(&float_cache, &double_cache);
  }
  template <typename T>
  ForwardStore<T>* Forwards() {
    return OfType<T>(&float_forwards, &double_forwards);
  }

 private:
  // The float or the double one of a pair of members.
  template <typename T, typename F, typename D>
  static auto* OfType(F* for_float, D* for_double) {
    if constexpr (std::is_same_v<T, float>) {
      return for_float;
    } else {
      return for_double;
    }
  }
};

// Validates the config, checks the memory estimate, sets the thread count and
// runs; adds the mean-field predictions (prediction.h). Throws UsageError for
// bad configs. An observer, if given, sees the pass's tensors.
RunResult RunExperiment(const RunConfig& config, PassObserver* observer = nullptr);

// Like RunExperiment, but leaves the process-wide thread setting alone, so
// several threads may run configurations at once (sweep: SetThreads(1) once,
// then one configuration per worker thread), and checks no memory estimate:
// the caller does, once for all its configurations (reading /proc per run was
// measurable in a sweep of small networks).
RunResult RunExperimentWithCurrentThreads(const RunConfig& config, PassObserver* observer = nullptr,
                                          RunWorkspace* workspace = nullptr);

// Measures a given network on a given batch: forward, loss, backward, metrics.
// x: (input_dim, B). Used by RunExperiment and by callers with their own
// networks (trained or loaded); leaves the pred_* fields empty. An observer,
// if given, sees the same pass; a workspace, if given, holds its buffers.
template <typename T>
RunResult MeasureNetwork(const RunConfig& config, const Network<T>& network, const Mat<T>& x,
                         const LossTargets& targets, PassObserver* observer = nullptr,
                         RunWorkspace* workspace = nullptr);

}  // namespace gradflow
