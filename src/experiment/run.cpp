#include "experiment/run.h"

#include "base/parallel.h"
#include "engine/inputs.h"
#include "engine/memory_estimate.h"
#include "theory/prediction.h"

namespace gradflow {

namespace {

// The pass with its metrics, in cache. Layers 1..shared are in cache and
// their forward metrics in *stored already (forward_reuse.h); the forward
// pass starts above them. With a store, *stored then holds every layer's
// forward metrics.
template <typename T>
RunResult MeasurePass(const RunConfig& config, const Network<T>& network, const Mat<T>& x,
                      const LossTargets& targets, PassObserver* observer, ForwardCache<T>* cache_in,
                      int shared, std::vector<LayerMetrics>* stored) {
  RunResult result;
  result.config = config;
  const int num_layers = network.NumLayers();
  result.layers.resize(num_layers);
  for (int l = 1; l <= shared; ++l) result.layers[l - 1] = (*stored)[l - 1];
  ForwardCache<T>& cache = *cache_in;
  // Forward metrics layer by layer, so each z^l can be released at once.
  if (shared < num_layers) {
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
        /*keep_z=*/false, shared + 1);
    // The store keeps the layers just computed, in place of any it had above
    // layer `shared` (those came from a different network).
    if (stored) *stored = result.layers;
  }
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

template <typename T>
RunResult RunTyped(const RunConfig& config, PassObserver* observer, RunWorkspace* workspace) {
  SampleCache* samples = workspace ? &workspace->samples : nullptr;
  const Network<T> network = BuildNetwork<T>(config, samples);
  const Mat<T> x = SampleInput(config, samples).cast<T>();
  const int out_units = config.HasHead() ? config.HeadUnits() : config.LastHiddenWidth();
  const LossTargets targets =
      SampleLossTargets(config.loss, out_units, config.batch, config.seed, samples);
  // An observer sees every layer's forward step, so its runs compute them all.
  if (!workspace || !workspace->reuse_forward || observer) {
    return MeasureNetwork(config, network, x, targets, observer, workspace);
  }
  ForwardStore<T>& store = *workspace->Forwards<T>();
  const std::vector<uint64_t> context = ForwardContext(config);
  const std::vector<LayerRole> roles = LayerRoles(network);
  int shared = 0;
  StoredForward<T> pass = store.Take(context, roles, &shared);
  RunResult result =
      MeasurePass(config, network, x, targets, nullptr, &pass.cache, shared, &pass.metrics);
  if (shared < network.NumLayers()) {  // the pass now holds this network's layers 1..L
    pass.context = context;
    pass.roles = roles;
  }
  store.Put(std::move(pass));
  return result;
}

}  // namespace

template <typename T>
RunResult MeasureNetwork(const RunConfig& config, const Network<T>& network, const Mat<T>& x,
                         const LossTargets& targets, PassObserver* observer,
                         RunWorkspace* workspace) {
  ForwardCache<T> own_cache;
  return MeasurePass(config, network, x, targets, observer,
                     workspace ? workspace->Cache<T>() : &own_cache, 0, nullptr);
}

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
