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
  r.cases = {{"activation=relu", {"delta_norm layer 2: +2.000 log10 (x100)"}, 2},
             {"activation=tanh", {}, 2}};
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

TEST(CheckReport, JUnitHasOneCasePerConfigurationAndUnmatchedRule) {
  const std::string xml = FormatCheckJUnit(HandMadeResult());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  // 2 configurations + 1 unmatched rule; relu's case and the rule fail.
  EXPECT_NE(
      xml.find("<testsuites name=\"gradflow check\" tests=\"3\" failures=\"2\" errors=\"0\">"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"gradflow.check\" name=\"activation=tanh\" "
                     "assertions=\"2\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"regression\" message=\"delta_norm layer 2: +2.000 log10 "
                     "(x100)\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"unmatched-rule\""), std::string::npos) << xml;
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
