#include "engine/network.h"

#include <algorithm>

#include "base/parallel.h"

namespace gradflow {
namespace {

// z += b on every column; z: (rows, B), b: (rows). In chunks of columns, on
// the worker threads when z is large.
template <typename T>
void AddToColumns(const Vec<T>& b, Mat<T>* z) {
  ForEachChunk(
      z->cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        z->middleCols(start, size).colwise() += b;
      },
      kValuePass * static_cast<double>(z->size()));
}

// sums = m 1, the sum of each row over the samples; m: (rows, B), sums: (rows).
// In chunks of kChunk rows (a multiple of every SIMD width, so each row is
// summed in the same order as by m.rowwise().sum()).
template <typename T>
void RowSums(const Mat<T>& m, Vec<T>* sums) {
  sums->resize(m.rows());
  ForEachChunk(
      m.rows(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        sums->segment(start, size) = m.middleRows(start, size).rowwise().sum();
      },
      kValuePass * static_cast<double>(m.size()));
}

}  // namespace

template <typename T>
Network<T>::Network(Activation activation, std::vector<Layer<T>> layers, Architecture architecture)
    : activation_(activation),
      identity_(Activation::Identity()),
      layers_(std::move(layers)),
      architecture_(architecture) {}

template <typename T>
const Activation& Network<T>::ActivationOf(int l) const {
  return layer(l).is_head ? identity_ : activation_;
}

template <typename T>
bool Network<T>::HasNorm(int l) const {
  return architecture_.norm != NormKind::kNone && !layer(l).is_head;
}

template <typename T>
bool Network<T>::HasSkip(int l) const {
  return architecture_.residual && l >= 2 && !layer(l).is_head;
}

template <typename T>
void Network<T>::Forward(const Mat<T>& x, ForwardCache<T>* cache,
                         const std::function<void(int layer, const Mat<T>& z)>& after_layer,
                         bool keep_z, int first_layer) const {
  const int num_layers = NumLayers();
  const bool any_norm = architecture_.norm != NormKind::kNone;
  cache->z.resize(num_layers + 1);
  cache->a.resize(num_layers + 1);
  cache->dphi.resize(num_layers + 1);
  cache->u.resize(any_norm ? num_layers + 1 : 0);
  cache->norm.resize(any_norm ? num_layers + 1 : 0);
  if (first_layer <= 1) cache->a[0] = x;
  for (int l = std::max(first_layer, 1); l <= num_layers; ++l) {
    const Layer<T>& current = layer(l);
    // z^l = W^l a^{l-1} + b^l            (rows, B)
    Mat<T>& z = keep_z ? cache->z[l] : cache->z[0];
    MultiplyChunked(current.w, cache->a[l - 1], &z);
    AddToColumns(current.b, &z);
    // u^l = γ ⊙ (z^l − μ)/√(σ² + ε) + β  (rows, B), φ's input
    const Mat<T>* phi_input = &z;
    if (HasNorm(l)) {
      Mat<T>& u = keep_z ? cache->u[l] : cache->u[0];
      NormForward(architecture_.norm, z, current.gamma, current.beta, &cache->norm[l], &u);
      phi_input = &u;
    }
    // a^l = φ(u^l)  (units, B);  φ'(u^l)  (rows, B)
    ActivationOf(l).Forward(*phi_input, &cache->a[l], &cache->dphi[l]);
    // a^l = a^{l-1} + s·φ(u^l)  (units, B)
    if (HasSkip(l)) {
      Mat<T>& a = cache->a[l];
      if (architecture_.residual_scale != 1.0) a *= static_cast<T>(architecture_.residual_scale);
      a += cache->a[l - 1];
    }
    if (after_layer) after_layer(l, *phi_input);
  }
  if (!keep_z) {
    for (int l = 1; l <= num_layers; ++l) cache->z[l] = Mat<T>();
    for (size_t l = 1; l < cache->u.size(); ++l) cache->u[l] = Mat<T>();
  }
}

template <typename T>
void Network<T>::Backward(const ForwardCache<T>& cache, const Mat<T>& dout,
                          const GradientVisitor<T>& visit) const {
  Mat<T> da = dout;  // ∂Loss/∂a^l            (units, B)
  Mat<T> da_below;   // ∂Loss/∂a^{l-1}        (units below, B)
  Mat<T> du;         // ∂Loss/∂u^l            (rows, B)
  Mat<T> delta;      // δ^l = ∂Loss/∂z^l      (rows, B)
  Mat<T> dw;         // ∂Loss/∂W^l            (rows, fan_in)
  Vec<T> db;         // ∂Loss/∂b^l            (rows)
  Vec<T> dgamma;     // ∂Loss/∂γ^l            (rows)
  Vec<T> dbeta;      // ∂Loss/∂β^l            (rows)
  for (int l = NumLayers(); l >= 1; --l) {
    const bool norm = HasNorm(l), skip = HasSkip(l);
    // ∂Loss/∂u^l = s·φ'(u^l) ⊙ ∂Loss/∂a^l  (s = 1 without a skip)
    Mat<T>& dphi_out = norm ? du : delta;
    ActivationOf(l).BackwardFromDerivative(cache.dphi[l], da, &dphi_out);
    if (skip && architecture_.residual_scale != 1.0) {
      dphi_out *= static_cast<T>(architecture_.residual_scale);
    }
    // δ^l = ∂Loss/∂z^l through the norm's statistics; ∂Loss/∂γ, ∂Loss/∂β
    if (norm) {
      NormBackward(architecture_.norm, cache.norm[l], layer(l).gamma, du, &delta, &dgamma, &dbeta);
    }
    // ∂Loss/∂W^l = δ^l (a^{l-1})ᵀ;  ∂Loss/∂b^l = δ^l 1
    MultiplyByTransposeChunked(delta, cache.a[l - 1], &dw);
    RowSums(delta, &db);
    // ∂Loss/∂a^{l-1} = (W^l)ᵀ δ^l (+ ∂Loss/∂a^l through the skip), taken
    // before the visitor may change W^l.
    if (l > 1) {
      MultiplyTransposedChunked(layer(l).w, delta, &da_below);
      if (skip) da_below += da;
    }
    visit(l,
          LayerGradient<T>{delta, da, dw, db, norm ? &dgamma : nullptr, norm ? &dbeta : nullptr});
    if (l > 1) da.swap(da_below);
  }
}

template <typename T>
Network<T> BuildNetwork(const RunConfig& config, SampleCache* cache) {
  const InitSpec& init = InitSpecOf(config.init);
  const Activation activation = MakeActivation(config);
  const int num_hidden = config.depth;
  const int num_layers = num_hidden + (config.HasHead() ? 1 : 0);
  std::vector<Layer<T>> layers(num_layers);
  // W^l: (rows, fan_in) of layer l = index + 1.
  auto rows_of = [&](int l) {
    return l > num_hidden ? config.HeadUnits() : config.HiddenWidth(l) * activation.Pieces();
  };
  auto fan_in_of = [&](int l) { return l == 1 ? config.InputDim() : config.HiddenWidth(l - 1); };
  auto key_of = [&](int l) {
    return SampleCache::WeightKey(config.seed, l, config.init, config.init_params, config.gain,
                                  rows_of(l), fan_in_of(l));
  };
  // Layers drawn before come from the cache (looked up here, outside the
  // parallel loop: the cache is not thread-safe).
  std::vector<char> from_cache(static_cast<size_t>(num_layers), 0);
  double draws = 0;
  for (int l = 1; l <= num_layers; ++l) {
    const Mat<T>* cached = cache ? cache->Find<T>(key_of(l)) : nullptr;
    if (cached) {
      layers[l - 1].w = *cached;
      from_cache[l - 1] = 1;
    } else {
      draws += static_cast<double>(rows_of(l)) * fan_in_of(l);
    }
  }
  // Every layer draws from its own streams, so layers can be sampled in
  // parallel with the same numbers at any thread count (sampling was most of
  // a depth-50, width-1024 run's wall time).
  const bool norm = config.norm != NormKind::kNone;
  ForEachChunk(
      num_layers, 1,
      [&](Eigen::Index index, Eigen::Index, Eigen::Index) {
        const int l = static_cast<int>(index) + 1;
        Layer<T>& layer = layers[index];
        layer.is_head = l > num_hidden;
        const int rows = rows_of(l);
        if (!from_cache[index]) {
          Rng weight_rng(config.seed, Purpose::kWeights, l);
          layer.w =
              SampleWeights(init, config.init_params, config.gain, rows, fan_in_of(l), &weight_rng)
                  .template cast<T>();
        }
        VecD bias = VecD::Zero(rows);
        if (config.bias_std > 0) {
          Rng bias_rng(config.seed, Purpose::kBiases, l);
          for (Eigen::Index i = 0; i < rows; ++i) bias(i) = config.bias_std * bias_rng.Normal();
        }
        layer.b = bias.cast<T>();
        if (norm && !layer.is_head) {
          layer.gamma = Vec<T>::Ones(rows);
          layer.beta = Vec<T>::Zero(rows);
        }
      },
      20.0 * draws);
  if (cache) {
    for (int l = 1; l <= num_layers; ++l) {
      if (!from_cache[l - 1]) cache->Insert(key_of(l), layers[l - 1].w);
    }
  }
  return Network<T>(activation, std::move(layers), Architecture::Of(config));
}

template class Network<float>;
template class Network<double>;
template Network<float> BuildNetwork<float>(const RunConfig&, SampleCache*);
template Network<double> BuildNetwork<double>(const RunConfig&, SampleCache*);

}  // namespace gradflow
