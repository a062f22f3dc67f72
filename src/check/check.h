// `gradflow check`: compares a sweep's CSV against a baseline and checks rule
// assertions, for CI.
//
// Inputs are layer CSVs (rows matched by configuration and layer) or summary
// CSVs (matched by configuration); both files must be of the same kind. The
// configuration is the configuration columns present in both files.
//
// Tolerances suit numbers spanning many orders of magnitude: norms and ratios
// (delta_norm, grad_w_norm, vanishing_ratio, ...) compare on a log10 scale,
//   |log10(current/baseline)| <= --log10-tol     (0.05: about 12%)
// fractions, means and counts compare absolutely,
//   |current - baseline| <= --abs-tol
// and --tol METRIC=KIND:VALUE sets one metric's kind and bound: log10, abs, or
//   rel:  |current - baseline| <= VALUE * |baseline|
// Every bound is inclusive (with a relative slack of 1e-9 for rounding).
// Equal values (including both nan, or the same infinity) always pass; a
// zero against a non-zero, a nan against a number or a change of sign fails.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "check/check_rules.h"
#include "io/csv_reader.h"

namespace gradflow {

enum class ToleranceKind { kLog10, kRelative, kAbsolute };
const char* ToleranceKindName(ToleranceKind kind);  // "log10", "rel", "abs"

struct Tolerance {
  ToleranceKind kind = ToleranceKind::kLog10;
  double value = 0;
};
// Parses --tol's METRIC=KIND:VALUE (KIND: log10, rel or abs; VALUE >= 0);
// UsageError naming --tol, the text and what is allowed.
std::pair<std::string, Tolerance> ParseToleranceOption(const std::string& text);

struct CheckOptions {
  std::vector<std::string> metrics;  // empty: the defaults of the file kind
  double log10_tol = 0.05;
  double abs_tol = 0.01;
  std::map<std::string, Tolerance> tolerances;  // --tol: per metric, over the defaults
  bool allow_missing = false;  // configurations in the baseline but not in current pass
  bool allow_extra = false;    // configurations in current but not in the baseline pass
  std::vector<Rule> rules;
  // Verdicts of layer CSVs are recomputed with these (summary CSVs carry theirs).
  double vanishing_threshold = 1e-3;
  double exploding_threshold = 1e3;
};

// The default compared metrics of a layer CSV and of a summary CSV.
std::vector<std::string> DefaultMetrics(bool layer_csv);
// True if `metric` compares on a log10 scale (else absolutely).
bool IsLogScaleMetric(const std::string& metric);

// One compared value.
struct Deviation {
  std::string run;    // configuration, for people
  std::string layer;  // "" for summary CSVs
  std::string metric;
  double baseline = 0;
  double current = 0;
  double change = 0;  // log10 ratio, relative or absolute difference; nan when not comparable
  double tolerance = 0;
  ToleranceKind kind = ToleranceKind::kLog10;
  bool failed = false;
  double Severity() const;  // |change| / tolerance (inf when not comparable)
  // A broken measurement rather than a moved one: nan on one side only.
  bool IsError() const;
};

// One compared metric of a configuration, over its layers (a JUnit test case).
struct MetricCase {
  std::string metric;
  int compared = 0;
  int failed = 0;  // values out of tolerance (not errors)
  int errors = 0;  // values nan on one side, and layer rows missing from current
  bool has_worst = false;
  Deviation worst;                    // errors first, then the largest change
  std::vector<std::string> messages;  // one per failing value or missing/extra layer
};

// One rule applied to a configuration (a JUnit test case).
struct RuleCase {
  std::string rule;
  bool passed = true;
  bool error = false;    // the rule's metric is nan or not available
  std::string measured;  // "vanishing_ratio = 0.5" or "verdict healthy"
};

// A configuration: every failure about it, and its test cases.
struct RunCase {
  enum class Presence { kBoth, kMissing, kExtra };  // kMissing: baseline only; kExtra: current only
  std::string name;
  std::vector<std::string> failures;
  int checks = 0;
  std::string file;  // where its first row is: current, or the baseline when missing
  int line = 0;
  Presence presence = Presence::kBoth;
  std::vector<MetricCase> metrics;  // with a baseline: one per compared metric
  std::vector<RuleCase> rules;      // one per rule that selects it
};

struct RuleOutcome {
  std::string rule;
  int selected = 0;
  int failed = 0;
};

struct CheckResult {
  bool layer_csv = true;
  bool has_baseline = false;
  std::string current_name, baseline_name;
  std::vector<std::string> metrics;
  double log10_tol = 0, abs_tol = 0;
  std::vector<Tolerance> tolerances;  // of each metric, as compared
  size_t comparisons = 0;
  std::vector<Deviation> failures;         // out of tolerance, worst first
  std::vector<Deviation> largest_passing;  // up to 5 largest changes within tolerance
  std::vector<std::string> missing_runs;   // in the baseline only
  std::vector<std::string> extra_runs;     // in current only
  std::vector<std::string> missing_rows;   // run/layer in the baseline only (matched runs)
  std::vector<std::string> extra_rows;     // run/layer in current only (matched runs)
  bool allow_missing = false, allow_extra = false;
  std::vector<RuleOutcome> rules;
  std::vector<RunCase> cases;  // current's runs in file order, then missing ones
  bool passed = true;
};

// Runs the comparison (baseline may be null) and the rules. Throws UsageError
// for files that are not gradflow CSVs, of different kinds, lack a metric
// column, have duplicate rows or a non-numeric value, or when there is
// nothing to check.
CheckResult RunCheck(const CsvTable& current, const CsvTable* baseline,
                     const CheckOptions& options);

// "+0.123 log10 (x1.33)" or "+0.0123"; "not comparable" when change is nan.
std::string FormatChange(const Deviation& deviation);

}  // namespace gradflow
