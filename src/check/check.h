// `gradflow check`: compares a sweep's CSV against a baseline and checks rule
// assertions, for CI.
//
// Inputs are layer CSVs (rows matched by configuration and layer) or summary
// CSVs (matched by configuration); both files must be of the same kind. The
// configuration is the configuration columns present in both files.
//
// Tolerances suit numbers spanning many orders of magnitude: norms and ratios
// (delta_norm, grad_w_norm, vanishing_ratio, ...) compare on a log10 scale,
//   |log10|current| - log10|baseline|| <= --log10-tol     (0.05: about 12%)
// fractions, means and counts compare absolutely,
//   |current - baseline| <= --abs-tol
// Both bounds are inclusive (with a relative slack of 1e-9 for rounding).
// Equal values (including both nan, or the same infinity) always pass; a
// zero against a non-zero, a nan against a number or a change of sign fails.
#pragma once

#include <string>
#include <vector>

#include "check/check_rules.h"
#include "io/csv_reader.h"

namespace gradflow {

struct CheckOptions {
  std::vector<std::string> metrics;  // empty: the defaults of the file kind
  double log10_tol = 0.05;
  double abs_tol = 0.01;
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
  double change = 0;  // log10 ratio or difference; nan when not comparable
  double tolerance = 0;
  bool log_scale = true;
  bool failed = false;
  double Severity() const;  // |change| / tolerance (inf when not comparable)
};

// A configuration as a test case (JUnit): every failure about it.
struct RunCase {
  std::string name;
  std::vector<std::string> failures;
  int checks = 0;
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
