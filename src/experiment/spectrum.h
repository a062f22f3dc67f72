// The input-output Jacobian of a freshly drawn network and its singular
// values (`gradflow spectrum`): how evenly, not just how much, gradient flows.
//
// For one input sample x (d × 1), with D^l = diag φ'(z^l) and P^l the sum
// over each maxout unit's pieces (the identity for every other activation):
//   J^0 = I (d × d),   J^l = P^l D^l W^l J^{l-1}   (units_l × d),   J = J^L
// so J = ∂a^L/∂x over the hidden layers (the head of mse/cross_entropy is not
// part of it). This is forward mode: d columns are carried through the layers
// at the cost of one GEMM per layer, about what d backward passes with an
// identity seed would cost, but without storing L layers of δ for each seed.
// Every product is in double, from the network's weights and its forward pass
// in the run's dtype, through the fixed-chunk products of base/parallel, so
// the result does not depend on the thread count.
//
// The per-layer Jacobian of layer l is P^l D^l W^l (units_l × units_{l-1}),
// what Glorot & Bengio (2010) plotted. Singular values (values only) come
// from LAPACK's dgesdd in OpenBLAS, or from Eigen's BDCSVD when built without
// OpenBLAS (GRADFLOW_OPENBLAS=OFF); BDCSVD was measured 2.7x, 45x and 88x
// faster than JacobiSVD on 128-, 256- and 512-square matrices, the two
// agreeing to 4e-12.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/types.h"
#include "engine/config.h"
#include "engine/network.h"

namespace gradflow {

// Statistics of a set of singular values s (from one or more Jacobians).
struct SpectrumStats {
  int64_t count = 0;         // singular values
  double mean_sq = 0;        // mean of s² (the theory's m1)
  double var_sq = 0;         // mean over Jacobians of the variance of their s²
  double max = 0;            // largest s over all Jacobians
  double min = 0;            // smallest s over all Jacobians
  double condition = 0;      // mean over Jacobians of s_max/s_min (inf if some s_min = 0)
  double isometry_frac = 0;  // fraction of s in [1/2, 2]
};

// Singular values, one vector per Jacobian (each in decreasing order).
SpectrumStats SummariseSpectra(const std::vector<VecD>& singular_values);

// Singular values of m (min(rows, cols) of them, decreasing).
VecD SingularValues(const MatD& m);

struct SpectrumResult {
  RunConfig config;                             // batch = the number of samples
  std::vector<VecD> values;                     // per sample: singular values of J
  SpectrumStats stats;                          // over every sample's J
  std::vector<std::vector<VecD>> layer_values;  // [l-1][sample]: of layer l's Jacobian
  std::vector<SpectrumStats> layer_stats;       // [l-1]; empty unless per_layer
};

// The Jacobian J (units_L × d) of the hidden layers of `network` at every
// sample (column) of x: (d, S), in sample order. With layer_jacobians, also
// each layer's P^l D^l W^l: (*layer_jacobians)[sample][l-1].
template <typename T>
std::vector<MatD> InputOutputJacobians(const Network<T>& network, int hidden_layers,
                                       const Mat<T>& x,
                                       std::vector<std::vector<MatD>>* layer_jacobians = nullptr);

// Bytes `gradflow spectrum` holds at its peak for config (batch = samples),
// with `threads` samples at once.
double EstimateSpectrumBytes(const RunConfig& config, int threads);

// Validates config, checks the memory estimate, builds the network and inputs
// of config.seed exactly as `run` draws them (config.batch samples; the loss is
// taken as probe: no head) and measures every sample's spectrum. on_sample is
// called after each sample (for a progress bar), from one thread at a time.
SpectrumResult RunSpectrum(const RunConfig& config, bool per_layer,
                           const std::function<void(int done)>& on_sample = {});

}  // namespace gradflow
