#include "theory/spectrum_prediction.h"

#include <algorithm>
#include <cmath>

#include "theory/theory.h"

namespace gradflow {

namespace {

// P(unit in its linear regime) for activations whose φ' is 0 or 1 everywhere;
// 0 for the rest (no variance formula).
double ZeroOneSlopeLinearFraction(const RunConfig& config) {
  if (config.activation == ActivationKind::kIdentity) return 1.0;
  if (config.activation == ActivationKind::kRelu) return 0.5;
  return 0.0;
}

}  // namespace

SpectrumPrediction PredictSpectrum(const RunConfig& input) {
  RunConfig config = input;
  config.loss = LossKind::kProbe;
  const NetworkTheory theory = PredictNetwork(config);
  const MeanField mean_field(MakeActivation(config), config.saturation_threshold);
  SpectrumPrediction prediction;
  double m1 = 1.0;
  bool critical = true;
  for (const LayerTheory& layer : theory.layers) {
    const double gain = layer.sigma_w2 * mean_field.DerivSecondMoment(layer.q);
    prediction.layer_mean_sq.push_back(gain);
    m1 *= gain;
    critical = critical && std::fabs(gain - 1.0) <= kCriticalTolerance;
  }
  const double units = config.width, d = config.InputDim();
  prediction.mean_sq = m1 * units / std::min(units, d);

  const double p = ZeroOneSlopeLinearFraction(config);
  if (p > 0 && critical && config.InputDim() == config.width) {
    const double depth = config.depth;
    prediction.var_sq = config.init == InitKind::kOrthogonal ? depth * (1.0 / p - 1.0) : depth / p;
  }
  return prediction;
}

}  // namespace gradflow
