// gradflow bench's measurements: every activation in both dtypes with positive
// times (timings are measurements; their values are never asserted).
#include "experiment/activation_cost.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace gradflow {
namespace {

ActivationCostOptions Small() {
  ActivationCostOptions o;
  o.elements = 4096;
  o.repeats = 1;
  o.pass_repeats = 1;
  o.depth = 2;
  o.width = 16;
  o.batch = 8;
  return o;
}

TEST(ActivationCost, EveryActivationInBothDtypesWithPositiveTimes) {
  int last_done = 0;
  const std::vector<ActivationCostRow> rows =
      MeasureActivationCost(Small(), [&](int done, int total) {
        EXPECT_EQ(done, last_done + 1);
        EXPECT_EQ(total, 2 * static_cast<int>(ActivationTable().size()));
        last_done = done;
      });
  ASSERT_EQ(rows.size(), 2 * ActivationTable().size());
  std::set<std::pair<std::string, DType>> seen;
  for (const ActivationCostRow& r : rows) {
    SCOPED_TRACE(r.activation);
    seen.insert({r.activation, r.dtype});
    EXPECT_GT(r.phi_ns, 0);
    EXPECT_GT(r.phi_dphi_ns, 0);
    EXPECT_GT(r.pass_ms, 0);
    EXPECT_GT(r.activation_ms, 0);
    EXPECT_GT(r.gemm_ms, 0);
  }
  for (const std::string& name : ActivationNames()) {
    EXPECT_TRUE(seen.count({name, DType::kFloat32})) << name;
    EXPECT_TRUE(seen.count({name, DType::kFloat64})) << name;
  }
}

TEST(ActivationCost, CsvHasOneRowPerMeasurementAndEmptyPassColumnsWithoutAPass) {
  ActivationCostOptions o = Small();
  o.pass = false;
  const std::vector<ActivationCostRow> rows = MeasureActivationCost(o);
  const std::string csv = ActivationCostCsv(rows);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "activation,dtype,phi_ns,phi_dphi_ns,pass_ms,activation_ms,gemm_ms,activation_share,"
            "gemm_share");
  int count = 0;
  while (std::getline(in, line)) {
    ++count;
    EXPECT_EQ(line.substr(line.size() - 5), ",,,,,") << line;  // no pass timed
  }
  EXPECT_EQ(count, static_cast<int>(rows.size()));
  EXPECT_EQ(rows.front().activation, "sigmoid");
  EXPECT_EQ(rows.front().dtype, DType::kFloat32);
  EXPECT_EQ(rows.back().dtype, DType::kFloat64);
}

}  // namespace
}  // namespace gradflow
