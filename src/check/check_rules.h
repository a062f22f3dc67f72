// Rule assertions of `gradflow check` (--expect and its shorthands), checked
// against every run of a sweep without a baseline.
//
// Grammar (spaces around tokens are ignored):
//   rule        := selector ':' expectation
//   selector    := '*' | condition { ',' condition }        (all conditions must hold)
//   condition   := column '=' value { '|' value }            (any of the values)
//   expectation := [ '!' ] verdict { '|' verdict }           (the run's verdict is one of them;
//                                                              '!': none of them)
//                | metric op number
//   column      := a configuration column: activation, init, depth, width, seed, ...
//   verdict     := healthy | vanishing | exploding | nonfinite
//   metric      := vanishing_ratio | grad_w_vanishing_ratio | decay_per_layer |
//                  mean_saturation | nonfinite
//   op          := '<' | '<=' | '>' | '>=' | '=' | '!='
// Values match as text, or as numbers when both sides are numbers (gain=1 matches 1.0).
// Examples:  activation=relu,init=he_normal:healthy
//            activation=sigmoid|tanh,depth=20:vanishing_ratio<1e-2
//            *:!nonfinite
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gradflow {

// One run as rules see it.
struct RunFacts {
  std::map<std::string, std::string> config;  // configuration column -> value
  std::map<std::string, double> metrics;      // summary metric -> value
  std::string verdict;
};

struct Condition {
  std::string column;
  std::vector<std::string> values;
};

struct Rule {
  std::string text;                 // as written (or built from a shorthand option)
  std::vector<Condition> selector;  // empty: every run
  // Verdict expectation (when verdicts is non-empty).
  std::vector<std::string> verdicts;
  bool negate = false;
  // Metric expectation.
  std::string metric;
  std::string op;
  double bound = 0;

  bool Selects(const RunFacts& run) const;
  // True if the run meets the expectation; *detail says what was found.
  bool Holds(const RunFacts& run, std::string* detail) const;
};

// Parses one rule; UsageError "--expect 'TEXT': what is wrong" with the grammar's
// allowed names on a malformed rule. `config_columns` are the columns a selector may name.
Rule ParseRule(const std::string& text, const std::vector<std::string>& config_columns);

// The metrics a rule may test, and the verdicts.
const std::vector<std::string>& RuleMetrics();
const std::vector<std::string>& Verdicts();

// Shorthand options as rules on every run: e.g. MetricRule("--max-vanishing-ratio",
// "vanishing_ratio", "<=", 1e3) is '*:vanishing_ratio<=1000'.
Rule MetricRule(const std::string& option, const std::string& metric, const std::string& op,
                double bound);

}  // namespace gradflow
