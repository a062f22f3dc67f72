#include "experiment/run_report.h"

#include <algorithm>
#include <cmath>

#include "base/format.h"
#include "fmt/format.h"

namespace gradflow {

std::string LogBar(double value, double log_min, double log_max, int width) {
  if (!(value > 0) || !std::isfinite(value)) return "";
  const double span = log_max - log_min;
  const double fraction = span > 0 ? (std::log10(value) - log_min) / span : 1.0;
  const int length =
      1 + static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * (width - 1)));
  return std::string(static_cast<size_t>(length), '#');
}

std::string ArchitectureText(const RunConfig& c) {
  std::string text;
  if (!c.widths.empty()) text += ", widths " + WidthsText(c);
  if (c.norm != NormKind::kNone) text += ", norm " + NormName(c.norm);
  if (c.residual) text += ", residual " + FormatNumber(c.residual_scale);
  return text;
}

std::string FormatRunReport(const RunResult& r) {
  const RunConfig& c = r.config;
  const std::string param = MakeActivation(c).ParamString();
  std::string text = fmt::format(
      "gradflow run: {}{}, init {}, depth {}, width {}{}, batch {}, loss {}, {}, seed {}\n",
      ActivationName(c.activation), param.empty() ? "" : "(" + param + ")", InitName(c.init),
      c.depth, c.width, ArchitectureText(c), c.batch, LossName(c.loss), DTypeName(c.dtype), c.seed);
  double log_min = INFINITY, log_max = -INFINITY;
  for (const LayerMetrics& m : r.layers) {
    if (m.delta_norm > 0 && std::isfinite(m.delta_norm)) {
      log_min = std::min(log_min, std::log10(m.delta_norm));
      log_max = std::max(log_max, std::log10(m.delta_norm));
    }
  }
  text += fmt::format(
      "{:>5} {:>6} {:>12} {:>8} {:>6}  delta_norm (log scale, 1e{:.0f} .. 1e{:.0f})\n", "layer",
      "kind", "delta_norm", "grad_w", "sat", std::floor(log_min) + 0.0, std::ceil(log_max) + 0.0);
  for (const LayerMetrics& m : r.layers) {
    std::string bar = LogBar(m.delta_norm, log_min, log_max, 40);
    if (bar.empty()) bar = m.delta_norm == 0 ? "(zero)" : "(not finite)";
    text += fmt::format("{:>5} {:>6} {:>12.3e} {:>8.1e} {:>6.3f}  {}\n", m.layer, m.kind,
                        m.delta_norm, m.grad_w_norm, m.saturation_frac, bar);
  }
  const RunSummary& s = r.summary;
  // A NaN's sign means nothing; print it as plain "nan".
  auto unsigned_nan = [](double v) { return std::isnan(v) ? std::fabs(v) : v; };
  text += fmt::format(
      "vanishing_ratio delta[1]/delta[{}] = {:.3e} (grad_w: {:.3e}), per-layer factor {:.4g}, "
      "mean saturation {:.3f}, nonfinite {}\n",
      c.depth, unsigned_nan(s.vanishing_ratio), unsigned_nan(s.grad_w_vanishing_ratio),
      unsigned_nan(s.decay_per_layer), unsigned_nan(s.mean_saturation), s.nonfinite);
  text += fmt::format(
      "verdict: {} (vanishing below {:g}, exploding above {:g}, at_risk within a factor {:g} of "
      "either)\n",
      s.verdict, c.vanishing_threshold, c.exploding_threshold, kAtRiskFactor);
  return text;
}

}  // namespace gradflow
