// The spectrum CSVs: configuration columns first, one row per run, per layer
// or per singular value, predictions empty where the theory has none.
#include "experiment/spectrum_columns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_util.h"

namespace gradflow {
namespace {

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A hand-made result: 2 samples of 2 singular values, 2 layers.
SpectrumResult HandMade() {
  SpectrumResult r;
  r.config = testing_util::Config("relu", "he_normal", 2, 2, 2);
  VecD a(2), b(2);
  a << 2, 1;
  b << 1, 0.5;
  r.values = {a, b};
  r.stats = SummariseSpectra(r.values);
  r.layer_values = {{a, b}, {b, a}};
  for (const auto& layer : r.layer_values) r.layer_stats.push_back(SummariseSpectra(layer));
  return r;
}

TEST(SpectrumColumns, HeaderStartsWithTheConfigurationAndNamesEveryStatistic) {
  const std::string header = SpectrumCsvHeader();
  EXPECT_EQ(header.rfind(LayerCsvHeader().substr(0, LayerCsvHeader().find(",layer,")), 0), 0u)
      << header;
  for (const char* name : {"sv_mean_sq", "sv_var_sq", "sv_max", "sv_min", "sv_condition",
                           "isometry_frac", "pred_sv_mean_sq", "pred_sv_var_sq"}) {
    EXPECT_NE(header.find(std::string(",") + name), std::string::npos) << name;
  }
  EXPECT_NE(SpectrumLayerCsvHeader().find(",layer,sv_count,"), std::string::npos);
  EXPECT_NE(SpectrumValuesCsvHeader().find(",seed,sample,index,value\n"), std::string::npos);
}

TEST(SpectrumColumns, RowsHoldTheHandComputedNumbers) {
  const SpectrumResult r = HandMade();
  SpectrumPrediction p;
  p.mean_sq = 1.0;  // no variance prediction: an empty cell
  p.layer_mean_sq = {1.0, 1.0};
  const std::string row = SpectrumCsvRow(r, p);
  // mean s² = (4 + 1 + 1 + 0.25) / 4; max 2, min 0.5; condition (2 + 2)/2; all in [1/2, 2].
  EXPECT_NE(row.find(",4,1.5625,"), std::string::npos) << row;
  EXPECT_NE(row.find(",2,0.5,2,1,1,\n"), std::string::npos) << row;
  const std::string layers = SpectrumLayerCsvRows(r, p);
  EXPECT_EQ(Lines(layers), 2);
  const std::string values = SpectrumValuesCsvRows(r);
  EXPECT_EQ(Lines(values), 4);
  EXPECT_NE(values.find(",1,1,0.5\n"), std::string::npos) << values;  // sample 1, index 1
}

TEST(SpectrumColumns, PerLayerPredictionDividesTheVarianceByDepth) {
  const SpectrumResult r = HandMade();
  SpectrumPrediction p;
  p.mean_sq = 1.0;
  p.var_sq = 4.0;  // L / p with L = 2, p = 1/2
  p.layer_mean_sq = {1.0, 1.0};
  const SpectrumRow row = PredictedLayerRow(r, p, 2);
  ASSERT_TRUE(row.pred_var_sq && row.pred_mean_sq);
  EXPECT_EQ(*row.pred_var_sq, 2.0);
  EXPECT_EQ(*row.pred_mean_sq, 1.0);
  EXPECT_EQ(row.stats.count, r.layer_stats[1].count);
}

}  // namespace
}  // namespace gradflow
