// gradflow check: baseline comparison, tolerance edges, missing rows, rules,
// reports (JUnit parsed back) and exit codes.
#include "check/check.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "check/check_report.h"
#include "experiment/run_columns.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Gradflow;
using testing_util::ReadText;
using testing_util::ScratchDir;
using testing_util::Shell;
using testing_util::WriteText;

// A layer CSV with the real header: one run per (activation, delta_norms), saturation 0.5.
std::string LayerCsv(const std::vector<std::pair<std::string, std::vector<double>>>& runs,
                     double saturation = 0.5) {
  std::string text = LayerCsvHeader();
  for (const auto& [activation, deltas] : runs) {
    RunResult r;
    r.config.activation = ParseActivation(activation);
    r.config.depth = static_cast<int>(deltas.size());
    r.config.width = 4;
    for (size_t l = 0; l < deltas.size(); ++l) {
      LayerMetrics m;
      m.layer = static_cast<int>(l + 1);
      m.kind = "hidden";
      m.delta_norm = deltas[l];
      m.grad_w_norm = deltas[l] * 2;
      m.saturation_frac = saturation;
      r.layers.push_back(m);
    }
    text += LayerCsvRows(r);
  }
  return text;
}

CheckResult Check(const std::string& current, const std::string& baseline,
                  CheckOptions options = {}) {
  const CsvTable now = CsvTable::Parse("current.csv", current);
  const CsvTable base = CsvTable::Parse("baseline.csv", baseline);
  return RunCheck(now, &base, options);
}

std::vector<std::string> Columns() {
  std::vector<std::string> names;
  for (const auto& column : ConfigColumns()) names.push_back(column.name);
  return names;
}

TEST(Check, IdenticalFilesPass) {
  const std::string csv = LayerCsv({{"relu", {1e-3, 1e-2, 1e-1}}, {"tanh", {1, 1, 1}}});
  const CheckResult r = Check(csv, csv);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.comparisons, 18u);  // 6 rows x 3 metrics
  EXPECT_TRUE(r.failures.empty());
}

TEST(Check, Log10ToleranceEdgeIsInclusive) {
  const std::string base = LayerCsv({{"relu", {1e-20, 1.0}}});
  // Exactly 0.05 decades up passes; a hair beyond fails; the tiny norm is compared on log scale.
  EXPECT_TRUE(Check(LayerCsv({{"relu", {1e-20 * std::pow(10.0, 0.05), 1.0}}}), base).passed);
  const CheckResult fail = Check(LayerCsv({{"relu", {1e-20 * std::pow(10.0, 0.0501), 1.0}}}), base);
  EXPECT_FALSE(fail.passed);
  ASSERT_EQ(fail.failures.size(), 2u);  // delta_norm and grad_w_norm of layer 1
  EXPECT_EQ(fail.failures[0].layer, "1");
  EXPECT_NEAR(fail.failures[0].change, 0.0501, 1e-9);
  CheckOptions loose;
  loose.log10_tol = 0.06;
  EXPECT_TRUE(
      Check(LayerCsv({{"relu", {1e-20 * std::pow(10.0, 0.0501), 1.0}}}), base, loose).passed);
}

TEST(Check, AbsoluteToleranceEdgeIsInclusiveForFractions) {
  const std::string base = LayerCsv({{"relu", {1, 1}}}, 0.5);
  EXPECT_TRUE(
      Check(LayerCsv({{"relu", {1, 1}}}, 0.51), base).passed);  // 0.51-0.5 = 0.01(+rounding)
  const CheckResult r = Check(LayerCsv({{"relu", {1, 1}}}, 0.5101), base);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failures.front().metric, "saturation_frac");
  EXPECT_FALSE(r.failures.front().log_scale);
}

TEST(Check, ZeroNanAndSignChangesFail) {
  const std::string base = LayerCsv({{"relu", {1, 1}}});
  EXPECT_FALSE(Check(LayerCsv({{"relu", {0, 1}}}), base).passed);
  EXPECT_FALSE(Check(LayerCsv({{"relu", {NAN, 1}}}), base).passed);
  const std::string both_nan = LayerCsv({{"relu", {NAN, 1}}});
  EXPECT_TRUE(Check(both_nan, both_nan).passed);
}

TEST(Check, FailuresAreSortedWorstFirst) {
  const std::string base = LayerCsv({{"relu", {1, 1, 1}}});
  const CheckResult r = Check(LayerCsv({{"relu", {2, 100, 0.5}}}), base);
  ASSERT_GE(r.failures.size(), 3u);
  EXPECT_EQ(r.failures[0].layer, "2");  // x100 = 2 decades
  for (size_t i = 1; i < r.failures.size(); ++i) {
    EXPECT_GE(r.failures[i - 1].Severity(), r.failures[i].Severity());
  }
  const std::string text = FormatCheckText(r, 10);
  EXPECT_NE(text.find("FAIL"), std::string::npos);
  EXPECT_NE(text.find("+2.000 log10 (x100)"), std::string::npos) << text;
}

TEST(Check, MissingAndExtraConfigurationsFailUnlessAllowed) {
  const std::string base = LayerCsv({{"relu", {1, 1}}, {"tanh", {1, 1}}});
  const std::string now = LayerCsv({{"relu", {1, 1}}, {"elu", {1, 1}}});
  CheckResult r = Check(now, base);
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.missing_runs.size(), 1u);
  EXPECT_EQ(r.missing_runs[0], "activation=tanh");
  ASSERT_EQ(r.extra_runs.size(), 1u);
  EXPECT_EQ(r.extra_runs[0], "activation=elu act_param=1");  // empty values are left out
  CheckOptions allow;
  allow.allow_missing = true;
  EXPECT_FALSE(Check(now, base, allow).passed);
  allow.allow_extra = true;
  EXPECT_TRUE(Check(now, base, allow).passed);
}

TEST(Check, MissingLayerRowsOfAMatchedConfigurationFail) {
  const std::string base = LayerCsv({{"relu", {1, 1, 1}}});
  std::string now = base.substr(0, base.rfind('\n', base.size() - 2) + 1);  // drop layer 3
  const CheckResult r = Check(now, base);
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.missing_rows.size(), 1u);
  EXPECT_NE(r.missing_rows[0].find("layer 3"), std::string::npos);
}

TEST(Check, DuplicateRowsAndMixedKindsAreUsageErrors) {
  const std::string base = LayerCsv({{"relu", {1, 1}}});
  const std::string lines = base.substr(base.find('\n') + 1);
  EXPECT_THROW(Check(base + lines, base), UsageError);
  RunResult r;
  r.summary.verdict = "healthy";
  EXPECT_THROW(Check(SummaryCsvHeader() + SummaryCsvRow(r), base), UsageError);
  EXPECT_THROW(Check("a,b\n1,2\n", base), UsageError);
  CheckOptions options;
  options.metrics = {"no_such_metric"};
  EXPECT_THROW(Check(base, base, options), UsageError);
}

TEST(Check, LayerCsvVerdictsAreRecomputedAndUnmatchedRulesFail) {
  // relu: delta 1e-5 at layer 1, 1 at layer 3 -> vanishing; tanh: healthy.
  const std::string csv = LayerCsv({{"relu", {1e-5, 1e-2, 1}}, {"tanh", {0.5, 0.7, 1}}});
  const CsvTable table = CsvTable::Parse("c.csv", csv);
  CheckOptions options;
  options.rules = {ParseRule("activation=relu:vanishing", Columns()),
                   ParseRule("activation=tanh:healthy", Columns()),
                   MetricRule("--min-vanishing-ratio", "vanishing_ratio", ">=", 1e-3)};
  CheckResult r = RunCheck(table, nullptr, options);
  EXPECT_FALSE(r.passed);  // relu breaks --min-vanishing-ratio
  EXPECT_EQ(r.rules[0].failed, 0);
  EXPECT_EQ(r.rules[1].failed, 0);
  EXPECT_EQ(r.rules[2].failed, 1);
  options.rules.pop_back();
  EXPECT_TRUE(RunCheck(table, nullptr, options).passed);
  options.rules.push_back(ParseRule("activation=selu:healthy", Columns()));
  r = RunCheck(table, nullptr, options);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.rules.back().selected, 0);
  EXPECT_THROW(RunCheck(table, nullptr, CheckOptions{}), UsageError);  // nothing to check
}

TEST(Check, DefaultMetricsAndScales) {
  EXPECT_EQ(DefaultMetrics(true),
            (std::vector<std::string>{"delta_norm", "grad_w_norm", "saturation_frac"}));
  EXPECT_EQ(
      DefaultMetrics(false),
      (std::vector<std::string>{"vanishing_ratio", "grad_w_vanishing_ratio", "mean_saturation"}));
  for (const char* log_scale : {"delta_norm", "grad_w_norm", "vanishing_ratio", "preact_q",
                                "grad_to_weight", "decay_per_layer", "act_std"}) {
    EXPECT_TRUE(IsLogScaleMetric(log_scale)) << log_scale;
  }
  for (const char* absolute :
       {"saturation_frac", "saturated_unit_frac", "dead_frac", "mean_saturation", "preact_mean",
        "act_mean", "nonfinite", "fan_in", "fan_out"}) {
    EXPECT_FALSE(IsLogScaleMetric(absolute)) << absolute;
  }
}

TEST(Check, ChangesAreFormattedAndRankedBySeverity) {
  Deviation d;
  d.change = 2;
  d.tolerance = 0.05;
  EXPECT_EQ(FormatChange(d), "+2.000 log10 (x100)");
  EXPECT_DOUBLE_EQ(d.Severity(), 40);
  d.change = -0.30103;
  EXPECT_EQ(FormatChange(d), "-0.301 log10 (x0.5)");
  d.change = INFINITY;
  EXPECT_EQ(FormatChange(d), "from zero");
  d.change = -INFINITY;
  EXPECT_EQ(FormatChange(d), "to zero");
  d.change = NAN;
  d.baseline = 1;
  d.current = -1;
  EXPECT_EQ(FormatChange(d), "sign changed");
  EXPECT_EQ(d.Severity(), INFINITY);
  d.current = NAN;
  EXPECT_EQ(FormatChange(d), "not comparable");
  d.log_scale = false;
  d.change = 0.0123;
  d.tolerance = 0.01;
  EXPECT_EQ(FormatChange(d), "+0.0123");
  EXPECT_DOUBLE_EQ(d.Severity(), 1.23);
  d.change = 0;
  EXPECT_EQ(d.Severity(), 0);
}

// The CLI end to end: exit codes 0/1/2, and JUnit parsed back by an XML parser.
TEST(CheckCli, ExitCodesJUnitAndMarkdown) {
  const std::string dir = ScratchDir();
  const std::string base = LayerCsv({{"relu", {1e-3, 1}}, {"tanh", {1, 1}}});
  WriteText(dir + "/base.csv", base);
  WriteText(dir + "/same.csv", base);
  WriteText(dir + "/moved.csv", LayerCsv({{"relu", {1e-2, 1}}, {"tanh", {1, 1}}}));
  EXPECT_EQ(Gradflow(dir, "check same.csv --baseline base.csv --junit ok.xml"), 0);
  EXPECT_NE(ReadText(dir + "/out.txt").find("PASS"), std::string::npos);
  EXPECT_EQ(Gradflow(dir,
                     "check moved.csv --baseline base.csv --junit fail.xml --markdown fail.md "
                     "--expect 'activation=x<&>:healthy'"),
            1);
  EXPECT_NE(ReadText(dir + "/out.txt").find("delta_norm"), std::string::npos);
  EXPECT_NE(ReadText(dir + "/fail.md").find("| activation=relu | 1 | delta_norm |"),
            std::string::npos)
      << ReadText(dir + "/fail.md");
  // Parse the JUnit back: 3 test cases (2 configurations + 1 unmatched rule), 2 failures.
  const std::string parse =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as ET; r = "
      "ET.parse(sys.argv[1]).getroot(); "
      "cases = r.findall('.//testcase'); "
      "print(len(cases), sum(1 for c in cases if c.find('failure') is not None), r.get('tests'), "
      "r.get('failures'), '|'.join(c.get('name') for c in cases))\" ";
  ASSERT_EQ(Shell(parse + "'" + dir + "/fail.xml' > '" + dir + "/parsed.txt'"), 0)
      << "JUnit XML did not parse:\n"
      << ReadText(dir + "/fail.xml");
  EXPECT_EQ(ReadText(dir + "/parsed.txt"),
            "3 2 3 2 activation=relu|activation=tanh|activation=x<&>:healthy\n");
  ASSERT_EQ(Shell(parse + "'" + dir + "/ok.xml' > '" + dir + "/parsed.txt'"), 0);
  EXPECT_EQ(ReadText(dir + "/parsed.txt"), "2 0 2 0 activation=relu|activation=tanh\n");
  // Usage errors and unreadable input: 2, naming file, line and column.
  WriteText(dir + "/broken.csv", base.substr(0, base.find('\n') + 1) + "relu,1,2\n");
  EXPECT_EQ(Gradflow(dir, "check broken.csv --baseline base.csv"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("broken.csv:2:"), std::string::npos)
      << ReadText(dir + "/err.txt");
  EXPECT_EQ(Gradflow(dir, "check missing.csv --baseline base.csv"), 2);
  EXPECT_EQ(Gradflow(dir, "check same.csv --expect 'activation=relu'"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("--expect 'activation=relu'"), std::string::npos);
  EXPECT_EQ(Gradflow(dir, "check same.csv"), 2);  // nothing to check
  EXPECT_EQ(Gradflow(dir, "check same.csv --max-vanishing-ratio 2"), 0);
  EXPECT_EQ(Gradflow(dir, "check same.csv --min-vanishing-ratio 1e-2"), 1);
  EXPECT_EQ(Gradflow(dir, "check same.csv --max-saturation 0.4"), 1);
}

}  // namespace
}  // namespace gradflow
