#include "experiment/run.h"

#include "base/parallel.h"
#include "engine/inputs.h"
#include "engine/memory_estimate.h"
#include "theory/prediction.h"

namespace gradflow {

template <typename T>
RunResult MeasureNetwork(const RunConfig& config, const Network<T>& network, const Mat<T>& x,
                         const LossTargets& targets, PassObserver* observer,
                         RunWorkspace* workspace) {
  RunResult result;
  result.config = config;
  const int num_layers = network.NumLayers();
  result.layers.resize(num_layers);
  ForwardCache<T> own_cache;
  ForwardCache<T>& cache = workspace ? *workspace->Cache<T>() : own_cache;
  // Forward metrics layer by layer, so each z^l can be released at once.
  network.Forward(
      x, &cache,
      [&](int l, const Mat<T>& z) {
        LayerMetrics& m = result.layers[l - 1];
        const Layer<T>& layer = network.layer(l);
        m.layer = l;
        m.kind = layer.is_head ? "head" : "hidden";
        m.fan_in = static_cast<int>(layer.w.cols());
        m.fan_out = static_cast<int>(layer.w.rows());
        ComputeForwardMetrics(network.ActivationOf(l), z, cache.a[l], cache.dphi[l],
                              config.saturation_threshold, &m);
        if (observer) observer->AfterForward(l, z, cache.a[l]);
      },
      /*keep_z=*/false);
  const LossKind loss_kind = config.loss;
  const Mat<T>& out = cache.a[num_layers];
  const double loss = LossValue(loss_kind, out, targets);
  network.Backward(
      cache, LossGradient(loss_kind, out, targets), [&](int l, const LayerGradient<T>& g) {
        LayerMetrics& m = result.layers[l - 1];
        ComputeBackwardMetrics(g.delta, g.dw, g.db, cache.a[l - 1], network.layer(l).w, &m);
        m.delta_norm_post = ScaledNorm(g.delta_post);
        if (observer) observer->AfterBackward(l, g.delta);
      });
  result.summary = Summarise(config, result.layers, loss);
  return result;
}

namespace {

template <typename T>
RunResult RunTyped(const RunConfig& config, PassObserver* observer, RunWorkspace* workspace) {
  SampleCache* samples = workspace ? &workspace->samples : nullptr;
  const Network<T> network = BuildNetwork<T>(config, samples);
  const Mat<T> x = SampleInput(config, samples).cast<T>();
  const int out_units = config.HasHead() ? config.HeadUnits() : config.LastHiddenWidth();
  const LossTargets targets =
      SampleLossTargets(config.loss, out_units, config.batch, config.seed, samples);
  return MeasureNetwork(config, network, x, targets, observer, workspace);
}

}  // namespace

RunResult RunExperiment(const RunConfig& config, PassObserver* observer) {
  Validate(config);
  CheckMemory(config);
  SetThreads(config.threads);
  return RunExperimentWithCurrentThreads(config, observer);
}

RunResult RunExperimentWithCurrentThreads(const RunConfig& config, PassObserver* observer,
                                          RunWorkspace* workspace) {
  Validate(config);
  RunResult result = config.dtype == DType::kFloat32
                         ? RunTyped<float>(config, observer, workspace)
                         : RunTyped<double>(config, observer, workspace);
  AddTheoryPredictions(&result);  // the network is freshly initialised here
  return result;
}

template RunResult MeasureNetwork<float>(const RunConfig&, const Network<float>&, const Mat<float>&,
                                         const LossTargets&, PassObserver*, RunWorkspace*);
template RunResult MeasureNetwork<double>(const RunConfig&, const Network<double>&,
                                          const Mat<double>&, const LossTargets&, PassObserver*,
                                          RunWorkspace*);

}  // namespace gradflow
