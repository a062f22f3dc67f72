#include "experiment/run_columns.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace gradflow {
namespace {

TEST(Columns, NumbersReadBackExactly) {
  for (double v : {0.1, 1.0 / 3.0, 1e-25, 3.4028234663852886e38, 5e-324, -2.5, 123456789.0}) {
    const std::string text = FormatNumber(v);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
  }
  EXPECT_EQ(FormatNumber(0.1), "0.1");  // shortest form, not 0.10000000000000001
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::quiet_NaN()), "nan");  // not "-nan"
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Columns, HeaderAndRowsHaveTheSameFieldCount) {
  RunConfig c;
  c.depth = 2;
  c.width = 3;
  c.batch = 2;
  c.activation = ActivationKind::kLeakyRelu;
  const RunResult r = RunExperiment(c);
  auto fields = [](const std::string& line) { return std::count(line.begin(), line.end(), ','); };
  const std::string rows = LayerCsvRows(r);
  const std::string first_row = rows.substr(0, rows.find('\n'));
  EXPECT_EQ(fields(LayerCsvHeader()), fields(first_row));
  EXPECT_EQ(fields(SummaryCsvHeader()), fields(SummaryCsvRow(r)));
  EXPECT_EQ(
      first_row.rfind(
          "leaky_relu,0.01,xavier_uniform,,1,0,2,3,3,2,gaussian,1,probe,float32,0,1,hidden,3,3,",
          0),
      0u)
      << first_row;
}

TEST(Columns, EveryColumnIsDocumented) {
  for (const auto& c : ConfigColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
  for (const auto& c : LayerColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
  for (const auto& c : SummaryColumns()) EXPECT_GT(std::string(c.doc).size(), 3u) << c.name;
}

}  // namespace
}  // namespace gradflow
