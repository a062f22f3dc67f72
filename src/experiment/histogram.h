// Per-layer histograms of pre-activations, activations and back-propagated
// gradients (the CS231n and Glorot & Bengio 2010 pictures): the binning and
// collecting. experiment/histogram_columns writes them as tidy CSV, one row
// per (step, layer, quantity, bin).
//
// Quantities and their values, per layer l (maxout: z and δ have one row per
// piece, a one per unit):
//   preact  z^l = W^l a^{l-1} + b^l           (units·pieces, B) values
//   act     a^l = φ(z^l)                      (units, B) values
//   delta   log10|δ^l|, δ^l = ∂Loss/∂z^l      (units·pieces, B) values
// Gradients are binned in log10|δ| so a layer whose gradients are 1e-13 still
// fills its bins; exact zeros (ReLU's negative side, maxout's losing pieces,
// underflow) cannot be placed on a log axis and are counted separately.
//
// Range: `bins` equal-width bins over [min, max] of the finite values of that
// layer and quantity (for delta: of log10|δ| over the nonzero finite δ), so
// every layer uses all its bins whatever its scale; bin_lo/bin_hi say where
// they lie. A bin holds lo <= v < hi, the last one also v = hi. When all the
// values are equal to v (or too close to split into `bins` distinct edges),
// the range is [v − |v|/2, v + |v|/2] ([v − 0.5, v + 0.5] for v = 0). With no
// such values, no regular bins are written.
//
// Exact values that no range holds get a degenerate bin with bin_lo = bin_hi
// = that value: delta's zeros are [-inf, -inf] (log10 0 = −inf; always
// written, even with count 0, so zeros are never silently dropped);
// NaN is [nan, nan], ±inf is [±inf, ±inf] (for delta, |δ| = inf is [inf, inf]);
// those are written only when the count is non-zero. So the counts of a
// (step, layer, quantity) always sum to its number of values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/config.h"
#include "engine/loss.h"
#include "engine/network.h"
#include "engine/run_result.h"
#include "experiment/pass_observer.h"

namespace gradflow {

constexpr int kDefaultHistogramBins = 50;
constexpr int kMaxHistogramBins = 10000;

// Throws UsageError naming --histogram-bins unless 1 <= bins <= kMaxHistogramBins.
void ValidateHistogramBins(int bins);

struct HistogramBin {
  double lo = 0;      // bin_lo
  double hi = 0;      // bin_hi (== lo for an exact-value bin)
  int64_t count = 0;  // values in [lo, hi), or equal to lo for an exact-value bin
};

enum class HistogramScale { kLinear, kLog10Abs };

// Histogram of `values` as described above: `bins` regular bins (ordered,
// strictly increasing edges, the first lo = min and the last hi = max), then
// the exact-value bins. kLog10Abs first maps v to log10|v| and always writes
// the zero bin [-inf, -inf].
std::vector<HistogramBin> BuildHistogram(const std::vector<double>& values, int bins,
                                         HistogramScale scale);

struct LayerHistogram {
  int64_t step = 0;      // training step (0 for `run`: the network at initialisation)
  int layer = 0;         // 1 = next to the input; depth + 1 is the head, if any
  std::string quantity;  // "preact", "act" or "delta"
  std::vector<HistogramBin> bins;
};

// The three histograms of one layer. z: (units·pieces, B), a: (units, B),
// delta: (units·pieces, B).
template <typename T>
std::vector<LayerHistogram> LayerHistograms(int64_t step, int layer, const Mat<T>& z,
                                            const Mat<T>& a, const Mat<T>& delta, int bins);

// Collects the three histograms of every layer from a measured pass
// (MeasureNetwork or RunExperiment with this observer): z and a as each layer
// is computed, δ on the way back, so histograms never cost a second pass.
class HistogramObserver : public PassObserver {
 public:
  // Throws UsageError naming --histogram-bins for a bad count (ValidateHistogramBins).
  HistogramObserver(int bins, int64_t step);

  void AfterForward(int layer, const Mat<float>& z, const Mat<float>& a) override;
  void AfterForward(int layer, const Mat<double>& z, const Mat<double>& a) override;
  void AfterBackward(int layer, const Mat<float>& delta) override;
  void AfterBackward(int layer, const Mat<double>& delta) override;

  // The histograms seen, bottom layer first, each layer as preact, act, delta.
  std::vector<LayerHistogram> Take();

 private:
  template <typename T>
  void Forward(int layer, const Mat<T>& z, const Mat<T>& a);
  template <typename T>
  void Backward(int layer, const Mat<T>& delta);

  int bins_;
  int64_t step_;
  std::vector<std::vector<LayerHistogram>> per_layer_;  // [layer - 1]
};

// The run RunExperiment makes for `config` (same seeds, same numbers) with its
// histograms at step 0, from the run's one pass.
RunResult RunExperimentWithHistograms(const RunConfig& config, int bins,
                                      std::vector<LayerHistogram>* histograms);
// Only the histograms of that run.
std::vector<LayerHistogram> RunHistograms(const RunConfig& config, int bins);

}  // namespace gradflow
