// A deep fully connected network: forward and backward side by side.
//
//   z^l = W^l a^{l-1} + b^l        a^l = φ(z^l)        a^0 = x
//   δ^l = ∂Loss/∂z^l = φ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}
//   ∂Loss/∂W^l = δ^l (a^{l-1})ᵀ     ∂Loss/∂b^l = δ^l 1
//
// Layers are numbered 1..NumLayers() as in the math (1 is next to the input).
// Hidden layers use the network's activation; an optional last "head" layer
// (for the mse and cross_entropy losses) is linear.
#pragma once

#include <functional>
#include <vector>

#include "base/types.h"
#include "engine/activation.h"
#include "engine/config.h"

namespace gradflow {

template <typename T>
struct Layer {
  Mat<T> w;              // (units·pieces, fan_in)
  Vec<T> b;              // (units·pieces)
  bool is_head = false;  // linear output layer, no activation
};

// What the forward pass saves for the backward pass and the metrics.
template <typename T>
struct ForwardCache {
  std::vector<Mat<T>> z;  // z[l]: (units_l·pieces, B) for l = 1..L; if Forward was told not
                          // to keep them, z[0] is each layer's z in turn and z[1..L] are empty
  std::vector<Mat<T>> a;  // a[l]: (units_l, B) for l = 0..L; a[0] = x
  // dphi[l] = φ'(z[l]): (units_l·pieces, B), what the backward pass multiplies by
  // (maxout: 1 on each unit's winning piece, 0 elsewhere); dphi[0] unused.
  std::vector<Mat<T>> dphi;
};

// Called once per layer, from the top layer down to layer 1, with that
// layer's δ (rows of z, B), ∂Loss/∂W (shape of W) and ∂Loss/∂b. It runs after
// the gradient for the layer below has been taken from W, so it may update W.
template <typename T>
using GradientVisitor =
    std::function<void(int layer, const Mat<T>& delta, const Mat<T>& dw, const Vec<T>& db)>;

template <typename T>
class Network {
 public:
  Network(Activation activation, std::vector<Layer<T>> layers);

  int NumLayers() const { return static_cast<int>(layers_.size()); }
  Layer<T>& layer(int l) { return layers_[l - 1]; }
  const Layer<T>& layer(int l) const { return layers_[l - 1]; }
  // The activation applied by layer l (identity for a head).
  const Activation& ActivationOf(int l) const;
  const Activation& activation() const { return activation_; }

  // x: (input_dim, B). Fills cache->z, cache->a and cache->dphi. If given,
  // after_layer(l, z^l) runs once layer l is computed (z^l, a^l and φ'(z^l) are
  // in the cache); with keep_z false, every layer's z^l goes through the one
  // buffer z[0], since the backward pass needs only a and φ'(z) (a sixth less
  // memory for a metrics-only pass). A cache used again for a network of the
  // same shape allocates nothing.
  void Forward(const Mat<T>& x, ForwardCache<T>* cache,
               const std::function<void(int layer, const Mat<T>& z)>& after_layer = {},
               bool keep_z = true) const;
  // dout: ∂Loss/∂a^L, (output units, B).
  void Backward(const ForwardCache<T>& cache, const Mat<T>& dout,
                const GradientVisitor<T>& visit) const;

 private:
  Activation activation_;
  Activation identity_;
  std::vector<Layer<T>> layers_;
};

// Weights and biases drawn from config's seed: layer l's weights from stream
// (seed, kWeights, l) and biases from (seed, kBiases, l), sampled in double
// and rounded to T.
template <typename T>
Network<T> BuildNetwork(const RunConfig& config);

}  // namespace gradflow
