#include "check/check_report.h"

#include <algorithm>
#include <cmath>

#include "experiment/run_columns.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

std::string Short(double value) { return fmt::format("{:.4g}", value); }

size_t RuleFailures(const CheckResult& r) {
  size_t failed = 0;
  for (const RuleOutcome& outcome : r.rules) failed += outcome.failed > 0 || outcome.selected == 0;
  return failed;
}

std::string Tolerance(const Deviation& d) {
  return d.log_scale ? fmt::format("{} log10", Short(d.tolerance)) : Short(d.tolerance);
}

// The headline facts, one per line, each prefixed by `bullet`.
std::vector<std::string> Facts(const CheckResult& r) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("current: {} ({} CSV, {} configurations)", r.current_name,
                              r.layer_csv ? "layer" : "summary",
                              r.cases.size() - r.missing_runs.size()));
  if (r.has_baseline) {
    std::string metrics;
    for (const std::string& m : r.metrics) metrics += (metrics.empty() ? "" : ", ") + m;
    lines.push_back(fmt::format("baseline: {}", r.baseline_name));
    lines.push_back(fmt::format(
        "compared {} values ({}): {} out of tolerance (log10 tolerance {}, absolute tolerance {})",
        r.comparisons, metrics, r.failures.size(), Short(r.log10_tol), Short(r.abs_tol)));
    lines.push_back(fmt::format("missing configurations (in the baseline only): {}{}",
                                r.missing_runs.size(),
                                r.missing_runs.empty() ? ""
                                : r.allow_missing      ? " (allowed)"
                                                       : " (fails; --allow-missing accepts)"));
    lines.push_back(fmt::format("extra configurations (not in the baseline): {}{}",
                                r.extra_runs.size(),
                                r.extra_runs.empty() ? ""
                                : r.allow_extra      ? " (allowed)"
                                                     : " (fails; --allow-extra accepts)"));
    if (!r.missing_rows.empty() || !r.extra_rows.empty()) {
      lines.push_back(fmt::format("layer rows missing: {}, extra: {} (fails)",
                                  r.missing_rows.size(), r.extra_rows.size()));
    }
  }
  if (!r.rules.empty()) {
    lines.push_back(fmt::format("rules: {} passed, {} failed", r.rules.size() - RuleFailures(r),
                                RuleFailures(r)));
  }
  return lines;
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') continue;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatCheckText(const CheckResult& r, size_t max_rows) {
  std::string text = fmt::format("gradflow check: {}\n", r.passed ? "PASS" : "FAIL");
  for (const std::string& line : Facts(r)) text += "  " + line + "\n";
  auto table = [&](const char* title, const std::vector<Deviation>& rows) {
    if (rows.empty()) return;
    size_t width = 13;
    for (size_t i = 0; i < rows.size() && i < max_rows; ++i)
      width = std::max(width, rows[i].run.size());
    width = std::min<size_t>(width, 70);
    text += fmt::format("\n{}\n  {:<{}} {:>5}  {:<16} {:>11} {:>11}  {:<26} {}\n", title,
                        "configuration", width, "layer", "metric", "baseline", "current", "change",
                        "tolerance");
    for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
      const Deviation& d = rows[i];
      text += fmt::format("  {:<{}} {:>5}  {:<16} {:>11} {:>11}  {:<26} {}\n", d.run, width,
                          d.layer.empty() ? "-" : d.layer, d.metric, Short(d.baseline),
                          Short(d.current), FormatChange(d), Tolerance(d));
    }
    if (rows.size() > max_rows) text += fmt::format("  ... and {} more\n", rows.size() - max_rows);
  };
  table("Out of tolerance, worst first:", r.failures);
  if (r.failures.empty()) table("Largest changes (within tolerance):", r.largest_passing);
  auto list = [&](const char* title, const std::vector<std::string>& names) {
    if (names.empty()) return;
    text += fmt::format("\n{}\n", title);
    for (size_t i = 0; i < names.size() && i < max_rows; ++i) text += "  " + names[i] + "\n";
    if (names.size() > max_rows)
      text += fmt::format("  ... and {} more\n", names.size() - max_rows);
  };
  list("Missing configurations (in the baseline only):", r.missing_runs);
  list("Extra configurations (not in the baseline):", r.extra_runs);
  list("Missing layer rows:", r.missing_rows);
  list("Extra layer rows:", r.extra_rows);
  if (!r.rules.empty()) {
    text += "\nRules:\n";
    for (const RuleOutcome& o : r.rules) {
      const char* status = o.selected == 0 ? "FAIL" : (o.failed > 0 ? "FAIL" : "ok");
      text += fmt::format("  {:<4} {}  ({} configurations, {} failed{})\n", status, o.rule,
                          o.selected, o.failed, o.selected == 0 ? "; matched nothing" : "");
    }
    size_t shown = 0;
    for (const RunCase& c : r.cases) {
      for (const std::string& failure : c.failures) {
        if (failure.rfind("rule ", 0) != 0) continue;
        if (shown++ < max_rows) text += fmt::format("    {}: {}\n", c.name, failure);
      }
    }
    if (shown > max_rows) text += fmt::format("    ... and {} more\n", shown - max_rows);
  }
  return text;
}

std::string FormatCheckJUnit(const CheckResult& r) {
  size_t tests = r.cases.size(), failures = 0;
  for (const RunCase& c : r.cases) failures += !c.failures.empty();
  std::vector<const RuleOutcome*> unmatched;
  for (const RuleOutcome& o : r.rules) {
    if (o.selected == 0) unmatched.push_back(&o);
  }
  tests += unmatched.size();
  failures += unmatched.size();
  std::string body;
  for (const RunCase& c : r.cases) {
    body += fmt::format("    <testcase classname=\"gradflow.check\" name=\"{}\" assertions=\"{}\"",
                        XmlEscape(c.name), c.checks);
    if (c.failures.empty()) {
      body += "/>\n";
      continue;
    }
    std::string details;
    for (const std::string& f : c.failures) details += f + "\n";
    body += fmt::format(
        ">\n      <failure type=\"regression\" message=\"{}\">{}</failure>\n    </testcase>\n",
        XmlEscape(c.failures.size() == 1 ? c.failures.front()
                                         : fmt::format("{} checks failed; first: {}",
                                                       c.failures.size(), c.failures.front())),
        XmlEscape(details));
  }
  for (const RuleOutcome* o : unmatched) {
    body += fmt::format(
        "    <testcase classname=\"gradflow.check.rules\" name=\"{}\" assertions=\"0\">\n"
        "      <failure type=\"unmatched-rule\" message=\"rule matched no configuration\">rule "
        "'{}' matched no configuration of {}</failure>\n    </testcase>\n",
        XmlEscape(o->rule), XmlEscape(o->rule), XmlEscape(r.current_name));
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"gradflow check\" tests=\"{0}\" failures=\"{1}\" errors=\"0\">\n"
      "  <testsuite name=\"gradflow check {2}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"0\">\n{3}  </testsuite>\n</testsuites>\n",
      tests, failures, XmlEscape(r.current_name), body);
}

std::string FormatCheckMarkdown(const CheckResult& r, size_t max_rows) {
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::string md =
      fmt::format("## gradflow check: {}\n\n", r.passed ? "PASS :white_check_mark:" : "FAIL :x:");
  for (const std::string& line : Facts(r)) md += "- " + cell(line) + "\n";
  auto table = [&](const char* title, const std::vector<Deviation>& rows) {
    if (rows.empty()) return;
    md += fmt::format(
        "\n### {}\n\n| configuration | layer | metric | baseline | current | change | tolerance "
        "|\n|---|---:|---|---:|---:|---|---|\n",
        title);
    for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
      const Deviation& d = rows[i];
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(d.run),
                        d.layer.empty() ? "-" : d.layer, d.metric, Short(d.baseline),
                        Short(d.current), FormatChange(d), Tolerance(d));
    }
    if (rows.size() > max_rows) md += fmt::format("\n... and {} more\n", rows.size() - max_rows);
  };
  table("Out of tolerance, worst first", r.failures);
  if (r.failures.empty()) table("Largest changes (within tolerance)", r.largest_passing);
  auto list = [&](const char* title, const std::vector<std::string>& names) {
    if (names.empty()) return;
    md += fmt::format("\n### {}\n\n", title);
    for (size_t i = 0; i < names.size() && i < max_rows; ++i) md += "- `" + names[i] + "`\n";
    if (names.size() > max_rows) md += fmt::format("- ... and {} more\n", names.size() - max_rows);
  };
  list("Missing configurations", r.missing_runs);
  list("Extra configurations", r.extra_runs);
  list("Missing layer rows", r.missing_rows);
  list("Extra layer rows", r.extra_rows);
  if (!r.rules.empty()) {
    md += "\n### Rules\n\n| rule | configurations | failed | status |\n|---|---:|---:|---|\n";
    for (const RuleOutcome& o : r.rules) {
      md += fmt::format("| `{}` | {} | {} | {} |\n", cell(o.rule), o.selected, o.failed,
                        o.selected == 0 ? "FAIL (matched nothing)" : (o.failed ? "FAIL" : "ok"));
    }
  }
  return md;
}

}  // namespace gradflow
