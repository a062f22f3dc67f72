// The reports of `gradflow check`: text, JUnit XML and Markdown of hand-made results.
#include "check/check_report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gradflow {
namespace {

TEST(CheckReport, XmlEscape) {
  EXPECT_EQ(XmlEscape("a<b & \"c\" 'd'>\x01"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
}
TEST(CheckReport, XmlEscapeKeepsWhitespaceAndPlainText) {
  EXPECT_EQ(XmlEscape("plain text\tand\nlines\r"), "plain text\tand\nlines\r");
  EXPECT_EQ(XmlEscape(""), "");
}

// One failed layer value, one passing configuration, one unmatched rule.
// A configuration's case: its name, failures and number of checks.
RunCase Case(const std::string& name, std::vector<std::string> failures, int checks) {
  RunCase c;
  c.name = name;
  c.failures = std::move(failures);
  c.checks = checks;
  return c;
}

CheckResult HandMadeResult() {
  CheckResult r;
  r.has_baseline = true;
  r.current_name = "now.csv";
  r.baseline_name = "base.csv";
  r.metrics = {"delta_norm"};
  r.log10_tol = 0.05;
  r.abs_tol = 0.01;
  r.comparisons = 4;
  Deviation d;
  d.run = "activation=relu";
  d.layer = "2";
  d.metric = "delta_norm";
  d.baseline = 1;
  d.current = 100;
  d.change = 2;
  d.tolerance = 0.05;
  d.failed = true;
  r.failures = {d};
  r.rules = {{"activation=selu:healthy", 0, 0}};
  r.cases = {Case("activation=relu", {"delta_norm layer 2: +2.000 log10 (x100)"}, 2),
             Case("activation=tanh", {}, 2)};
  r.passed = false;
  return r;
}

TEST(CheckReport, TextListsFactsFailuresAndRules) {
  const std::string text = FormatCheckText(HandMadeResult(), 10);
  EXPECT_EQ(text.rfind("gradflow check: FAIL\n", 0), 0u) << text;
  EXPECT_NE(text.find("  current: now.csv (layer CSV, 2 configurations)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("compared 4 values (delta_norm): 1 out of tolerance"), std::string::npos);
  EXPECT_NE(text.find("Out of tolerance, worst first:"), std::string::npos);
  EXPECT_NE(text.find("+2.000 log10 (x100)"), std::string::npos) << text;
  EXPECT_NE(text.find("rules: 0 passed, 1 failed"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL activation=selu:healthy  (0 configurations, 0 failed; matched "
                      "nothing)"),
            std::string::npos)
      << text;
  // max_rows cuts the tables and says how many more.
  CheckResult many = HandMadeResult();
  many.failures.assign(5, many.failures.front());
  EXPECT_NE(FormatCheckText(many, 2).find("... and 3 more"), std::string::npos);
}

TEST(CheckReport, JUnitHasOneCasePerMetricAndRuleOfAConfigurationAndUnmatchedRule) {
  CheckResult r = HandMadeResult();
  MetricCase failed{"delta_norm", 2, 1, 0, true, r.failures.front(), {"layer 2 delta_norm: moved"}};
  MetricCase passed{"delta_norm", 2, 0, 0, false, Deviation{}, {}};
  r.cases[0].metrics = {failed};
  r.cases[1].metrics = {passed};
  r.cases[1].rules = {RuleCase{"*:healthy", true, false, "verdict healthy"}};
  const std::string xml = FormatCheckJUnit(r);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  // relu/delta_norm fails, tanh/delta_norm and tanh's rule pass, the unmatched rule fails.
  EXPECT_NE(
      xml.find("<testsuites name=\"gradflow check\" tests=\"4\" failures=\"2\" errors=\"0\">"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"activation=tanh\" name=\"delta_norm\" "
                     "assertions=\"2\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"change\" value=\"2\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure type=\"out-of-tolerance\" message=\"layer 2 delta_norm: moved\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"activation=tanh\" name=\"rule *:healthy\" "
                     "assertions=\"1\">\n      <properties>\n        <property "
                     "name=\"measured\" value=\"verdict healthy\"/>\n      </properties>\n    "
                     "</testcase>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"unmatched-rule\""), std::string::npos) << xml;
}

// GitHub's toolkit (actions/toolkit, command.ts): escapeData and escapeProperty.
TEST(CheckReport, GitHubEscapingIsTheToolkits) {
  EXPECT_EQ(GitHubEscapeData("50% of a\r\nb: c, d"), "50%25 of a%0D%0Ab: c, d");
  EXPECT_EQ(GitHubEscapeProperty("50% of a\r\nb: c, d"), "50%25 of a%0D%0Ab%3A c%2C d");
  EXPECT_EQ(GitHubEscapeData("%0A"), "%250A");  // not unescaped twice
  EXPECT_EQ(GitHubEscapeProperty(""), "");
}

TEST(CheckReport, GitHubAnnotationsPerFailingConfigurationAndRule) {
  CheckResult r = HandMadeResult();
  r.cases[0].file = "now,1.csv";
  r.cases[0].line = 7;
  r.cases[0].failures.push_back("100% worse: twice");
  const std::string lines = FormatCheckGitHub(r, 10);
  EXPECT_EQ(lines,
            "::error file=now%2C1.csv,line=7,title=gradflow check%3A activation=relu::delta_norm "
            "layer 2: +2.000 log10 (x100)%0A100%25 worse: twice\n"
            "::error title=gradflow check%3A rule matched nothing::rule "
            "'activation=selu:healthy' matched no configuration of now.csv\n");
  // Allowed missing configurations are warnings; max_rows caps each kind and counts the rest.
  CheckResult allowed = HandMadeResult();
  allowed.rules.clear();
  allowed.allow_missing = true;
  RunCase gone = Case("activation=elu", {}, 1);
  gone.presence = RunCase::Presence::kMissing;
  gone.file = "base.csv";
  gone.line = 3;
  allowed.cases.push_back(gone);
  allowed.cases.push_back(allowed.cases[0]);
  const std::string capped = FormatCheckGitHub(allowed, 1);
  EXPECT_EQ(capped,
            "::error title=gradflow check%3A activation=relu::delta_norm layer 2: +2.000 log10 "
            "(x100)\n"
            "::error title=gradflow check::... and 1 more failing configurations or rules "
            "(--max-rows 1)\n"
            "::warning file=base.csv,line=3,title=gradflow check%3A activation=elu::missing from "
            "now.csv (allowed by --allow-missing)\n");
}

TEST(CheckReport, FitMarkdownCutsTablesToTheBudget) {
  CheckResult r = HandMadeResult();
  r.failures.assign(200, r.failures.front());
  const std::string full = FormatCheckMarkdown(r, 100);
  EXPECT_EQ(FitMarkdown(r, 100, full.size()), full);
  const std::string cut = FitMarkdown(r, 100, full.size() - 1);
  EXPECT_LT(cut.size(), full.size());
  EXPECT_EQ(cut, FormatCheckMarkdown(r, 50));
  const std::string headline = FormatCheckMarkdown(r, 0);
  EXPECT_EQ(FitMarkdown(r, 100, headline.size()), headline);
  EXPECT_EQ(FitMarkdown(r, 100, headline.size() - 1), "");
}

TEST(CheckReport, MarkdownEscapesPipesInCells) {
  CheckResult r = HandMadeResult();
  r.failures.front().run = "activation=relu|tanh";
  const std::string md = FormatCheckMarkdown(r, 10);
  EXPECT_EQ(md.rfind("## gradflow check: FAIL :x:\n", 0), 0u) << md;
  EXPECT_NE(md.find("| activation=relu\\|tanh | 2 | delta_norm | 1 | 100 | +2.000 log10 (x100) | "
                    "0.05 log10 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `activation=selu:healthy` | 0 | 0 | FAIL (matched nothing) |"),
            std::string::npos)
      << md;
  r.passed = true;
  EXPECT_EQ(FormatCheckMarkdown(r, 10).rfind("## gradflow check: PASS :white_check_mark:", 0), 0u);
}

}  // namespace
}  // namespace gradflow
