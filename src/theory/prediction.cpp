#include "theory/prediction.h"

#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include "fmt/format.h"

namespace gradflow {

namespace {

// The predictions depend on the configuration but not on the seed (nor on
// batch or dtype), and a sweep runs every configuration for many seeds: keep
// the last few, computed once (quadrature is most of a small run's time).
NetworkTheory CachedPrediction(const RunConfig& config) {
  static std::mutex mutex;
  static std::map<std::string, NetworkTheory> cache;
  // Every field PredictNetwork or AddTheoryPredictions reads, exactly (hex floats).
  const ActivationParams& ap = config.activation_params;
  const std::string key = fmt::format(
      "{}|{:a}|{:a}|{}|{}|{:a}|{:a}|{:a}|{:a}|{}|{}|{}|{:a}|{}|{}|{:a}",
      ActivationName(config.activation), ap.leaky_slope, ap.elu_alpha, ap.maxout_pieces,
      InitName(config.init), config.init_params.init_std, config.init_params.init_scale,
      config.gain, config.bias_std, config.depth, config.width, config.InputDim(),
      config.input_scale, LossName(config.loss), config.HeadUnits(), config.saturation_threshold);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto found = cache.find(key);
    if (found != cache.end()) return found->second;
  }
  NetworkTheory theory = PredictNetwork(config);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 256) cache.clear();
  cache.emplace(key, theory);
  return theory;
}

}  // namespace

void AddTheoryPredictions(RunResult* result) {
  const RunConfig& config = result->config;
  // The formulas here are for the plain MLP of equal widths; for a norm, a
  // residual connection or unequal widths none is implemented, so every
  // pred_* cell stays empty rather than wrong.
  if (!config.IsPlainMlp()) return;
  const NetworkTheory theory = CachedPrediction(config);
  const bool probe = config.loss == LossKind::kProbe;
  for (LayerMetrics& m : result->layers) {
    if (m.kind == "head") {
      m.pred_preact_q = theory.head_q;
      m.pred_saturation_frac = 0.0;  // linear: φ' = 1 = max|φ'|
      continue;
    }
    const LayerTheory& t = theory.layers[m.layer - 1];
    m.pred_preact_q = t.q;
    m.pred_saturation_frac = t.saturation_frac;
    if (probe) m.pred_delta_ratio = t.delta_ratio;
  }
  RunSummary& s = result->summary;
  if (probe) {
    s.pred_vanishing_ratio = theory.vanishing_ratio;
    s.pred_decay_per_layer = theory.decay_per_layer;
  }
  s.chi1 = theory.phase.chi1;
  s.phase = theory.phase.phase;
}

TheoryComparison CompareWithTheory(const RunResult& result) {
  const RunConfig& config = result.config;
  TheoryComparison c;
  c.theory = PredictNetwork(config);
  const int depth = config.depth;
  c.measured_decay = result.summary.decay_per_layer;
  c.predicted_decay = c.theory.decay_per_layer;
  c.measured_vanishing = result.summary.vanishing_ratio;
  c.predicted_vanishing = c.theory.vanishing_ratio;
  if (config.loss != LossKind::kProbe) {
    c.no_delta_why = fmt::format(
        "--loss {} back-propagates a gradient that depends on the weights; the delta "
        "predictions assume --loss probe",
        LossName(config.loss));
  } else if (depth < 2) {
    c.no_delta_why = "depth 1 has no layer-to-layer ratio";
  } else {
    double worst = -1, sum = 0;
    for (int l = 1; l < depth; ++l) {
      // r_l = ‖δ^l‖/‖δ^{l+1}‖ against √χ_l
      const double measured = result.layers[l - 1].delta_norm / result.layers[l].delta_norm;
      const double predicted = std::sqrt(c.theory.layers[l - 1].chi);
      if (!(measured > 0) || !std::isfinite(measured)) {
        ++c.skipped;
        continue;
      }
      const double deviation = measured / predicted - 1;
      sum += deviation;
      ++c.compared;
      if (std::fabs(deviation) > worst) {
        worst = std::fabs(deviation);
        c.worst_layer = l;
        c.worst_measured = measured;
        c.worst_predicted = predicted;
      }
    }
    c.has_delta = c.compared > 0;
    if (c.has_delta) {
      c.mean_deviation = sum / c.compared;
    } else {
      c.no_delta_why = "every measured layer ratio is 0, NaN or inf";
    }
  }
  double worst_q = -1;
  for (int l = 1; l <= depth; ++l) {
    const double measured = result.layers[l - 1].preact_q;
    const double predicted = c.theory.layers[l - 1].q;
    const double deviation = std::fabs(measured / predicted - 1);
    if (std::isfinite(deviation) && deviation > worst_q) {
      worst_q = deviation;
      c.worst_q_layer = l;
      c.worst_q_measured = measured;
      c.worst_q_predicted = predicted;
    }
  }
  return c;
}

namespace {

std::string Percent(double measured, double predicted) {
  return fmt::format("{:+.2f}%", 100.0 * (measured / predicted - 1));
}

}  // namespace

std::string FormatComparison(const TheoryComparison& c) {
  const int depth = static_cast<int>(c.theory.layers.size());
  std::string text = "theory vs measured (mean-field, freshly initialised network):\n";
  if (c.has_delta) {
    text += fmt::format(
        "  per-layer decay ||delta^l||/||delta^l+1||: measured {:.5g}, predicted {:.5g} ({}); "
        "delta[1]/delta[{}]: measured {:.4g}, predicted {:.4g}\n",
        c.measured_decay, c.predicted_decay, Percent(c.measured_decay, c.predicted_decay), depth,
        c.measured_vanishing, c.predicted_vanishing);
    text += fmt::format(
        "  per-layer ratio vs sqrt(chi_l): mean deviation {:+.2f}% over {} layers, largest {} at "
        "layer {} (measured {:.5g}, predicted {:.5g}){}\n",
        100.0 * c.mean_deviation, c.compared, Percent(c.worst_measured, c.worst_predicted),
        c.worst_layer, c.worst_measured, c.worst_predicted,
        c.skipped > 0 ? fmt::format("; {} layers skipped (ratio 0, NaN or inf)", c.skipped) : "");
  } else {
    text += "  no delta comparison: " + c.no_delta_why + "\n";
  }
  if (c.worst_q_layer > 0) {
    text += fmt::format(
        "  preact_q vs q^l: largest deviation {} at layer {} (measured {:.5g}, "
        "predicted {:.5g})\n",
        Percent(c.worst_q_measured, c.worst_q_predicted), c.worst_q_layer, c.worst_q_measured,
        c.worst_q_predicted);
  }
  const PhaseInfo& p = c.theory.phase;
  text +=
      fmt::format("  phase: {} (chi_1 = {:.6g}, xi = {:.4g} layers; fixed point {}, q* = {:.6g})\n",
                  p.phase, p.chi1, p.xi, FixedPointName(p.kind), p.q_star);
  return text;
}

}  // namespace gradflow
