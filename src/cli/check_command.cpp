// gradflow check: compares a sweep CSV with a baseline and checks rules, for
// CI. Exit 0 pass, 1 regression found, 2 usage error or unreadable input, 3
// the check could not finish (a report, the step summary or stdout could not
// be written).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
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
  std::vector<std::string> tol;  // --tol METRIC=KIND:VALUE
  std::string format = "text";   // text | github
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
  if (o.format != "text" && o.format != "github") {
    throw UsageError(
        fmt::format("--format: '{}' is not a report format (formats: text, github)", o.format));
  }
  for (const std::string& text : o.tol) {
    const auto [metric, tolerance] = ParseToleranceOption(text);
    if (!o.check.tolerances.emplace(metric, tolerance).second) {
      throw UsageError(fmt::format("--tol: {} given twice; give one tolerance per metric", metric));
    }
  }
}

// GitHub's limit on what one step writes to $GITHUB_STEP_SUMMARY.
constexpr size_t kStepSummaryLimit = 1 << 20;

// Appends the Markdown report to $GITHUB_STEP_SUMMARY (one write, O_APPEND:
// the file is shared by the step's commands). What the step wrote before
// counts against the 1 MiB limit: tables are cut to fit, and if even the
// headline does not fit nothing is written. Returns a note for stderr ("" if
// none); throws std::runtime_error (exit 3) when the file cannot be written.
std::string AppendStepSummary(const CheckResult& result, size_t max_rows) {
  const char* path = std::getenv("GITHUB_STEP_SUMMARY");
  if (path == nullptr || *path == '\0') return "";
  struct stat info;
  const size_t used = stat(path, &info) == 0 ? static_cast<size_t>(info.st_size) : 0;
  const size_t budget = used >= kStepSummaryLimit ? 0 : kStepSummaryLimit - used;
  const std::string md = FitMarkdown(result, max_rows, budget);
  if (md.empty()) {
    return fmt::format(
        "the step summary {} already holds {} bytes; the report does not fit GitHub's 1 MiB "
        "limit and was not added",
        path, used);
  }
  const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  size_t written = 0;
  while (fd >= 0 && written < md.size()) {
    const ssize_t n = write(fd, md.data() + written, md.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    written += static_cast<size_t>(n);
  }
  const int error = errno;
  if (fd >= 0) close(fd);
  if (written < md.size()) {
    throw std::runtime_error(
        fmt::format("cannot append to the step summary {}: {}", path, std::strerror(error)));
  }
  if (md != FormatCheckMarkdown(result, max_rows)) {
    return fmt::format(
        "the report was cut to fit GitHub's 1 MiB step summary limit (fewer table rows; the "
        "full report: --markdown FILE)");
  }
  return "";
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
  const bool github = o.format == "github";
  std::string note;
  if (github) note = AppendStepSummary(result, o.max_rows);
  if (!o.quiet && github) {
    // Annotations, a warning if the step summary was cut, and the report folded in the log.
    std::cout << FormatCheckGitHub(result, o.max_rows);
    if (!note.empty())
      std::cout << "::warning title=gradflow check::" << GitHubEscapeData(note) << "\n";
    std::cout << "::group::gradflow check report\n"
              << FormatCheckText(result, o.max_rows) << "::endgroup::\n"
              << std::flush;
  } else if (!o.quiet) {
    std::cout << FormatCheckText(result, o.max_rows) << std::flush;
  }
  if (!note.empty()) std::cerr << "gradflow check: note: " << note << "\n";
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
  app->add_option("--tol", o->tol,
                  "one metric's tolerance, METRIC=KIND:VALUE with KIND log10, rel or abs, e.g. "
                  "delta_norm=log10:0.1 (repeatable; overrides --log10-tol/--abs-tol)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
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
  app->add_option("--format", o->format,
                  "stdout: text, or github (::error/::warning annotations, the report in a "
                  "group, and the Markdown report appended to $GITHUB_STEP_SUMMARY)")
      ->capture_default_str();
  app->add_option("--junit", o->junit,
                  "write JUnit XML (a test case per metric or rule and configuration)");
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
