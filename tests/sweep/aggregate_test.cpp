#include "sweep/aggregate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "experiment/run_columns.h"
#include "io/csv_reader.h"
#include "sweep/student_t.h"

namespace gradflow {
namespace {

// A summary CSV as a sweep writes it, built from configs and hand-picked summaries.
std::string Summary(
    const std::vector<std::tuple<int, uint64_t, double, double, std::string>>& rows) {
  std::string text = SummaryCsvHeader();
  for (const auto& [depth, seed, ratio, saturation, verdict] : rows) {
    RunResult r;
    r.config.depth = depth;
    r.config.seed = seed;
    r.summary.vanishing_ratio = ratio;
    r.summary.mean_saturation = saturation;
    r.summary.verdict = verdict;
    text += SummaryCsvRow(r);
  }
  return text;
}

TEST(Aggregate, MeanAndStudentIntervalOverSeedsHandComputed) {
  // depth 5: ratios 1, 2, 3 -> mean 2, s = 1, half = t(0.975, 2) / sqrt(3)
  // log10: 0, log10 2, log10 3.
  const std::string summary = Summary({{5, 0, 1.0, 0.1, "healthy"},
                                       {5, 1, 2.0, 0.2, "healthy"},
                                       {5, 2, 3.0, 0.3, "vanishing"},
                                       {9, 0, 1e-4, 0.5, "vanishing"}});
  const CsvTable out = CsvTable::Parse("agg", AggregateCsv(CsvTable::Parse("s", summary)));
  ASSERT_EQ(out.rows().size(), 2u);
  auto value = [&](size_t row, const char* column) {
    return out.Number(row, out.RequireColumn(column));
  };
  const double half = 4.302652729749464 / std::sqrt(3.0);
  EXPECT_EQ(value(0, "seeds"), 3);
  EXPECT_NEAR(value(0, "vanishing_ratio_mean"), 2.0, 1e-15);
  EXPECT_NEAR(value(0, "vanishing_ratio_std"), 1.0, 1e-15);
  EXPECT_NEAR(value(0, "vanishing_ratio_ci95_low"), 2.0 - half, 1e-9);
  EXPECT_NEAR(value(0, "vanishing_ratio_ci95_high"), 2.0 + half, 1e-9);
  const double lm = (std::log10(2.0) + std::log10(3.0)) / 3;
  EXPECT_NEAR(value(0, "log10_vanishing_ratio_mean"), lm, 1e-15);
  double ss = 0;
  for (double v : {0.0, std::log10(2.0), std::log10(3.0)}) ss += (v - lm) * (v - lm);
  EXPECT_NEAR(value(0, "log10_vanishing_ratio_ci95_high"), lm + half * std::sqrt(ss / 2), 1e-9);
  EXPECT_NEAR(value(0, "mean_saturation_mean"), 0.2, 1e-15);
  EXPECT_EQ(out.rows()[0].field(out.RequireColumn("verdicts")), "healthy:2;vanishing:1");
  EXPECT_EQ(out.rows()[0].field(out.RequireColumn("depth")), "5");
  // One seed: no interval.
  EXPECT_EQ(value(1, "seeds"), 1);
  EXPECT_NEAR(value(1, "log10_vanishing_ratio_mean"), -4, 1e-15);
  EXPECT_TRUE(std::isnan(value(1, "vanishing_ratio_ci95_low")));
  EXPECT_EQ(out.ColumnIndex("seed"), -1);
}

TEST(Aggregate, ConfigurationFieldsAreWrittenAsCsvFields) {
  // A configuration value that needs quotes (none does today) is grouped and
  // written back as one field.
  std::string summary = Summary({{5, 0, 1.0, 0.1, "healthy"}, {5, 1, 3.0, 0.3, "healthy"}});
  const size_t at = summary.rfind(",gaussian,");
  ASSERT_NE(at, std::string::npos);
  summary.replace(at, 10, ",\"gauss,\"\"ian\"\"\",");
  const std::string text = AggregateCsv(CsvTable::Parse("s", summary));
  EXPECT_NE(text.find(",\"gauss,\"\"ian\"\"\","), std::string::npos) << text;
  const CsvTable out = CsvTable::Parse("agg", text);
  ASSERT_EQ(out.rows().size(), 2u);  // the two inputs are two configurations
  EXPECT_EQ(out.rows()[0].field(out.RequireColumn("input")), "gaussian");
  EXPECT_EQ(out.rows()[1].field(out.RequireColumn("input")), "gauss,\"ian\"");
  EXPECT_EQ(out.rows()[1].field(out.RequireColumn("seeds")), "1");
}

}  // namespace
}  // namespace gradflow
