// Rules of `gradflow check`: the grammar, matching, expectations and the error messages.
#include "check/check_rules.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "experiment/run_columns.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::ConfigColumnNames;

TEST(CheckRules, GrammarAndMatching) {
  const Rule verdict = ParseRule("activation=relu|elu, depth=5 : healthy", ConfigColumnNames());
  ASSERT_EQ(verdict.selector.size(), 2u);
  EXPECT_EQ(verdict.selector[0].values, (std::vector<std::string>{"relu", "elu"}));
  RunFacts facts;
  facts.config = {{"activation", "elu"}, {"depth", "5"}, {"gain", "1"}};
  facts.verdict = "vanishing";
  facts.metrics["vanishing_ratio"] = 1e-5;
  std::string detail;
  EXPECT_TRUE(verdict.Selects(facts));
  EXPECT_FALSE(verdict.Holds(facts, &detail));
  EXPECT_EQ(detail, "verdict vanishing");
  EXPECT_TRUE(ParseRule("*:!healthy|exploding", ConfigColumnNames()).Holds(facts, &detail));
  EXPECT_TRUE(
      ParseRule("gain=1.0:vanishing_ratio<1e-4", ConfigColumnNames()).Selects(facts));  // numeric
  EXPECT_TRUE(ParseRule("*:vanishing_ratio<1e-4", ConfigColumnNames()).Holds(facts, &detail));
  EXPECT_FALSE(ParseRule("*:vanishing_ratio>=1e-4", ConfigColumnNames()).Holds(facts, &detail));
  EXPECT_FALSE(ParseRule("activation=relu:healthy", ConfigColumnNames()).Selects(facts));
}

TEST(CheckRules, MalformedRulesSayWhatIsWrong) {
  auto error = [](const std::string& text) -> std::string {
    try {
      ParseRule(text, ConfigColumnNames());
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error("activation=relu").find("no ':'"), std::string::npos);
  EXPECT_NE(error("activaton=relu:healthy").find("did you mean 'activation'"), std::string::npos);
  EXPECT_NE(error("activation=relu:helthy").find("did you mean 'healthy'"), std::string::npos);
  EXPECT_NE(error("*:vanishing_ration<1").find("did you mean 'vanishing_ratio'"),
            std::string::npos);
  EXPECT_NE(error("*:vanishing_ratio<abc").find("not a number"), std::string::npos);
  EXPECT_NE(error("depth:healthy").find("COLUMN=VALUE"), std::string::npos);
  EXPECT_NE(error(":healthy").find("empty selector"), std::string::npos);
  EXPECT_NE(error("*:").find("empty expectation"), std::string::npos);
  EXPECT_EQ(error("activation=relu:healthy").rfind("", 0), 0u);
}
TEST(CheckRules, MetricsAndVerdictsAreTheDocumentedOnes) {
  EXPECT_EQ(RuleMetrics(),
            (std::vector<std::string>{"vanishing_ratio", "grad_w_vanishing_ratio",
                                      "decay_per_layer", "mean_saturation", "nonfinite"}));
  EXPECT_EQ(Verdicts(), (std::vector<std::string>{"healthy", "at_risk", "vanishing", "exploding",
                                                  "nonfinite"}));
}

TEST(CheckRules, EveryOperatorComparesAsWritten) {
  RunFacts facts;
  facts.metrics["decay_per_layer"] = 0.5;
  std::string detail;
  auto holds = [&](const std::string& expectation) {
    return ParseRule("*:" + expectation, ConfigColumnNames()).Holds(facts, &detail);
  };
  EXPECT_TRUE(holds("decay_per_layer<0.6"));
  EXPECT_FALSE(holds("decay_per_layer<0.5"));
  EXPECT_TRUE(holds("decay_per_layer<=0.5"));
  EXPECT_TRUE(holds("decay_per_layer>0.4"));
  EXPECT_FALSE(holds("decay_per_layer>0.5"));
  EXPECT_TRUE(holds("decay_per_layer >= 0.5"));  // spaces around tokens are ignored
  EXPECT_TRUE(holds("decay_per_layer=5e-1"));
  EXPECT_FALSE(holds("decay_per_layer!=0.5"));
  EXPECT_EQ(detail, "decay_per_layer = 0.5");
  const Rule rule =
      ParseRule(" depth = 5|20 , init=he_normal : ! vanishing | exploding ", ConfigColumnNames());
  ASSERT_EQ(rule.selector.size(), 2u);
  EXPECT_EQ(rule.selector[0].column, "depth");
  EXPECT_EQ(rule.selector[0].values, (std::vector<std::string>{"5", "20"}));
  EXPECT_TRUE(rule.negate);
  EXPECT_EQ(rule.verdicts, (std::vector<std::string>{"vanishing", "exploding"}));
}

TEST(CheckRules, SelectorsNeedEveryConditionAndAMissingMetricFails) {
  const Rule rule = ParseRule("activation=relu,depth=20:mean_saturation<0.1", ConfigColumnNames());
  RunFacts facts;
  facts.config = {{"activation", "relu"}, {"depth", "20.0"}};
  EXPECT_TRUE(rule.Selects(facts));  // 20 = 20.0 numerically
  facts.config["depth"] = "5";
  EXPECT_FALSE(rule.Selects(facts));
  facts.config.erase("depth");
  EXPECT_FALSE(rule.Selects(facts));  // a column the file lacks selects nothing
  std::string detail;
  EXPECT_FALSE(rule.Holds(facts, &detail));
  EXPECT_EQ(detail, "mean_saturation is not available");
}

TEST(CheckRules, MetricRuleIsAShorthandOnEveryRun) {
  const Rule rule = MetricRule("--max-vanishing-ratio", "vanishing_ratio", "<=", 1000);
  EXPECT_EQ(rule.text, "--max-vanishing-ratio 1000 (*:vanishing_ratio<=1000)");
  EXPECT_TRUE(rule.selector.empty());
  EXPECT_TRUE(rule.verdicts.empty());
  RunFacts facts;
  facts.metrics["vanishing_ratio"] = 1000;
  std::string detail;
  EXPECT_TRUE(rule.Selects(facts));
  EXPECT_TRUE(rule.Holds(facts, &detail));
  facts.metrics["vanishing_ratio"] = 1001;
  EXPECT_FALSE(rule.Holds(facts, &detail));
  EXPECT_THROW(MetricRule("--max-saturation", "mean_saturation", "<=", NAN), UsageError);
}

TEST(CheckRules, ErrorsPointToTheReadmeGrammar) {
  try {
    ParseRule("depth:healthy", ConfigColumnNames());
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("--expect 'depth:healthy': ", 0), 0u) << message;
    EXPECT_NE(message.find("README"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace gradflow

namespace gradflow {
namespace {

TEST(CheckRules, TinyBoundsAreNumbersNotErrors) {
  const std::string tiny = "0." + std::string(400, '0') + "1";
  const Rule rule = ParseRule("*:vanishing_ratio>=" + tiny, ConfigColumnNames());
  EXPECT_EQ(rule.op, ">=");
  EXPECT_EQ(rule.bound, 0.0);
  RunFacts facts;
  facts.config = {{"gain", "0"}};
  EXPECT_TRUE(ParseRule("gain=" + tiny + ":healthy", ConfigColumnNames()).Selects(facts));
}

}  // namespace
}  // namespace gradflow
