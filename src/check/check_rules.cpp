#include "check/check_rules.h"

#include <charconv>
#include <cmath>

#include "base/error.h"
#include "base/suggest.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/csv_reader.h"

namespace gradflow {
namespace {

const std::vector<std::string> kMetrics = {"vanishing_ratio", "grad_w_vanishing_ratio",
                                           "decay_per_layer", "mean_saturation", "nonfinite"};
const std::vector<std::string> kVerdicts = {"healthy", "at_risk", "vanishing", "exploding",
                                            "nonfinite"};
const std::vector<std::string> kOps = {"<=", ">=", "!=", "<", ">", "="};  // longest first

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(
        Trim(text.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// As the CSV reader reads numbers: a value too small for a double is 0 or
// subnormal (from_chars would refuse it as out of range).
bool ParseNumber(const std::string& text, double* value) { return ParseCsvNumber(text, value); }

bool SameValue(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = 0, y = 0;
  return ParseNumber(a, &x) && ParseNumber(b, &y) && x == y;
}

[[noreturn]] void Malformed(const std::string& text, const std::string& what) {
  throw UsageError(fmt::format(
      "--expect '{}': {} (grammar: SELECTOR:EXPECTATION, e.g. "
      "'activation=relu,init=he_normal:healthy' or 'depth=20:vanishing_ratio>=1e-3'; see "
      "README.md, \"Regression checks for CI\")",
      text, what));
}

bool Compare(double value, const std::string& op, double bound) {
  if (op == "<") return value < bound;
  if (op == "<=") return value <= bound;
  if (op == ">") return value > bound;
  if (op == ">=") return value >= bound;
  if (op == "=") return value == bound;
  return value != bound;  // "!="
}

}  // namespace

const std::vector<std::string>& RuleMetrics() { return kMetrics; }
const std::vector<std::string>& Verdicts() { return kVerdicts; }

bool Rule::Selects(const RunFacts& run) const {
  for (const Condition& condition : selector) {
    const auto at = run.config.find(condition.column);
    if (at == run.config.end()) return false;
    bool any = false;
    for (const std::string& value : condition.values) any = any || SameValue(at->second, value);
    if (!any) return false;
  }
  return true;
}

bool Rule::Holds(const RunFacts& run, std::string* detail) const {
  if (!verdicts.empty()) {
    bool listed = false;
    for (const std::string& v : verdicts) listed = listed || v == run.verdict;
    *detail = "verdict " + run.verdict;
    return listed != negate;
  }
  const auto at = run.metrics.find(metric);
  if (at == run.metrics.end()) {
    *detail = metric + " is not available";
    return false;
  }
  *detail = fmt::format("{} = {}", metric, FormatNumber(at->second));
  return Compare(at->second, op, bound);
}

Rule ParseRule(const std::string& text, const std::vector<std::string>& config_columns) {
  Rule rule;
  rule.text = text;
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) Malformed(text, "no ':' between selector and expectation");
  const std::string selector = Trim(text.substr(0, colon));
  const std::string expectation = Trim(text.substr(colon + 1));
  if (selector.empty()) Malformed(text, "empty selector (write '*' for every run)");
  if (selector != "*") {
    for (const std::string& part : Split(selector, ',')) {
      const size_t eq = part.find('=');
      if (eq == std::string::npos) {
        Malformed(text, fmt::format("condition '{}' is not COLUMN=VALUE", part));
      }
      Condition condition;
      condition.column = Trim(part.substr(0, eq));
      if (std::find(config_columns.begin(), config_columns.end(), condition.column) ==
          config_columns.end()) {
        const std::string near = ClosestName(condition.column, config_columns);
        Malformed(text, fmt::format("'{}' is not a configuration column{} (columns: {})",
                                    condition.column,
                                    near.empty() ? "" : "; did you mean '" + near + "'?",
                                    JoinNames(config_columns)));
      }
      condition.values = Split(part.substr(eq + 1), '|');
      for (const std::string& value : condition.values) {
        if (value.empty()) Malformed(text, fmt::format("empty value in condition '{}'", part));
      }
      rule.selector.push_back(std::move(condition));
    }
  }
  if (expectation.empty()) Malformed(text, "empty expectation after ':'");
  for (const std::string& op : kOps) {
    const size_t at = expectation.find(op);
    if (at == std::string::npos) continue;
    rule.metric = Trim(expectation.substr(0, at));
    rule.op = op;
    const std::string number = Trim(expectation.substr(at + op.size()));
    if (std::find(kMetrics.begin(), kMetrics.end(), rule.metric) == kMetrics.end()) {
      const std::string near = ClosestName(rule.metric, kMetrics);
      Malformed(text, fmt::format("'{}' is not a metric{} (metrics: {})", rule.metric,
                                  near.empty() ? "" : "; did you mean '" + near + "'?",
                                  JoinNames(kMetrics)));
    }
    if (!ParseNumber(number, &rule.bound) || std::isnan(rule.bound)) {
      Malformed(text, fmt::format("'{}' after '{}' is not a number", number, op));
    }
    return rule;
  }
  std::string verdicts = expectation;
  if (verdicts[0] == '!') {
    rule.negate = true;
    verdicts = Trim(verdicts.substr(1));
  }
  for (const std::string& verdict : Split(verdicts, '|')) {
    if (std::find(kVerdicts.begin(), kVerdicts.end(), verdict) == kVerdicts.end()) {
      const std::string near = ClosestName(verdict, kVerdicts);
      Malformed(text, fmt::format("'{}' is neither a verdict ({}) nor METRIC OP NUMBER{}", verdict,
                                  JoinNames(kVerdicts),
                                  near.empty() ? "" : "; did you mean '" + near + "'?"));
    }
    rule.verdicts.push_back(verdict);
  }
  return rule;
}

Rule MetricRule(const std::string& option, const std::string& metric, const std::string& op,
                double bound) {
  if (std::isnan(bound)) {
    throw UsageError(fmt::format("{} must be a number, got nan", option));
  }
  Rule rule;
  rule.text =
      fmt::format("{} {} (*:{}{}{})", option, FormatNumber(bound), metric, op, FormatNumber(bound));
  rule.metric = metric;
  rule.op = op;
  rule.bound = bound;
  return rule;
}

}  // namespace gradflow
