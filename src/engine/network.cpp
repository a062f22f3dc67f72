#include "engine/network.h"

#include "base/parallel.h"

namespace gradflow {

template <typename T>
Network<T>::Network(Activation activation, std::vector<Layer<T>> layers)
    : activation_(activation), identity_(Activation::Identity()), layers_(std::move(layers)) {}

template <typename T>
const Activation& Network<T>::ActivationOf(int l) const {
  return layer(l).is_head ? identity_ : activation_;
}

template <typename T>
void Network<T>::Forward(const Mat<T>& x, ForwardCache<T>* cache,
                         const std::function<void(int layer, const Mat<T>& z)>& after_layer,
                         bool keep_z) const {
  const int num_layers = NumLayers();
  cache->z.resize(num_layers + 1);
  cache->a.resize(num_layers + 1);
  cache->dphi.resize(num_layers + 1);
  cache->a[0] = x;
  for (int l = 1; l <= num_layers; ++l) {
    const Layer<T>& current = layer(l);
    // z^l = W^l a^{l-1} + b^l            (rows, B)
    Mat<T>& z = keep_z ? cache->z[l] : cache->z[0];
    MultiplyChunked(current.w, cache->a[l - 1], &z);
    z.colwise() += current.b;
    // a^l = φ(z^l)  (units, B);  φ'(z^l)  (rows, B)
    ActivationOf(l).Forward(z, &cache->a[l], &cache->dphi[l]);
    if (after_layer) after_layer(l, z);
  }
  if (!keep_z) {
    for (int l = 1; l <= num_layers; ++l) cache->z[l] = Mat<T>();
  }
}

template <typename T>
void Network<T>::Backward(const ForwardCache<T>& cache, const Mat<T>& dout,
                          const GradientVisitor<T>& visit) const {
  Mat<T> da = dout;  // ∂Loss/∂a^l            (units, B)
  Mat<T> delta;      // δ^l = ∂Loss/∂z^l      (rows, B)
  Mat<T> dw;         // ∂Loss/∂W^l            (rows, fan_in)
  Vec<T> db;         // ∂Loss/∂b^l            (rows)
  for (int l = NumLayers(); l >= 1; --l) {
    // δ^l = φ'(z^l) ⊙ ∂Loss/∂a^l
    ActivationOf(l).BackwardFromDerivative(cache.dphi[l], da, &delta);
    // ∂Loss/∂W^l = δ^l (a^{l-1})ᵀ;  ∂Loss/∂b^l = δ^l 1
    MultiplyByTransposeChunked(delta, cache.a[l - 1], &dw);
    db = delta.rowwise().sum();
    // ∂Loss/∂a^{l-1} = (W^l)ᵀ δ^l, taken before the visitor may change W^l.
    if (l > 1) MultiplyTransposedChunked(layer(l).w, delta, &da);
    visit(l, delta, dw, db);
  }
}

template <typename T>
Network<T> BuildNetwork(const RunConfig& config) {
  const InitSpec& init = InitSpecOf(config.init);
  const Activation activation = MakeActivation(config);
  const int num_hidden = config.depth;
  const int num_layers = num_hidden + (config.HasHead() ? 1 : 0);
  std::vector<Layer<T>> layers(num_layers);
  // Every layer draws from its own streams, so layers can be sampled in
  // parallel with the same numbers at any thread count (sampling was most of
  // a depth-50, width-1024 run's wall time).
  const double draws = static_cast<double>(config.width) * config.width * num_layers;
  ForEachChunk(
      num_layers, 1,
      [&](Eigen::Index index, Eigen::Index, Eigen::Index) {
        const int l = static_cast<int>(index) + 1;
        Layer<T>& layer = layers[index];
        layer.is_head = l > num_hidden;
        const int rows = layer.is_head ? config.HeadUnits() : config.width * activation.Pieces();
        const int fan_in = l == 1 ? config.InputDim() : config.width;
        Rng weight_rng(config.seed, Purpose::kWeights, l);
        layer.w = SampleWeights(init, config.init_params, config.gain, rows, fan_in, &weight_rng)
                      .template cast<T>();
        VecD bias = VecD::Zero(rows);
        if (config.bias_std > 0) {
          Rng bias_rng(config.seed, Purpose::kBiases, l);
          for (Eigen::Index i = 0; i < rows; ++i) bias(i) = config.bias_std * bias_rng.Normal();
        }
        layer.b = bias.cast<T>();
      },
      20.0 * draws);
  return Network<T>(activation, std::move(layers));
}

template class Network<float>;
template class Network<double>;
template Network<float> BuildNetwork<float>(const RunConfig&);
template Network<double> BuildNetwork<double>(const RunConfig&);

}  // namespace gradflow
