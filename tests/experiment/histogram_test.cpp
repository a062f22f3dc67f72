// Histograms: hand-worked bins, every value counted once, ordered edges, the
// documented ranges, agreement with `run`'s metrics, the CSV and the CLI.
#include "experiment/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "base/error.h"
#include "base/rng.h"
#include "engine/inputs.h"
#include "experiment/run.h"
#include "test_util.h"

namespace gradflow {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

struct Expected {
  double lo, hi;
  int64_t count;
};

// Compares bins exactly; NaN edges match NaN.
void ExpectBins(const std::vector<HistogramBin>& bins, const std::vector<Expected>& expected) {
  ASSERT_EQ(bins.size(), expected.size());
  auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  for (size_t i = 0; i < bins.size(); ++i) {
    EXPECT_TRUE(same(bins[i].lo, expected[i].lo)) << i << ": " << bins[i].lo;
    EXPECT_TRUE(same(bins[i].hi, expected[i].hi)) << i << ": " << bins[i].hi;
    EXPECT_EQ(bins[i].count, expected[i].count) << i;
  }
}

int64_t Total(const std::vector<HistogramBin>& bins) {
  int64_t total = 0;
  for (const HistogramBin& b : bins) total += b.count;
  return total;
}

// Regular bins (lo < hi) have strictly increasing, contiguous edges.
void ExpectOrderedEdges(const std::vector<HistogramBin>& bins) {
  const HistogramBin* previous = nullptr;
  for (const HistogramBin& b : bins) {
    if (!(b.lo < b.hi)) continue;  // an exact-value bin
    if (previous != nullptr) {
      EXPECT_EQ(b.lo, previous->hi);
    }
    previous = &b;
  }
}

TEST(Histogram, LinearBinsOverTheValueRangeByHand) {
  // Edges 0, 1, 2, 3, 4; 4 = max falls in the last bin.
  ExpectBins(BuildHistogram({0, 1, 2, 3, 4, 0.5, 2.999}, 4, HistogramScale::kLinear),
             {{0, 1, 2}, {1, 2, 1}, {2, 3, 2}, {3, 4, 2}});
}

TEST(Histogram, DeltaIsBinnedInLog10WithZerosApart) {
  // log10|v|: -13, -3, -1, 1 over [-13, 1], edges -13, -6, 1; two zeros.
  ExpectBins(BuildHistogram({0, 1e-13, -1e-3, 0.1, -10, 0}, 2, HistogramScale::kLog10Abs),
             {{-13, -6, 1}, {-6, 1, 3}, {-kInf, -kInf, 2}});
}

TEST(Histogram, ZeroBinOfDeltaIsWrittenEvenWhenEmpty) {
  ExpectBins(BuildHistogram({1, 10}, 1, HistogramScale::kLog10Abs), {{0, 1, 2}, {-kInf, -kInf, 0}});
}

TEST(Histogram, AllZeroDeltaHasOnlyTheZeroBin) {
  ExpectBins(BuildHistogram({0, 0, 0}, 5, HistogramScale::kLog10Abs), {{-kInf, -kInf, 3}});
}

TEST(Histogram, NonfiniteValuesGetExactValueBins) {
  ExpectBins(BuildHistogram({1, kNan, kInf, -kInf, 2, -kInf}, 1, HistogramScale::kLinear),
             {{1, 2, 2}, {-kInf, -kInf, 2}, {kInf, kInf, 1}, {kNan, kNan, 1}});
  // |δ| = inf is +inf on the log axis; NaN stays NaN.
  ExpectBins(BuildHistogram({-kInf, kNan, 0, 1}, 1, HistogramScale::kLog10Abs),
             {{-0.5, 0.5, 1}, {-kInf, -kInf, 1}, {kInf, kInf, 1}, {kNan, kNan, 1}});
}

TEST(Histogram, EqualValuesGetARangeCentredOnThem) {
  ExpectBins(BuildHistogram({3, 3, 3}, 3, HistogramScale::kLinear),
             {{1.5, 2.5, 0}, {2.5, 3.5, 3}, {3.5, 4.5, 0}});
  ExpectBins(BuildHistogram({0, 0}, 2, HistogramScale::kLinear), {{-0.5, 0, 0}, {0, 0.5, 2}});
}

TEST(Histogram, RangesTooNarrowOrTooWideStillGiveOrderedEdges) {
  const double one_ulp_up = std::nextafter(1.0, 2.0);
  const double max = std::numeric_limits<double>::max();
  const double tiny = std::numeric_limits<double>::denorm_min();
  for (const std::vector<double>& values :
       std::vector<std::vector<double>>{{1.0, one_ulp_up}, {-max, max}, {max, max}, {tiny}}) {
    const auto bins = BuildHistogram(values, 50, HistogramScale::kLinear);
    EXPECT_EQ(Total(bins), static_cast<int64_t>(values.size()));
    ExpectOrderedEdges(bins);
    for (const HistogramBin& b : bins) EXPECT_TRUE(std::isfinite(b.lo) && std::isfinite(b.hi));
  }
}

TEST(Histogram, EveryValueLiesInItsBinAndIsCountedOnce) {
  Rng rng(7, Purpose::kInput);
  std::vector<double> values(5000);
  for (double& v : values) v = std::exp(8 * rng.Normal()) * (rng.Uniform01() < 0.5 ? -1 : 1);
  for (HistogramScale scale : {HistogramScale::kLinear, HistogramScale::kLog10Abs}) {
    const auto bins = BuildHistogram(values, 37, scale);
    ASSERT_EQ(bins.size(), 37u + (scale == HistogramScale::kLog10Abs ? 1 : 0));
    EXPECT_EQ(Total(bins), 5000);
    ExpectOrderedEdges(bins);
    // Recount each bin from its own edges: lo <= v < hi, the last bin closed.
    for (size_t i = 0; i < 37; ++i) {
      int64_t count = 0;
      for (double v : values) {
        const double x = scale == HistogramScale::kLinear ? v : std::log10(std::fabs(v));
        if (bins[i].lo <= x && (x < bins[i].hi || (i == 36 && x == bins[i].hi))) ++count;
      }
      EXPECT_EQ(bins[i].count, count) << "bin " << i;
    }
  }
}

TEST(Histogram, BinCountIsValidatedNamingTheOption) {
  for (int bins : {0, -3, kMaxHistogramBins + 1}) {
    try {
      BuildHistogram({1, 2}, bins, HistogramScale::kLinear);
      ADD_FAILURE() << "no error for " << bins;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--histogram-bins"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::to_string(bins)), std::string::npos) << e.what();
    }
  }
}

using testing_util::Config;

// (layer, quantity) -> bins.
std::map<std::pair<int, std::string>, std::vector<HistogramBin>> ByLayer(
    const std::vector<LayerHistogram>& histograms) {
  std::map<std::pair<int, std::string>, std::vector<HistogramBin>> out;
  for (const LayerHistogram& h : histograms) out[{h.layer, h.quantity}] = h.bins;
  return out;
}

TEST(Histogram, CountsSumToUnitsTimesSamplesPerLayer) {
  struct Case {
    std::string activation, loss;
    int rows_per_unit;
  };
  for (const Case& c : std::vector<Case>{{"relu", "probe", 1},
                                         {"tanh", "mse", 1},
                                         {"maxout", "probe", 3},
                                         {"sigmoid", "cross_entropy", 1}}) {
    RunConfig config = Config(c.activation, "he_normal", 4, 12, 5);
    config.loss = ParseLoss(c.loss);
    config.activation_params.maxout_pieces = 3;
    const auto histograms = RunHistograms(config, 9);
    const int layers = config.depth + (config.HasHead() ? 1 : 0);
    ASSERT_EQ(histograms.size(), 3u * layers) << c.activation;
    for (const LayerHistogram& h : histograms) {
      SCOPED_TRACE(c.activation + " layer " + std::to_string(h.layer) + " " + h.quantity);
      EXPECT_EQ(h.step, 0);
      const bool head = h.layer > config.depth;
      const int units = head ? config.HeadUnits() : config.width;
      const int rows = (head || h.quantity == "act") ? units : units * c.rows_per_unit;
      EXPECT_EQ(Total(h.bins), int64_t{rows} * config.batch);
      ExpectOrderedEdges(h.bins);
    }
  }
}

TEST(Histogram, ReluDeltaZerosAreTheUnitsWithNegativePreactivation) {
  // Oracle: z from our own forward pass; δ = φ'(z)·(...) is exactly 0 where z <= 0.
  const RunConfig config = Config("relu", "he_normal", 5, 16, 8);
  const Network<double> network = BuildNetwork<double>([&] {
    RunConfig c = config;
    c.dtype = DType::kFloat64;
    return c;
  }());
  ForwardCache<double> cache;
  network.Forward(SampleInput(config), &cache);
  RunConfig config64 = config;
  config64.dtype = DType::kFloat64;
  const auto bins = ByLayer(RunHistograms(config64, 10));
  for (int l = 1; l <= config.depth; ++l) {
    const int64_t nonpositive = (cache.z[l].array() <= 0).count();
    const HistogramBin& zero = bins.at({l, "delta"}).back();
    EXPECT_EQ(zero.lo, -kInf);
    EXPECT_EQ(zero.count, nonpositive) << "layer " << l;
    EXPECT_GT(nonpositive, 0);
  }
}

TEST(Histogram, MaxoutLosingPiecesHaveZeroDelta) {
  RunConfig config = Config("maxout", "he_normal", 3, 10, 6);
  config.activation_params.maxout_pieces = 4;
  for (const LayerHistogram& h : RunHistograms(config, 5)) {
    if (h.quantity != "delta") continue;
    EXPECT_GE(h.bins.back().count, 3 * 10 * 6) << "layer " << h.layer;  // 3 of 4 pieces lose
  }
}

TEST(Histogram, AgreesWithTheRunMetricsOfTheSameConfig) {
  // The mean over bin midpoints is within half a bin width of the exact mean.
  for (const std::string activation : {"tanh", "elu"}) {
    const RunConfig config = Config(activation, "xavier_uniform", 6, 32, 16);
    const RunResult run = RunExperiment(config);
    const auto bins = ByLayer(RunHistograms(config, 40));
    for (const LayerMetrics& m : run.layers) {
      for (const auto& [quantity, mean] :
           {std::pair<std::string, double>{"preact", m.preact_mean}, {"act", m.act_mean}}) {
        const auto& h = bins.at({m.layer, quantity});
        double sum = 0;
        int64_t n = 0;
        for (const HistogramBin& b : h) {
          sum += b.count * (b.lo + b.hi) / 2;
          n += b.count;
        }
        EXPECT_NEAR(sum / n, mean, (h[0].hi - h[0].lo) / 2)
            << activation << " layer " << m.layer << " " << quantity;
      }
    }
  }
}

// The median of log10|δ| over one layer's nonzero δ, from its bins (bin midpoint).
double MedianLog10Delta(const std::vector<HistogramBin>& bins) {
  const int64_t half = (Total(bins) - bins.back().count) / 2;  // the last bin holds the zeros
  int64_t seen = 0;
  for (const HistogramBin& b : bins) {
    if (!(b.lo < b.hi)) continue;
    seen += b.count;
    if (seen > half) return (b.lo + b.hi) / 2;
  }
  return kNan;
}

TEST(Histogram, SigmoidDeltaHistogramsShiftManyDecadesTowardTheInput) {
  const auto bins = ByLayer(RunHistograms(Config("sigmoid", "xavier_uniform", 20, 128, 32), 50));
  const double first = MedianLog10Delta(bins.at({1, "delta"}));
  const double last = MedianLog10Delta(bins.at({20, "delta"}));
  EXPECT_LT(first, last - 8) << first << " vs " << last;
  EXPECT_EQ(bins.at({1, "delta"}).back().count, 0);  // small, not underflowed to 0
  const auto relu = ByLayer(RunHistograms(Config("relu", "he_normal", 20, 128, 32), 50));
  EXPECT_NEAR(MedianLog10Delta(relu.at({1, "delta"})), MedianLog10Delta(relu.at({20, "delta"})),
              1.0);
}

TEST(Histogram, ObserverHistogramsCarryTheStep) {
  RunConfig config = Config("tanh", "xavier_normal", 2, 6, 3);
  const Network<float> network = BuildNetwork<float>(config);
  const Mat<float> x = SampleInput(config).cast<float>();
  const LossTargets targets = SampleLossTargets(LossKind::kProbe, 6, 3, config.seed);
  HistogramObserver observer(4, 250);
  MeasureNetwork(config, network, x, targets, &observer);
  const auto histograms = observer.Take();
  ASSERT_EQ(histograms.size(), 6u);
  for (const LayerHistogram& h : histograms) EXPECT_EQ(h.step, 250);
  EXPECT_EQ(histograms[0].layer, 1);
  EXPECT_EQ(histograms[0].quantity, "preact");
  EXPECT_EQ(histograms[5].layer, 2);
  EXPECT_EQ(histograms[5].quantity, "delta");
}

}  // namespace
}  // namespace gradflow
