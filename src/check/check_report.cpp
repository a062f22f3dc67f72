#include "check/check_report.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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

std::string ToleranceText(const Deviation& d) {
  return fmt::format("{} {}", Short(d.tolerance), ToleranceKindName(d.kind));
}

// "(delta_norm log10 0.05, saturation_frac abs 0.01)", or the two defaults.
std::string Tolerances(const CheckResult& r) {
  if (r.tolerances.size() != r.metrics.size()) {
    return fmt::format("log10 tolerance {}, absolute tolerance {}", Short(r.log10_tol),
                       Short(r.abs_tol));
  }
  std::string text = "tolerances";
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    text += fmt::format("{}{} {} {}", m == 0 ? ": " : ", ", r.metrics[m],
                        ToleranceKindName(r.tolerances[m].kind), Short(r.tolerances[m].value));
  }
  return text;
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
    lines.push_back(fmt::format("compared {} values ({}): {} out of tolerance ({})", r.comparisons,
                                metrics, r.failures.size(), Tolerances(r)));
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
                          Short(d.current), FormatChange(d), ToleranceText(d));
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

namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;

// One <testcase>: outcome "" (passed), "failure", "error" or "skipped".
struct JUnitCase {
  std::string classname, name;
  int assertions = 0;
  Properties properties;
  std::string outcome, type, message, details;
};

std::string JUnitCaseXml(const JUnitCase& c) {
  std::string xml = fmt::format("    <testcase classname=\"{}\" name=\"{}\" assertions=\"{}\"",
                                XmlEscape(c.classname), XmlEscape(c.name), c.assertions);
  if (c.properties.empty() && c.outcome.empty()) return xml + "/>\n";
  xml += ">\n";
  if (!c.properties.empty()) {
    xml += "      <properties>\n";
    for (const auto& [name, value] : c.properties) {
      xml += fmt::format("        <property name=\"{}\" value=\"{}\"/>\n", XmlEscape(name),
                         XmlEscape(value));
    }
    xml += "      </properties>\n";
  }
  if (c.outcome == "skipped") {
    xml += fmt::format("      <skipped message=\"{}\"/>\n", XmlEscape(c.message));
  } else if (!c.outcome.empty()) {
    xml += fmt::format("      <{0} type=\"{1}\" message=\"{2}\">{3}</{0}>\n", c.outcome, c.type,
                       XmlEscape(c.message), XmlEscape(c.details));
  }
  return xml + "    </testcase>\n";
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// A compared metric of a configuration: its worst value as properties.
JUnitCase MetricJUnitCase(const CheckResult& r, const RunCase& run, const MetricCase& m) {
  JUnitCase c{run.name, m.metric, m.compared, {}, "", "", "", ""};
  if (m.has_worst) {
    const Deviation& d = m.worst;
    c.properties = {{"current", FormatNumber(d.current)},
                    {"baseline", FormatNumber(d.baseline)},
                    {"tolerance", FormatNumber(d.tolerance)},
                    {"tolerance_kind", ToleranceKindName(d.kind)},
                    {"change", FormatNumber(d.change)}};
    if (r.layer_csv) {
      c.properties.push_back({"layer", d.layer});
      c.properties.push_back({"layers_compared", std::to_string(m.compared)});
    }
  }
  const bool missing = run.presence == RunCase::Presence::kMissing;
  const bool extra = run.presence == RunCase::Presence::kExtra;
  if ((missing && r.allow_missing) || (extra && r.allow_extra)) {
    c.outcome = "skipped";
    c.message =
        missing ? fmt::format("missing from {} (allowed by --allow-missing)", r.current_name)
                : fmt::format("not in the baseline {} (allowed by --allow-extra)", r.baseline_name);
  } else if (missing || extra) {
    c.outcome = missing ? "error" : "failure";
    c.type = missing ? "missing" : "not-in-baseline";
    c.message = run.failures.empty() ? "" : run.failures.front();
    c.details = c.message;
  } else if (m.errors > 0 || m.failed > 0) {
    c.outcome = m.errors > 0 ? "error" : "failure";
    c.type = m.errors > 0 ? "not-comparable" : "out-of-tolerance";
    const size_t n = m.messages.size();
    c.message = n == 1 ? m.messages.front()
                       : fmt::format("{} values failed; first: {}", n, m.messages.front());
    c.details = JoinLines(m.messages);
  }
  return c;
}

}  // namespace

std::string FormatCheckJUnit(const CheckResult& r) {
  std::vector<JUnitCase> cases;
  for (const RunCase& run : r.cases) {
    for (const MetricCase& m : run.metrics) cases.push_back(MetricJUnitCase(r, run, m));
    for (const RuleCase& rule : run.rules) {
      JUnitCase c{run.name, "rule " + rule.rule, 1, {{"measured", rule.measured}}, "", "", "", ""};
      if (!rule.passed) {
        c.outcome = rule.error ? "error" : "failure";
        c.type = rule.error ? "not-comparable" : "rule";
        c.message = fmt::format("rule '{}' failed: {}", rule.rule, rule.measured);
        c.details = c.message;
      }
      cases.push_back(std::move(c));
    }
  }
  for (const RuleOutcome& o : r.rules) {
    if (o.selected > 0) continue;
    cases.push_back(
        {"gradflow.check.rules",
         o.rule,
         0,
         {},
         "failure",
         "unmatched-rule",
         "rule matched no configuration",
         fmt::format("rule '{}' matched no configuration of {}", o.rule, r.current_name)});
  }
  size_t failures = 0, errors = 0, skipped = 0;
  std::string body;
  for (const JUnitCase& c : cases) {
    failures += c.outcome == "failure";
    errors += c.outcome == "error";
    skipped += c.outcome == "skipped";
    body += JUnitCaseXml(c);
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"gradflow check\" tests=\"{0}\" failures=\"{1}\" errors=\"{2}\">\n"
      "  <testsuite name=\"gradflow check {4}\" tests=\"{0}\" failures=\"{1}\" errors=\"{2}\" "
      "skipped=\"{3}\">\n{5}  </testsuite>\n</testsuites>\n",
      cases.size(), failures, errors, skipped, XmlEscape(r.current_name), body);
}

namespace {

// `text` with each character that has an escape replaced by it.
std::string Escaped(const std::string& text, const std::vector<std::pair<char, const char*>>& map) {
  std::string out;
  for (char c : text) {
    const auto at =
        std::find_if(map.begin(), map.end(), [c](const auto& e) { return e.first == c; });
    if (at == map.end()) {
      out += c;
    } else {
      out += at->second;
    }
  }
  return out;
}

}  // namespace

std::string GitHubEscapeData(const std::string& text) {
  return Escaped(text, {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}});
}

std::string GitHubEscapeProperty(const std::string& text) {
  return Escaped(text, {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}, {':', "%3A"}, {',', "%2C"}});
}

std::string GitHubCommand(const std::string& command, const Properties& properties,
                          const std::string& message) {
  std::string line = "::" + command;
  for (size_t i = 0; i < properties.size(); ++i) {
    line += (i == 0 ? " " : ",") + properties[i].first + "=" +
            GitHubEscapeProperty(properties[i].second);
  }
  return line + "::" + GitHubEscapeData(message) + "\n";
}

std::string FormatCheckGitHub(const CheckResult& r, size_t max_rows) {
  std::string errors, warnings;
  size_t error_count = 0, warning_count = 0;
  auto where = [](const RunCase& c, const std::string& title) {
    Properties p;
    if (!c.file.empty()) p.push_back({"file", c.file});
    if (c.line > 0) p.push_back({"line", std::to_string(c.line)});
    p.push_back({"title", title});
    return p;
  };
  for (const RunCase& c : r.cases) {
    const bool allowed = (c.presence == RunCase::Presence::kMissing && r.allow_missing) ||
                         (c.presence == RunCase::Presence::kExtra && r.allow_extra);
    if (!c.failures.empty()) {
      if (error_count++ < max_rows) {
        errors += GitHubCommand("error", where(c, "gradflow check: " + c.name),
                                JoinLines(c.failures).substr(0, JoinLines(c.failures).size() - 1));
      }
    } else if (allowed) {
      if (warning_count++ < max_rows) {
        warnings += GitHubCommand(
            "warning", where(c, "gradflow check: " + c.name),
            c.presence == RunCase::Presence::kMissing
                ? fmt::format("missing from {} (allowed by --allow-missing)", r.current_name)
                : fmt::format("not in the baseline {} (allowed by --allow-extra)",
                              r.baseline_name));
      }
    }
  }
  for (const RuleOutcome& o : r.rules) {
    if (o.selected > 0) continue;
    if (error_count++ < max_rows) {
      errors += GitHubCommand(
          "error", {{"title", "gradflow check: rule matched nothing"}},
          fmt::format("rule '{}' matched no configuration of {}", o.rule, r.current_name));
    }
  }
  if (error_count > max_rows) {
    errors +=
        GitHubCommand("error", {{"title", "gradflow check"}},
                      fmt::format("... and {} more failing configurations or rules (--max-rows {})",
                                  error_count - max_rows, max_rows));
  }
  if (warning_count > max_rows) {
    warnings += GitHubCommand("warning", {{"title", "gradflow check"}},
                              fmt::format("... and {} more allowed missing or extra configurations",
                                          warning_count - max_rows));
  }
  return errors + warnings;
}

std::string FitMarkdown(const CheckResult& r, size_t max_rows, size_t budget) {
  for (size_t rows = max_rows;; rows /= 2) {
    const std::string md = FormatCheckMarkdown(r, rows);
    if (md.size() <= budget) return md;
    if (rows == 0) return "";
  }
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
                        Short(d.current), FormatChange(d), ToleranceText(d));
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
