// What theory predicts for the singular values s of the input-output Jacobian
// J = ∂a^L/∂x of a freshly drawn network (experiment/spectrum.h), beside the
// measurement (the pred_sv_* columns of `gradflow spectrum`).
//
// Mean of s² (m1). Each layer's Jacobian P D W has entries of variance
// σ_w²(l)/fan_in on the rows its φ' keeps, so E[tr(J Jᵀ)]/units_L =
//   Π_l σ_w²(l) E_{u~N(0,q^l)}[φ'(u)²] = Π_l χ_l
// (the mean-field length map gives q^l; for piecewise-linear φ with
// p = P(unit in its linear regime) this is (σ_w² p)^L). The mean over the
// min(units_L, d) singular values is that times units_L/min(units_L, d).
//
// Variance of s² (Pennington, Schoenholz & Ganguli 2017, free probability,
// width -> ∞), known here for φ' ∈ {0, 1} (identity: p = 1; ReLU: p = 1/2) at
// criticality (σ_w² p = 1 in every layer) with square layers (d = width):
//   iid weights (every init but orthogonal):  var(s²) = L / p
//   orthogonal weights:                       var(s²) = L (1/p − 1)
// so linear + orthogonal is exactly isometric and ReLU + Gaussian has 2L.
// Elsewhere no formula is implemented and the prediction stays empty.
#pragma once

#include <optional>
#include <vector>

#include "engine/config.h"

namespace gradflow {

struct SpectrumPrediction {
  std::optional<double> mean_sq;      // predicted mean of s² of J
  std::optional<double> var_sq;       // predicted variance of s² of J, where known
  std::vector<double> layer_mean_sq;  // [l-1]: σ_w²(l) E[φ'(z^l)²], mean s² of P D W^l (square)
};

// For config's freshly drawn network (the loss is taken as probe).
SpectrumPrediction PredictSpectrum(const RunConfig& config);

}  // namespace gradflow
