// gradflow check: compares a sweep CSV with a baseline and checks rules, for
// CI. Exit 0 pass, 1 regression found, 2 usage error or unreadable input, 3
// the check could not finish (a report or stdout could not be written).
#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include "base/error.h"
#include "check/check.h"
#include "check/check_report.h"
#include "cli/commands.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/csv_reader.h"
#include "io/output_paths.h"

namespace gradflow::cli {
namespace {

struct CheckCliOptions {
  std::string current;
  std::string baseline;
  CheckOptions check;
  std::vector<std::string> expect;
  std::string metrics;  // --metrics as written: names separated by commas
  CLI::Option* metrics_option = nullptr;
  double max_vanishing_ratio = 0, min_vanishing_ratio = 0, max_saturation = 0;
  CLI::Option* max_vanishing_option = nullptr;
  CLI::Option* min_vanishing_option = nullptr;
  CLI::Option* max_saturation_option = nullptr;
  std::string junit;
  std::string markdown;
  size_t max_rows = 30;
  bool quiet = false;
  std::string config_path;  // --config FILE, which no report may overwrite
};

// The option checks `run` makes of the same values, and empty list items.
void ValidateCheckOptions(CheckCliOptions& o) {
  const double vanishing = o.check.vanishing_threshold, exploding = o.check.exploding_threshold;
  if (!(vanishing > 0 && vanishing <= exploding && std::isfinite(exploding))) {
    throw UsageError(fmt::format(
        "--vanishing-threshold ({}) must be > 0 and <= --exploding-threshold ({}), both finite",
        vanishing, exploding));
  }
  if (o.metrics_option->count() > 0) {
    // Split here, not by CLI11, which drops empty items ("a,,b" would pass).
    std::stringstream list(o.metrics);
    std::string metric;
    while (std::getline(list, metric, ',')) {
      if (metric.empty()) {
        throw UsageError(fmt::format(
            "--metrics: empty name in '{}' (write names separated by single commas)", o.metrics));
      }
      o.check.metrics.push_back(metric);
    }
    if (o.metrics.empty() || o.metrics.back() == ',') {
      throw UsageError(fmt::format(
          "--metrics: empty name in '{}' (write names separated by single commas)", o.metrics));
    }
  }
  if (o.current.empty()) throw UsageError("check: the CSV file name is empty");
}

int Check(CheckCliOptions& o) {
  ValidateCheckOptions(o);
  std::vector<std::string> columns;
  for (const Column<RunConfig>& column : ConfigColumns()) columns.push_back(column.name);
  for (const std::string& text : o.expect) o.check.rules.push_back(ParseRule(text, columns));
  if (o.max_vanishing_option->count() > 0) {
    o.check.rules.push_back(
        MetricRule("--max-vanishing-ratio", "vanishing_ratio", "<=", o.max_vanishing_ratio));
  }
  if (o.min_vanishing_option->count() > 0) {
    o.check.rules.push_back(
        MetricRule("--min-vanishing-ratio", "vanishing_ratio", ">=", o.min_vanishing_ratio));
  }
  if (o.max_saturation_option->count() > 0) {
    o.check.rules.push_back(
        MetricRule("--max-saturation", "mean_saturation", "<=", o.max_saturation));
  }
  CheckWritable("--junit", o.junit);
  CheckWritable("--markdown", o.markdown);
  CheckDistinctPaths({{"--junit", o.junit}, {"--markdown", o.markdown}},
                     {{"CSV", o.current}, {"--baseline", o.baseline}, {"--config", o.config_path}});
  const CsvTable current = CsvTable::Read(o.current);
  std::unique_ptr<CsvTable> baseline;
  if (!o.baseline.empty()) baseline = std::make_unique<CsvTable>(CsvTable::Read(o.baseline));
  const CheckResult result = RunCheck(current, baseline.get(), o.check);
  if (!o.quiet) std::cout << FormatCheckText(result, o.max_rows) << std::flush;
  if (!o.junit.empty()) WriteAtomically(o.junit, FormatCheckJUnit(result));
  if (!o.markdown.empty()) WriteAtomically(o.markdown, FormatCheckMarkdown(result, o.max_rows));
  return result.passed ? kExitOk : kExitFailure;
}

}  // namespace

std::function<int()> SetupCheck(CLI::App* app) {
  auto o = std::make_shared<CheckCliOptions>();
  app->add_option("current", o->current, "the CSV to check (sweep layer CSV or summary CSV)")
      ->required();
  app->add_option("-b,--baseline", o->baseline, "baseline CSV of the same kind to compare with");
  o->metrics_option =
      app->add_option("--metrics", o->metrics,
                      "columns to compare (default: delta_norm,grad_w_norm,saturation_frac for "
                      "layer CSVs; vanishing_ratio,grad_w_vanishing_ratio,mean_saturation for "
                      "summary CSVs)")
          ->type_name("LIST");
  app->add_option("--log10-tol", o->check.log10_tol,
                  "norms and ratios pass when |log10(current/baseline)| <= this")
      ->capture_default_str();
  app->add_option("--abs-tol", o->check.abs_tol,
                  "fractions, means and counts pass when |current - baseline| <= this")
      ->capture_default_str();
  app->add_flag("--allow-missing", o->check.allow_missing,
                "configurations of the baseline missing from current do not fail");
  app->add_flag("--allow-extra", o->check.allow_extra,
                "configurations not in the baseline do not fail");
  app->add_option("-e,--expect", o->expect,
                  "rule SELECTOR:EXPECTATION, e.g. 'activation=relu,init=he_normal:healthy' "
                  "(repeatable; grammar in README.md, \"Regression checks for CI\")")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  o->max_vanishing_option = app->add_option("--max-vanishing-ratio", o->max_vanishing_ratio,
                                            "every run: vanishing_ratio <= this");
  o->min_vanishing_option = app->add_option("--min-vanishing-ratio", o->min_vanishing_ratio,
                                            "every run: vanishing_ratio >= this");
  o->max_saturation_option =
      app->add_option("--max-saturation", o->max_saturation, "every run: mean_saturation <= this");
  app->add_option("--vanishing-threshold", o->check.vanishing_threshold,
                  "layer CSVs: verdict 'vanishing' below this ratio (as in run)")
      ->capture_default_str();
  app->add_option("--exploding-threshold", o->check.exploding_threshold,
                  "layer CSVs: verdict 'exploding' above this ratio (as in run)")
      ->capture_default_str();
  app->add_option("--junit", o->junit, "write JUnit XML (one test case per configuration)");
  app->add_option("--markdown", o->markdown, "write a Markdown report (pull-request comment)");
  app->add_option("--max-rows", o->max_rows, "rows per table in the reports")
      ->capture_default_str();
  app->add_flag("-q,--quiet", o->quiet, "no report on stdout (exit code only)");
  return [o, app] {
    o->config_path = ConfigPathOf(app);
    return Check(*o);
  };
}

}  // namespace gradflow::cli
