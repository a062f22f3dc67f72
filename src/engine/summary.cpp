#include "engine/summary.h"

#include <cmath>

namespace gradflow {

RunSummary Summarise(const RunConfig& config, const std::vector<LayerMetrics>& layers,
                     double loss) {
  RunSummary s;
  s.loss = loss;
  const LayerMetrics& first = layers.front();
  const LayerMetrics& last = layers[config.depth - 1];
  s.vanishing_ratio = first.delta_norm / last.delta_norm;
  s.grad_w_vanishing_ratio = first.grad_w_norm / last.grad_w_norm;
  s.decay_per_layer =
      config.depth > 1 ? std::pow(s.vanishing_ratio, 1.0 / (config.depth - 1)) : 1.0;
  double saturation = 0;
  for (int l = 0; l < config.depth; ++l) saturation += layers[l].saturation_frac;
  s.mean_saturation = saturation / config.depth;
  for (const LayerMetrics& m : layers) s.nonfinite += m.nonfinite;

  if (s.nonfinite > 0 || std::isinf(s.vanishing_ratio)) {
    s.verdict = s.nonfinite > 0 ? "nonfinite" : "exploding";
  } else if (std::isnan(s.vanishing_ratio) || s.vanishing_ratio < config.vanishing_threshold) {
    s.verdict = "vanishing";
  } else if (s.vanishing_ratio > config.exploding_threshold) {
    s.verdict = "exploding";
  } else if (s.vanishing_ratio < kAtRiskFactor * config.vanishing_threshold ||
             s.vanishing_ratio > config.exploding_threshold / kAtRiskFactor) {
    s.verdict = "at_risk";
  } else {
    s.verdict = "healthy";
  }
  return s;
}

}  // namespace gradflow
