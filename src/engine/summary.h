// The one-row-per-run summary and its verdict.
//
//   vanishing_ratio        = delta_norm[1] / delta_norm[L]   (L = last hidden layer)
//   grad_w_vanishing_ratio = grad_w_norm[1] / grad_w_norm[L]
//   decay_per_layer        = vanishing_ratio^(1/(L-1))   (geometric mean of per-layer ratios)
//   verdict: nonfinite   if any NaN/Inf appeared in z, a or δ
//            vanishing   if vanishing_ratio < vanishing_threshold (or 0/0: no gradient at all)
//            exploding   if vanishing_ratio > exploding_threshold
//            at_risk     if within kAtRiskFactor of a threshold: vanishing_threshold <=
//                        ratio < kAtRiskFactor·vanishing_threshold, or
//                        exploding_threshold/kAtRiskFactor < ratio <= exploding_threshold
//                        (ReLU/Xavier at depth 20: layer 1 gets ~700x less gradient)
//            healthy     otherwise
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/metrics.h"

namespace gradflow {

// A ratio within this factor of a verdict threshold is `at_risk`, not `healthy`.
constexpr double kAtRiskFactor = 10.0;

struct RunSummary {
  double loss = 0;                    // loss value at this step
  double vanishing_ratio = 0;         // delta_norm[1] / delta_norm[L]
  double grad_w_vanishing_ratio = 0;  // grad_w_norm[1] / grad_w_norm[L]
  double decay_per_layer = 0;         // vanishing_ratio^(1/(L-1)); 1 when L = 1
  double mean_saturation = 0;         // mean saturation_frac over hidden layers
  int64_t nonfinite = 0;              // total NaN/Inf over all layers
  std::string verdict;                // vanishing | exploding | at_risk | healthy | nonfinite
  // Mean-field predictions (theory.h), filled by AddTheoryPredictions.
  std::optional<double> pred_vanishing_ratio;  // predicted ‖δ^1‖/‖δ^L‖, probe loss only
  std::optional<double> pred_decay_per_layer;  // its (L-1)-th root, probe loss only
  std::optional<double> chi1;                  // χ₁ = χ(q*) of a hidden layer
  std::string phase;                           // ordered | critical | chaotic; "" if not predicted
};

// layers: every layer's metrics, hidden layers 1..config.depth first.
RunSummary Summarise(const RunConfig& config, const std::vector<LayerMetrics>& layers, double loss);

}  // namespace gradflow
