// A deep fully connected network: forward and backward side by side.
//
//   z^l = W^l a^{l-1} + b^l        a^l = φ(z^l)        a^0 = x
//   δ^l = ∂Loss/∂z^l = φ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}
//   ∂Loss/∂W^l = δ^l (a^{l-1})ᵀ     ∂Loss/∂b^l = δ^l 1
//
// With the remedies (Architecture), a hidden layer is the block
//   z^l = W^l a^{l-1} + b^l;   u^l = N(z^l) (the norm, normalization.h; u = z without one);
//   a^l = φ(u^l), or a^l = a^{l-1} + s·φ(u^l) with a residual connection (l >= 2)
// so the norm sits on the branch's pre-activation (post-linear, as in the
// original ResNet block: Linear -> Norm -> φ, then the skip sum), layer 1 maps
// the input without a skip, and the head is plain linear. Backward:
//   ∂L/∂u^l = s·φ'(u^l) ⊙ ∂L/∂a^l;  δ^l = ∂L/∂z^l through the norm's statistics;
//   ∂L/∂a^{l-1} = (W^l)ᵀ δ^l + ∂L/∂a^l (the skip's identity path).
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
#include "engine/normalization.h"
#include "engine/sample_cache.h"

namespace gradflow {

template <typename T>
struct Layer {
  Mat<T> w;              // (units·pieces, fan_in)
  Vec<T> b;              // (units·pieces)
  bool is_head = false;  // linear output layer, no activation
  Vec<T> gamma;          // the norm's scale γ (rows); empty without a norm
  Vec<T> beta;           // the norm's shift β (rows); empty without a norm
};

// Where a hidden layer's remedies sit (see the top of this file).
struct Architecture {
  NormKind norm = NormKind::kNone;
  bool residual = false;
  double residual_scale = 1.0;  // s
  static Architecture Of(const RunConfig& config) {
    return {config.norm, config.residual, config.residual_scale};
  }
};

// What the forward pass saves for the backward pass and the metrics.
template <typename T>
struct ForwardCache {
  std::vector<Mat<T>> z;  // z[l]: (units_l·pieces, B) for l = 1..L; if Forward was told not
                          // to keep them, z[0] is each layer's z in turn and z[1..L] are empty
  std::vector<Mat<T>> a;  // a[l]: (units_l, B) for l = 0..L; a[0] = x
  // dphi[l] = φ'(u[l]): (units_l·pieces, B), what the backward pass multiplies by
  // (maxout: 1 on each unit's winning piece, 0 elsewhere); dphi[0] unused.
  std::vector<Mat<T>> dphi;
  // With a norm: u[l] = N(z[l]), φ's input (rows, B), kept as z is (u[0] the
  // shared buffer when z is not kept), and the statistics the backward needs.
  std::vector<Mat<T>> u;
  std::vector<NormCache<T>> norm;
  // φ's input of layer l: u[l] with a norm, else z[l] (when z was kept).
  const Mat<T>& PhiInput(int l) const {
    return u.size() > static_cast<size_t>(l) && u[l].size() > 0 ? u[l] : z[l];
  }
};

// The gradients of one layer, handed to a GradientVisitor.
template <typename T>
struct LayerGradient {
  const Mat<T>& delta;       // δ^l = ∂Loss/∂z^l, the linear output before any norm (rows, B)
  const Mat<T>& delta_post;  // ∂Loss/∂a^l, the block's output (units, B)
  const Mat<T>& dw;          // ∂Loss/∂W^l (rows, fan_in)
  const Vec<T>& db;          // ∂Loss/∂b^l (rows)
  const Vec<T>* dgamma;      // ∂Loss/∂γ^l (rows); null without a norm
  const Vec<T>* dbeta;       // ∂Loss/∂β^l (rows); null without a norm
};

// Called once per layer, from the top layer down to layer 1, with that
// layer's gradients. It runs after the gradient for the layer below has been
// taken from W (and γ), so it may update the layer's parameters.
template <typename T>
using GradientVisitor = std::function<void(int layer, const LayerGradient<T>& gradient)>;

template <typename T>
class Network {
 public:
  Network(Activation activation, std::vector<Layer<T>> layers,
          Architecture architecture = Architecture());

  int NumLayers() const { return static_cast<int>(layers_.size()); }
  Layer<T>& layer(int l) { return layers_[l - 1]; }
  const Layer<T>& layer(int l) const { return layers_[l - 1]; }
  // The activation applied by layer l (identity for a head).
  const Activation& ActivationOf(int l) const;
  const Activation& activation() const { return activation_; }
  const Architecture& architecture() const { return architecture_; }
  // Whether layer l has a norm before φ, and a skip connection around it.
  bool HasNorm(int l) const;
  bool HasSkip(int l) const;

  // x: (input_dim, B). Fills cache->z, cache->a and cache->dphi (and u, norm
  // with a norm). If given, after_layer(l, φ's input) runs once layer l is
  // computed (u^l with a norm, else z^l; a^l and φ' are in the cache); with
  // keep_z false, every layer's z^l (and u^l) goes through the one buffer
  // z[0] (u[0]), since the backward pass needs only a, φ' and the norm's
  // statistics (a sixth less memory for a metrics-only pass). A cache used
  // again for a network of the same shape allocates nothing. With
  // first_layer > 1 the cache already holds layers 1..first_layer-1 (a, φ'
  // and the norm's statistics, as this network computes them: an earlier
  // pass of a network that starts with the same layers on the same x), and
  // only the layers from first_layer on are computed (x is then unused).
  void Forward(const Mat<T>& x, ForwardCache<T>* cache,
               const std::function<void(int layer, const Mat<T>& z)>& after_layer = {},
               bool keep_z = true, int first_layer = 1) const;
  // dout: ∂Loss/∂a^L, (output units, B).
  void Backward(const ForwardCache<T>& cache, const Mat<T>& dout,
                const GradientVisitor<T>& visit) const;

 private:
  Activation activation_;
  Activation identity_;
  std::vector<Layer<T>> layers_;
  Architecture architecture_;
};

// Weights and biases drawn from config's seed: layer l's weights from stream
// (seed, kWeights, l) and biases from (seed, kBiases, l), sampled in double
// and rounded to T. Every init sees each layer's real fan_in and fan_out
// (--widths); a norm starts at γ = 1, β = 0. With a cache, layers drawn
// before (by an earlier run with the same seed, init, gain and layer shape)
// are copied from it instead of drawn again: the same numbers.
template <typename T>
Network<T> BuildNetwork(const RunConfig& config, SampleCache* cache = nullptr);

}  // namespace gradflow
