#include "experiment/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "base/error.h"
#include "engine/inputs.h"
#include "experiment/run.h"
#include "fmt/format.h"

namespace gradflow {

void ValidateHistogramBins(int bins) {
  if (bins < 1 || bins > kMaxHistogramBins) {
    throw UsageError(
        fmt::format("--histogram-bins must be between 1 and {}, got {}", kMaxHistogramBins, bins));
  }
}

namespace {

// Edges e_0 < e_1 < ... < e_bins of `bins` equal bins over [lo, hi]:
// e_i = lo·(1 − i/bins) + hi·(i/bins), a form that cannot overflow for finite
// lo and hi and gives e_0 = lo and e_bins = hi exactly. Empty if the edges
// would not be strictly increasing (a range too narrow for the doubles).
std::vector<double> Edges(double lo, double hi, int bins) {
  std::vector<double> edges(bins + 1);
  for (int i = 0; i <= bins; ++i) {
    const double t = static_cast<double>(i) / bins;
    edges[i] = lo * (1 - t) + hi * t;
  }
  edges[0] = lo;
  edges[bins] = hi;
  for (int i = 0; i < bins; ++i) {
    if (!(edges[i] < edges[i + 1])) return {};
  }
  return edges;
}

void AddExactBin(double value, int64_t count, bool always, std::vector<HistogramBin>* bins) {
  if (count > 0 || always) bins->push_back({value, value, count});
}

}  // namespace

std::vector<HistogramBin> BuildHistogram(const std::vector<double>& values, int bins,
                                         HistogramScale scale) {
  ValidateHistogramBins(bins);
  const bool log_abs = scale == HistogramScale::kLog10Abs;
  const double inf = std::numeric_limits<double>::infinity();
  // The binned values, and the exact values no range holds.
  std::vector<double> finite;
  finite.reserve(values.size());
  int64_t zeros = 0, nans = 0, pos_inf = 0, neg_inf = 0;
  for (double v : values) {
    if (std::isnan(v)) {
      ++nans;
    } else if (log_abs) {
      // log10|δ|: 0 -> −inf (counted apart), ±inf -> +inf.
      if (v == 0) {
        ++zeros;
      } else if (std::isinf(v)) {
        ++pos_inf;
      } else {
        finite.push_back(std::log10(std::fabs(v)));
      }
    } else if (std::isinf(v)) {
      ++(v > 0 ? pos_inf : neg_inf);
    } else {
      finite.push_back(v);
    }
  }

  std::vector<HistogramBin> out;
  if (!finite.empty()) {
    const auto [min_it, max_it] = std::minmax_element(finite.begin(), finite.end());
    double lo = *min_it, hi = *max_it;
    std::vector<double> edges = Edges(lo, hi, bins);
    if (edges.empty()) {
      // All values equal (or a range too narrow to split): centre a range on
      // them, [mid ± |mid|/2], else [mid ± 0.5] (mid = 0 or subnormal), else
      // (|mid| near the largest double) [mid/2, mid] or [mid, mid/2].
      const double mid = lo / 2 + hi / 2;
      const double a = std::fabs(mid) / 2;
      const double candidates[3][2] = {{mid - a, mid + a},
                                       {mid - 0.5, mid + 0.5},
                                       {std::min(mid / 2, mid), std::max(mid / 2, mid)}};
      for (const auto& range : candidates) {
        if (!std::isfinite(range[0]) || !std::isfinite(range[1])) continue;
        edges = Edges(range[0], range[1], bins);
        if (!edges.empty()) break;
      }
      if (edges.empty()) throw std::logic_error("BuildHistogram: no range splits into bins");
    }
    std::vector<int64_t> counts(bins, 0);
    for (double v : finite) {
      // The bin i with e_i <= v < e_{i+1}; v = hi goes to the last bin.
      const auto it = std::upper_bound(edges.begin(), edges.end(), v);
      const int i = static_cast<int>(it - edges.begin()) - 1;
      ++counts[std::clamp(i, 0, bins - 1)];
    }
    out.reserve(bins + 4);
    for (int i = 0; i < bins; ++i) out.push_back({edges[i], edges[i + 1], counts[i]});
  }
  AddExactBin(-inf, log_abs ? zeros : neg_inf, log_abs, &out);
  AddExactBin(inf, pos_inf, false, &out);
  AddExactBin(std::numeric_limits<double>::quiet_NaN(), nans, false, &out);
  return out;
}

namespace {

template <typename T>
std::vector<double> ToDouble(const Mat<T>& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

}  // namespace

template <typename T>
std::vector<LayerHistogram> LayerHistograms(int64_t step, int layer, const Mat<T>& z,
                                            const Mat<T>& a, const Mat<T>& delta, int bins) {
  return {
      {step, layer, "preact", BuildHistogram(ToDouble(z), bins, HistogramScale::kLinear)},
      {step, layer, "act", BuildHistogram(ToDouble(a), bins, HistogramScale::kLinear)},
      {step, layer, "delta", BuildHistogram(ToDouble(delta), bins, HistogramScale::kLog10Abs)},
  };
}

HistogramObserver::HistogramObserver(int bins, int64_t step) : bins_(bins), step_(step) {
  ValidateHistogramBins(bins);
}

template <typename T>
void HistogramObserver::Forward(int layer, const Mat<T>& z, const Mat<T>& a) {
  if (static_cast<int>(per_layer_.size()) < layer) per_layer_.resize(layer);
  per_layer_[layer - 1] = {
      {step_, layer, "preact", BuildHistogram(ToDouble(z), bins_, HistogramScale::kLinear)},
      {step_, layer, "act", BuildHistogram(ToDouble(a), bins_, HistogramScale::kLinear)},
  };
}

template <typename T>
void HistogramObserver::Backward(int layer, const Mat<T>& delta) {
  per_layer_.at(layer - 1).push_back(
      {step_, layer, "delta", BuildHistogram(ToDouble(delta), bins_, HistogramScale::kLog10Abs)});
}

void HistogramObserver::AfterForward(int layer, const Mat<float>& z, const Mat<float>& a) {
  Forward(layer, z, a);
}
void HistogramObserver::AfterForward(int layer, const Mat<double>& z, const Mat<double>& a) {
  Forward(layer, z, a);
}
void HistogramObserver::AfterBackward(int layer, const Mat<float>& delta) {
  Backward(layer, delta);
}
void HistogramObserver::AfterBackward(int layer, const Mat<double>& delta) {
  Backward(layer, delta);
}

std::vector<LayerHistogram> HistogramObserver::Take() {
  std::vector<LayerHistogram> histograms;
  for (auto& layer : per_layer_) {
    for (auto& h : layer) histograms.push_back(std::move(h));
  }
  per_layer_.clear();
  return histograms;
}

RunResult RunExperimentWithHistograms(const RunConfig& config, int bins,
                                      std::vector<LayerHistogram>* histograms) {
  HistogramObserver observer(bins, /*step=*/0);
  RunResult result = RunExperiment(config, &observer);
  *histograms = observer.Take();
  return result;
}

std::vector<LayerHistogram> RunHistograms(const RunConfig& config, int bins) {
  std::vector<LayerHistogram> histograms;
  RunExperimentWithHistograms(config, bins, &histograms);
  return histograms;
}

template std::vector<LayerHistogram> LayerHistograms<float>(int64_t, int, const Mat<float>&,
                                                            const Mat<float>&, const Mat<float>&,
                                                            int);
template std::vector<LayerHistogram> LayerHistograms<double>(int64_t, int, const Mat<double>&,
                                                             const Mat<double>&, const Mat<double>&,
                                                             int);
}  // namespace gradflow
