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

using testing_util::ConfigColumnNames;

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
  EXPECT_EQ(r.failures.front().kind, ToleranceKind::kAbsolute);
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
  options.rules = {ParseRule("activation=relu:vanishing", ConfigColumnNames()),
                   ParseRule("activation=tanh:healthy", ConfigColumnNames()),
                   MetricRule("--min-vanishing-ratio", "vanishing_ratio", ">=", 1e-3)};
  CheckResult r = RunCheck(table, nullptr, options);
  EXPECT_FALSE(r.passed);  // relu breaks --min-vanishing-ratio
  EXPECT_EQ(r.rules[0].failed, 0);
  EXPECT_EQ(r.rules[1].failed, 0);
  EXPECT_EQ(r.rules[2].failed, 1);
  options.rules.pop_back();
  EXPECT_TRUE(RunCheck(table, nullptr, options).passed);
  options.rules.push_back(ParseRule("activation=selu:healthy", ConfigColumnNames()));
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
  d.kind = ToleranceKind::kRelative;
  d.change = 0.25;
  EXPECT_EQ(FormatChange(d), "+0.25 rel (+25%)");
  d.kind = ToleranceKind::kAbsolute;
  d.change = 0.0123;
  d.tolerance = 0.01;
  EXPECT_EQ(FormatChange(d), "+0.0123");
  EXPECT_DOUBLE_EQ(d.Severity(), 1.23);
  d.change = 0;
  EXPECT_EQ(d.Severity(), 0);
}

// Issue 18: a log-ratio tolerance per metric (and rel/abs), e.g. for delta_norm.
TEST(Check, PerMetricTolerancesLog10RelAndAbs) {
  const std::string base = LayerCsv({{"relu", {1.2e-7, 1}}});
  const std::string now = LayerCsv({{"relu", {1.5e-7, 1}}});  // log10(1.5/1.2) = 0.0969
  CheckOptions options;
  options.metrics = {"delta_norm"};
  EXPECT_FALSE(Check(now, base, options).passed);  // default log10 0.05
  options.tolerances["delta_norm"] = ParseToleranceOption("delta_norm=log10:0.1").second;
  CheckResult r = Check(now, base, options);
  EXPECT_TRUE(r.passed);
  ASSERT_EQ(r.tolerances.size(), 1u);
  EXPECT_EQ(r.tolerances[0].kind, ToleranceKind::kLog10);
  options.tolerances["delta_norm"] = ParseToleranceOption("delta_norm=log10:0.0968").second;
  EXPECT_FALSE(Check(now, base, options).passed);
  // rel: |1.5 - 1.2| / 1.2 = 0.25 exactly at the edge passes.
  options.tolerances["delta_norm"] = ParseToleranceOption("delta_norm=rel:0.25").second;
  r = Check(now, base, options);
  EXPECT_TRUE(r.passed);
  options.tolerances["delta_norm"] = ParseToleranceOption("delta_norm=rel:0.2").second;
  r = Check(now, base, options);
  ASSERT_FALSE(r.passed);
  EXPECT_NEAR(r.failures.front().change, 0.25, 1e-12);
  EXPECT_NE(FormatCheckText(r, 5).find("delta_norm rel 0.2"), std::string::npos)
      << FormatCheckText(r, 5);
  // abs: 3e-8 is far below any sensible absolute bound: abs cannot see a 25% move.
  options.tolerances["delta_norm"] = ParseToleranceOption("delta_norm=abs:0.01").second;
  EXPECT_TRUE(Check(now, base, options).passed);
  // A tolerance for a metric not compared is a usage error.
  options.tolerances["grad_w_norm"] = ParseToleranceOption("grad_w_norm=log10:1").second;
  EXPECT_THROW(Check(now, base, options), UsageError);
}

TEST(Check, ToleranceOptionSyntax) {
  const auto [metric, tolerance] = ParseToleranceOption("loss_value=rel:5e-2");
  EXPECT_EQ(metric, "loss_value");
  EXPECT_EQ(tolerance.kind, ToleranceKind::kRelative);
  EXPECT_DOUBLE_EQ(tolerance.value, 0.05);
  for (const char* bad :
       {"delta_norm", "delta_norm=0.1", "=log10:0.1", "delta_norm=log:0.1", "delta_norm=log10:-1",
        "delta_norm=log10:nan", "delta_norm=log10:inf", "delta_norm=abs:", "delta_norm=rel:x"}) {
    EXPECT_THROW(ParseToleranceOption(bad), UsageError) << bad;
  }
}

// Issue 18: JUnit test cases per metric and configuration with properties; nan
// on one side or a missing row is an <error>, a breached tolerance a <failure>.
TEST(Check, JUnitCasesCarryPropertiesErrorsAndFailures) {
  const std::string base = LayerCsv({{"relu", {1, 1}}, {"tanh", {1, 1}}, {"elu", {1, 1}}});
  const std::string now = LayerCsv({{"relu", {100, 1}}, {"tanh", {NAN, 1}}, {"elu", {1, 1}}});
  CheckOptions options;
  options.metrics = {"delta_norm"};
  options.rules = {ParseRule("activation=elu:vanishing_ratio<=1e-3", ConfigColumnNames())};
  const CheckResult r = Check(now, base, options);
  ASSERT_EQ(r.cases.size(), 3u);
  ASSERT_EQ(r.cases[0].metrics.size(), 1u);
  EXPECT_EQ(r.cases[0].metrics[0].failed, 1);
  EXPECT_EQ(r.cases[0].metrics[0].worst.layer, "1");
  EXPECT_EQ(r.cases[1].metrics[0].errors, 1);
  EXPECT_EQ(r.cases[0].line, 2);
  EXPECT_EQ(r.cases[2].rules.size(), 1u);
  EXPECT_FALSE(r.cases[2].rules[0].passed);
  EXPECT_FALSE(r.cases[2].rules[0].error);
  const std::string xml = FormatCheckJUnit(r);
  EXPECT_NE(xml.find("tests=\"4\" failures=\"2\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"activation=relu\" name=\"delta_norm\" "
                     "assertions=\"2\">\n      <properties>\n"
                     "        <property name=\"current\" value=\"100\"/>\n"
                     "        <property name=\"baseline\" value=\"1\"/>\n"
                     "        <property name=\"tolerance\" value=\"0.05\"/>\n"
                     "        <property name=\"tolerance_kind\" value=\"log10\"/>\n"
                     "        <property name=\"change\" value=\"2\"/>\n"
                     "        <property name=\"layer\" value=\"1\"/>\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"out-of-tolerance\" message=\"layer 1 delta_norm: baseline "
                     "1, current 100, change +2.000 log10 (x100) (tolerance 0.05 log10)\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"current\" value=\"nan\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error type=\"not-comparable\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"rule activation=elu:vanishing_ratio&lt;=1e-3\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"measured\" value=\"vanishing_ratio = 1\"/>"),
            std::string::npos)
      << xml;
  // A configuration missing from current: an <error> per metric, <skipped> when allowed.
  const std::string fewer = LayerCsv({{"relu", {1, 1}}, {"tanh", {1, 1}}});
  options.rules.clear();
  std::string missing = FormatCheckJUnit(Check(fewer, base, options));
  EXPECT_NE(missing.find("<error type=\"missing\" message=\"missing from current.csv"),
            std::string::npos)
      << missing;
  options.allow_missing = true;
  missing = FormatCheckJUnit(Check(fewer, base, options));
  EXPECT_NE(missing.find("<skipped message=\"missing from current.csv (allowed by "
                         "--allow-missing)\"/>"),
            std::string::npos)
      << missing;
  EXPECT_NE(missing.find("failures=\"0\" errors=\"0\" skipped=\"1\""), std::string::npos)
      << missing;
  // A missing layer row is an error too.
  // (the same configuration, its layer 2 row cut out)
  const size_t row2 = base.find('\n', base.find('\n') + 1) + 1;
  const std::string short_run = base.substr(0, row2) + base.substr(base.find('\n', row2) + 1);
  options.allow_missing = false;
  const CheckResult cut = Check(short_run, base, options);
  EXPECT_EQ(cut.cases[0].metrics[0].errors, 1);
  // A rule on a nan metric is an <error>.
  CheckOptions rules;
  rules.rules = {ParseRule("*:vanishing_ratio<=1e3", ConfigColumnNames())};
  const std::string nan_run = LayerCsv({{"relu", {NAN, 1}}});
  const CsvTable table = CsvTable::Parse("nan.csv", nan_run);
  const CheckResult nan_rule = RunCheck(table, nullptr, rules);
  ASSERT_EQ(nan_rule.cases[0].rules.size(), 1u);
  EXPECT_TRUE(nan_rule.cases[0].rules[0].error);
  EXPECT_NE(FormatCheckJUnit(nan_rule).find("<error type=\"not-comparable\""), std::string::npos);
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
  // Parse the JUnit back: 7 test cases (2 configurations x 3 metrics + 1 unmatched rule), 3
  // failures (relu's delta_norm and grad_w_norm, the rule).
  const std::string parse =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as ET; r = "
      "ET.parse(sys.argv[1]).getroot(); "
      "cases = r.findall('.//testcase'); "
      "print(len(cases), sum(1 for c in cases if c.find('failure') is not None), r.get('tests'), "
      "r.get('failures'), '|'.join(c.get('classname') + '/' + c.get('name') for c in cases))\" ";
  ASSERT_EQ(Shell(parse + "'" + dir + "/fail.xml' > '" + dir + "/parsed.txt'"), 0)
      << "JUnit XML did not parse:\n"
      << ReadText(dir + "/fail.xml");
  EXPECT_EQ(ReadText(dir + "/parsed.txt"),
            "7 3 7 3 activation=relu/delta_norm|activation=relu/grad_w_norm|activation=relu/"
            "saturation_frac|activation=tanh/delta_norm|activation=tanh/grad_w_norm|activation="
            "tanh/saturation_frac|gradflow.check.rules/activation=x<&>:healthy\n");
  ASSERT_EQ(Shell(parse + "'" + dir + "/ok.xml' > '" + dir + "/parsed.txt'"), 0);
  EXPECT_EQ(ReadText(dir + "/parsed.txt"),
            "6 0 6 0 activation=relu/delta_norm|activation=relu/grad_w_norm|activation=relu/"
            "saturation_frac|activation=tanh/delta_norm|activation=tanh/grad_w_norm|activation="
            "tanh/saturation_frac\n");
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

// Issue 18: --format github prints workflow commands and appends the Markdown
// report to $GITHUB_STEP_SUMMARY within GitHub's 1 MiB limit.
TEST(CheckCli, GitHubFormatAnnotatesAndAppendsTheStepSummary) {
  const std::string dir = ScratchDir();
  WriteText(dir + "/base.csv", LayerCsv({{"relu", {1e-3, 1}}, {"tanh", {1, 1}}}));
  WriteText(dir + "/moved.csv", LayerCsv({{"relu", {1e-2, 1}}, {"tanh", {1, 1}}}));
  WriteText(dir + "/summary.md", "earlier step output\n");
  auto check = [&](const std::string& args) {
    return Shell("cd '" + dir +
                 "' && GITHUB_STEP_SUMMARY=summary.md '" GRADFLOW_BINARY
                 "' check moved.csv --baseline base.csv " +
                 args + " >out.txt 2>err.txt");
  };
  ASSERT_EQ(check("--format github"), 1) << ReadText(dir + "/err.txt");
  const std::string out = ReadText(dir + "/out.txt");
  EXPECT_EQ(
      out.rfind("::error file=moved.csv,line=2,title=gradflow check%3A activation=relu::layer "
                "1 delta_norm: baseline 0.001, current 0.01, change +1.000 log10 (x10) "
                "(tolerance 0.05 log10)%0Alayer 1 grad_w_norm: ",
                0),
      0u)
      << out;
  EXPECT_EQ(out.find("::error", 1), std::string::npos) << out;  // one failing configuration
  EXPECT_NE(out.find("\n::group::gradflow check report\ngradflow check: FAIL\n"),
            std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 13), "::endgroup::\n");
  const std::string summary = ReadText(dir + "/summary.md");
  EXPECT_EQ(summary.rfind("earlier step output\n## gradflow check: FAIL :x:\n", 0), 0u) << summary;
  // Without --format github the step summary is left alone.
  ASSERT_EQ(check("--format text -q"), 1);
  EXPECT_EQ(ReadText(dir + "/summary.md"), summary);
  // A step summary already near 1 MiB: the report is cut, or left out when even its headline
  // does not fit, with a warning; the exit code is the check's.
  const std::string full = summary.substr(20);
  const size_t limit = 1 << 20;
  WriteText(dir + "/summary.md", std::string(limit - full.size() + 1, 'x'));
  ASSERT_EQ(check("--format github"), 1);
  EXPECT_LE(ReadText(dir + "/summary.md").size(), limit);
  EXPECT_GT(ReadText(dir + "/summary.md").size(), limit - full.size() + 1);
  EXPECT_NE(ReadText(dir + "/out.txt").find("::warning title=gradflow check::the report was cut"),
            std::string::npos)
      << ReadText(dir + "/out.txt");
  WriteText(dir + "/summary.md", std::string(limit - 10, 'x'));
  ASSERT_EQ(check("--format github"), 1);
  EXPECT_EQ(ReadText(dir + "/summary.md").size(), limit - 10);
  EXPECT_NE(ReadText(dir + "/err.txt").find("does not fit GitHub's 1 MiB limit and was not added"),
            std::string::npos);
  // An unwritable step summary: the check could not finish (3); a bad format: usage (2).
  EXPECT_EQ(Shell("cd '" + dir +
                  "' && GITHUB_STEP_SUMMARY=/dev/full '" GRADFLOW_BINARY
                  "' check moved.csv --baseline base.csv --format github -q"),
            3);
  EXPECT_EQ(check("--format gitlab"), 2);
  EXPECT_NE(ReadText(dir + "/err.txt").find("--format: 'gitlab'"), std::string::npos);
  EXPECT_EQ(check("--tol delta_norm=log:0.1"), 2);
  EXPECT_EQ(check("--tol delta_norm=log10:1 --tol grad_w_norm=log10:1"), 0);
}

}  // namespace
}  // namespace gradflow
