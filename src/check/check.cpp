#include "check/check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "base/error.h"
#include "engine/summary.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "io/csv_writer.h"

namespace gradflow {
namespace {

// Metrics compared absolutely: fractions in [0, 1], signed means, counts and the loss.
const std::set<std::string> kAbsoluteMetrics = {"saturation_frac",
                                                "saturated_unit_frac",
                                                "dead_frac",
                                                "mean_saturation",
                                                "preact_mean",
                                                "act_mean",
                                                "nonfinite",
                                                "loss",
                                                "fan_in",
                                                "fan_out",
                                                "input_same_sign_frac",
                                                "grad_w_sign_agreement"};

bool IsLayerCsv(const CsvTable& t) {
  return t.ColumnIndex("layer") >= 0 && t.ColumnIndex("delta_norm") >= 0;
}
bool IsSummaryCsv(const CsvTable& t) {
  return t.ColumnIndex("vanishing_ratio") >= 0 && t.ColumnIndex("verdict") >= 0;
}

bool KindOf(const CsvTable& t) {
  if (IsLayerCsv(t)) return true;
  if (IsSummaryCsv(t)) return false;
  throw UsageError(fmt::format(
      "{}: not a gradflow layer CSV (columns layer, delta_norm, ...) or summary CSV (columns "
      "vanishing_ratio, verdict, ...)",
      t.name()));
}

struct Run {
  std::string key;                  // key column values as CSV fields joined by ','
  std::vector<std::string> config;  // key column values
  std::vector<size_t> rows;         // table rows, file order
  std::string name;                 // for people
};

// A table split into runs, with its key columns.
struct Parsed {
  const CsvTable* csv = nullptr;
  std::vector<int> key_columns;
  std::vector<Run> runs;
  std::unordered_map<std::string, size_t> index;  // key -> runs[i]
};

Parsed Parse(const CsvTable& table, const std::vector<std::string>& key_names, bool layer_csv) {
  Parsed parsed;
  parsed.csv = &table;
  for (const std::string& name : key_names) parsed.key_columns.push_back(table.RequireColumn(name));
  const int layer_column = layer_csv ? table.RequireColumn("layer") : -1;
  std::unordered_map<std::string, size_t> first_line;  // row key -> line
  for (size_t r = 0; r < table.rows().size(); ++r) {
    const CsvRow& row = table.rows()[r];
    CsvLine key_fields;  // as CSV fields, so a value holding a comma stays one value
    std::vector<std::string> config;
    for (int column : parsed.key_columns) {
      key_fields.AddField(row.field(column));
      config.emplace_back(row.field(column));
    }
    const std::string& key = key_fields.Fields();
    const std::string row_key = layer_csv ? key + "|" + std::string(row.field(layer_column)) : key;
    const auto [seen, added] = first_line.emplace(row_key, row.line);
    if (!added) {
      throw UsageError(fmt::format("{}:{}:1: duplicate row: the same configuration{} as line {}",
                                   table.name(), row.line, layer_csv ? " and layer" : "",
                                   seen->second));
    }
    const auto [at, is_new] = parsed.index.emplace(key, parsed.runs.size());
    if (is_new) parsed.runs.push_back(Run{key, config, {}, ""});
    parsed.runs[at->second].rows.push_back(r);
  }
  return parsed;
}

// The facts rules test: from the summary row, or recomputed from the layer rows.
RunFacts Facts(const Parsed& parsed, const Run& run, const std::vector<std::string>& key_names,
               bool layer_csv, const CheckOptions& options) {
  const CsvTable& t = *parsed.csv;
  RunFacts facts;
  for (size_t i = 0; i < key_names.size(); ++i) facts.config[key_names[i]] = run.config[i];
  if (!layer_csv) {
    const size_t r = run.rows.front();
    for (const std::string& metric : RuleMetrics()) {
      const int c = t.ColumnIndex(metric);
      if (c >= 0) facts.metrics[metric] = t.Number(r, c);
    }
    facts.verdict = t.rows()[r].field(t.RequireColumn("verdict"));
    return facts;
  }
  const int layer = t.RequireColumn("layer"), kind = t.ColumnIndex("kind");
  const int delta = t.RequireColumn("delta_norm"), grad_w = t.RequireColumn("grad_w_norm");
  const int saturation = t.RequireColumn("saturation_frac");
  const int nonfinite = t.RequireColumn("nonfinite");
  std::vector<std::pair<double, LayerMetrics>> hidden, head;
  for (size_t r : run.rows) {
    LayerMetrics m;
    // Integers checked, not cast: a layer of 1e300 or a nonfinite count of
    // "nan" would otherwise turn into arbitrary numbers (or 0: healthy).
    const auto l = static_cast<double>(t.Integer(r, layer, 0, std::numeric_limits<int>::max()));
    m.layer = static_cast<int>(l);
    m.delta_norm = t.Number(r, delta);
    m.grad_w_norm = t.Number(r, grad_w);
    m.saturation_frac = t.Number(r, saturation);
    m.nonfinite = t.Integer(r, nonfinite, 0, std::numeric_limits<int64_t>::max());
    const bool is_head = kind >= 0 && t.rows()[r].field(kind) == "head";
    (is_head ? head : hidden).emplace_back(l, m);
  }
  if (hidden.empty()) {
    throw UsageError(fmt::format("{}:{}: configuration {} has no hidden layer rows", t.name(),
                                 t.rows()[run.rows.front()].line, run.name));
  }
  auto by_layer = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(hidden.begin(), hidden.end(), by_layer);
  std::vector<LayerMetrics> layers;
  for (auto& [l, m] : hidden) layers.push_back(m);
  for (auto& [l, m] : head) layers.push_back(m);
  RunConfig config;
  config.depth = static_cast<int>(hidden.size());
  config.vanishing_threshold = options.vanishing_threshold;
  config.exploding_threshold = options.exploding_threshold;
  const RunSummary s = Summarise(config, layers, NAN);
  facts.metrics = {{"vanishing_ratio", s.vanishing_ratio},
                   {"grad_w_vanishing_ratio", s.grad_w_vanishing_ratio},
                   {"decay_per_layer", s.decay_per_layer},
                   {"mean_saturation", s.mean_saturation},
                   {"nonfinite", static_cast<double>(s.nonfinite)}};
  facts.verdict = s.verdict;
  return facts;
}

// Names runs by the key columns whose values vary across all runs of both files.
void NameRuns(const std::vector<std::string>& key_names, std::vector<Parsed*> files) {
  std::vector<bool> varies(key_names.size(), false);
  const Run* first = nullptr;
  for (Parsed* p : files) {
    for (const Run& run : p->runs) {
      if (first == nullptr) first = &run;
      for (size_t i = 0; i < key_names.size(); ++i) {
        varies[i] = varies[i] || run.config[i] != first->config[i];
      }
    }
  }
  if (std::none_of(varies.begin(), varies.end(), [](bool v) { return v; })) {
    for (size_t i = 0; i < key_names.size(); ++i) {
      for (const char* name : {"activation", "init", "depth", "width", "seed"}) {
        varies[i] = varies[i] || key_names[i] == name;
      }
    }
  }
  for (Parsed* p : files) {
    for (Run& run : p->runs) {
      for (size_t i = 0; i < key_names.size(); ++i) {
        if (!varies[i] || run.config[i].empty()) continue;
        if (!run.name.empty()) run.name += ' ';
        run.name += key_names[i] + "=" + run.config[i];
      }
      if (run.name.empty()) run.name = run.key;
    }
  }
}

void Compare(double baseline, double current, const Tolerance& tolerance, Deviation* d) {
  d->baseline = baseline;
  d->current = current;
  d->kind = tolerance.kind;
  d->tolerance = tolerance.value;
  const bool log_scale = tolerance.kind == ToleranceKind::kLog10;
  if (baseline == current || (std::isnan(baseline) && std::isnan(current))) {
    d->change = 0;
  } else if (std::isnan(baseline) || std::isnan(current) || std::isinf(baseline) ||
             std::isinf(current)) {
    d->change = NAN;
  } else if (log_scale) {
    const bool same_sign = (baseline > 0) == (current > 0) && baseline != 0 && current != 0;
    // change = log10|current| - log10|baseline|
    d->change = same_sign
                    ? std::log10(std::fabs(current)) - std::log10(std::fabs(baseline))
                    : (baseline == 0 || current == 0 ? (current == 0 ? -INFINITY : INFINITY) : NAN);
  } else if (tolerance.kind == ToleranceKind::kRelative) {
    // change = (current - baseline) / |baseline|; from zero it is infinite
    d->change = baseline == 0 ? (current > 0 ? INFINITY : -INFINITY)
                              : (current - baseline) / std::fabs(baseline);
  } else {
    d->change = current - baseline;
  }
  d->failed = std::isnan(d->change) || std::fabs(d->change) > tolerance.value * (1 + 1e-9);
}

// True if a is worse than b: an error before a moved value, then by severity.
bool Worse(const Deviation& a, const Deviation& b) {
  if (a.IsError() != b.IsError()) return a.IsError();
  return a.Severity() > b.Severity();
}

// The run's metric cases, one per compared metric, with a message for every
// value: a missing or extra layer.
void AddToMetricCases(RunCase* run_case, bool error, const std::string& message) {
  for (MetricCase& m : run_case->metrics) {
    ++(error ? m.errors : m.failed);
    m.messages.push_back(message);
  }
}

std::vector<MetricCase> MetricCases(const std::vector<std::string>& metrics) {
  std::vector<MetricCase> cases;
  for (const std::string& metric : metrics) {
    MetricCase c;
    c.metric = metric;
    cases.push_back(c);
  }
  return cases;
}

}  // namespace

bool Deviation::IsError() const { return std::isnan(baseline) != std::isnan(current); }

const char* ToleranceKindName(ToleranceKind kind) {
  switch (kind) {
    case ToleranceKind::kLog10:
      return "log10";
    case ToleranceKind::kRelative:
      return "rel";
    case ToleranceKind::kAbsolute:
      return "abs";
  }
  return "log10";
}

std::pair<std::string, Tolerance> ParseToleranceOption(const std::string& text) {
  const size_t eq = text.find('='), colon = text.find(':', eq == std::string::npos ? 0 : eq);
  const std::string usage =
      "write METRIC=KIND:VALUE with KIND log10 (|log10(current/baseline)| <= VALUE), rel "
      "(|current - baseline| <= VALUE * |baseline|) or abs (|current - baseline| <= VALUE), "
      "e.g. delta_norm=log10:0.1";
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos) {
    throw UsageError(fmt::format("--tol: '{}' is not METRIC=KIND:VALUE; {}", text, usage));
  }
  const std::string metric = text.substr(0, eq), kind = text.substr(eq + 1, colon - eq - 1);
  Tolerance tolerance;
  bool known = false;
  for (ToleranceKind k :
       {ToleranceKind::kLog10, ToleranceKind::kRelative, ToleranceKind::kAbsolute}) {
    if (kind == ToleranceKindName(k)) {
      tolerance.kind = k;
      known = true;
    }
  }
  if (!known) {
    throw UsageError(
        fmt::format("--tol: '{}' in '{}' is not a tolerance kind; {}", kind, text, usage));
  }
  const std::string value = text.substr(colon + 1);
  if (!ParseCsvNumber(value, &tolerance.value) || !(tolerance.value >= 0) ||
      std::isinf(tolerance.value)) {
    throw UsageError(
        fmt::format("--tol: '{}' in '{}' is not a finite number >= 0; {}", value, text, usage));
  }
  return {metric, tolerance};
}

double Deviation::Severity() const {
  if (std::isnan(change)) return INFINITY;
  if (change == 0) return 0;
  return tolerance > 0 ? std::fabs(change) / tolerance : INFINITY;
}

std::vector<std::string> DefaultMetrics(bool layer_csv) {
  if (layer_csv) return {"delta_norm", "grad_w_norm", "saturation_frac"};
  return {"vanishing_ratio", "grad_w_vanishing_ratio", "mean_saturation"};
}

bool IsLogScaleMetric(const std::string& metric) { return kAbsoluteMetrics.count(metric) == 0; }

CheckResult RunCheck(const CsvTable& current, const CsvTable* baseline,
                     const CheckOptions& options) {
  if (baseline == nullptr && options.rules.empty()) {
    throw UsageError(
        "nothing to check: give --baseline FILE and/or rules (--expect, "
        "--max-vanishing-ratio, --min-vanishing-ratio, --max-saturation)");
  }
  if (!(options.log10_tol >= 0) || !(options.abs_tol >= 0)) {
    throw UsageError(fmt::format("--log10-tol and --abs-tol must be >= 0, got {} and {}",
                                 options.log10_tol, options.abs_tol));
  }
  if (baseline == nullptr && !options.tolerances.empty()) {
    throw UsageError("--tol sets the tolerance of a comparison with --baseline; give --baseline");
  }
  CheckResult result;
  result.layer_csv = KindOf(current);
  result.current_name = current.name();
  result.has_baseline = baseline != nullptr;
  result.log10_tol = options.log10_tol;
  result.abs_tol = options.abs_tol;
  result.allow_missing = options.allow_missing;
  result.allow_extra = options.allow_extra;
  if (baseline != nullptr) {
    result.baseline_name = baseline->name();
    if (KindOf(*baseline) != result.layer_csv) {
      throw UsageError(
          fmt::format("{} is a {} CSV but the baseline {} is a {} CSV; compare like "
                      "with like",
                      current.name(), result.layer_csv ? "layer" : "summary", baseline->name(),
                      result.layer_csv ? "summary" : "layer"));
    }
  }
  // Key: the configuration columns both files have.
  std::vector<std::string> key_names;
  for (const Column<RunConfig>& column : ConfigColumns()) {
    if (current.ColumnIndex(column.name) >= 0 &&
        (baseline == nullptr || baseline->ColumnIndex(column.name) >= 0)) {
      key_names.push_back(column.name);
    }
  }
  if (key_names.empty()) {
    throw UsageError(
        fmt::format("{}: no configuration columns (activation, init, depth, ...)", current.name()));
  }
  Parsed now = Parse(current, key_names, result.layer_csv);
  Parsed base;
  if (baseline != nullptr) base = Parse(*baseline, key_names, result.layer_csv);
  NameRuns(key_names,
           baseline != nullptr ? std::vector<Parsed*>{&now, &base} : std::vector<Parsed*>{&now});
  for (const Run& run : now.runs) {
    RunCase run_case;
    run_case.name = run.name;
    run_case.file = current.name();
    run_case.line = current.rows()[run.rows.front()].line;
    result.cases.push_back(std::move(run_case));
  }

  // Baseline comparison.
  if (baseline != nullptr) {
    result.metrics = options.metrics.empty() ? DefaultMetrics(result.layer_csv) : options.metrics;
    std::vector<std::pair<int, int>> metric_columns;  // (current, baseline)
    std::vector<Tolerance> tolerances;
    for (const std::string& metric : result.metrics) {
      metric_columns.emplace_back(current.RequireColumn(metric), baseline->RequireColumn(metric));
      const auto given = options.tolerances.find(metric);
      tolerances.push_back(given != options.tolerances.end() ? given->second
                           : IsLogScaleMetric(metric)
                               ? Tolerance{ToleranceKind::kLog10, options.log10_tol}
                               : Tolerance{ToleranceKind::kAbsolute, options.abs_tol});
    }
    for (const auto& [metric, tolerance] : options.tolerances) {
      if (std::find(result.metrics.begin(), result.metrics.end(), metric) == result.metrics.end()) {
        throw UsageError(fmt::format(
            "--tol {}=...: '{}' is not among the compared metrics ({}); add it to --metrics",
            metric, metric, fmt::join(result.metrics, ",")));
      }
    }
    result.tolerances = tolerances;
    const int layer_now = result.layer_csv ? current.RequireColumn("layer") : -1;
    const int layer_base = result.layer_csv ? baseline->RequireColumn("layer") : -1;
    std::vector<Deviation> passing;
    for (const Run& base_run : base.runs) {
      const auto at = now.index.find(base_run.key);
      if (at == now.index.end()) {
        result.missing_runs.push_back(base_run.name);
        RunCase missing;
        missing.name = base_run.name;
        missing.checks = 1;
        missing.presence = RunCase::Presence::kMissing;
        missing.file = baseline->name();
        missing.line = baseline->rows()[base_run.rows.front()].line;
        missing.metrics = MetricCases(result.metrics);
        if (!options.allow_missing) {
          missing.failures.push_back(fmt::format("missing from {} (present in the baseline {})",
                                                 current.name(), baseline->name()));
        }
        result.cases.push_back(std::move(missing));
        continue;
      }
      const Run& now_run = now.runs[at->second];
      RunCase& run_case = result.cases[at->second];
      run_case.metrics = MetricCases(result.metrics);
      std::map<std::string, size_t> now_rows;  // layer -> row
      for (size_t r : now_run.rows) {
        now_rows[result.layer_csv ? std::string(current.rows()[r].field(layer_now)) : ""] = r;
      }
      std::set<std::string> matched;
      for (size_t rb : base_run.rows) {
        const std::string layer =
            result.layer_csv ? std::string(baseline->rows()[rb].field(layer_base)) : "";
        const auto row = now_rows.find(layer);
        if (row == now_rows.end()) {
          result.missing_rows.push_back(base_run.name + " layer " + layer);
          run_case.failures.push_back(
              fmt::format("layer {} missing from {}", layer, current.name()));
          AddToMetricCases(&run_case, true, run_case.failures.back());
          continue;
        }
        matched.insert(layer);
        for (size_t m = 0; m < result.metrics.size(); ++m) {
          Deviation d;
          d.run = base_run.name;
          d.layer = layer;
          d.metric = result.metrics[m];
          Compare(baseline->Number(rb, metric_columns[m].second),
                  current.Number(row->second, metric_columns[m].first), tolerances[m], &d);
          ++result.comparisons;
          ++run_case.checks;
          MetricCase& metric_case = run_case.metrics[m];
          ++metric_case.compared;
          if (!metric_case.has_worst || Worse(d, metric_case.worst)) metric_case.worst = d;
          metric_case.has_worst = true;
          if (d.failed) {
            run_case.failures.push_back(
                fmt::format("{}{}: baseline {}, current {}, change {} (tolerance {} {})",
                            layer.empty() ? "" : "layer " + layer + " ", d.metric,
                            FormatNumber(d.baseline), FormatNumber(d.current), FormatChange(d),
                            FormatNumber(d.tolerance), ToleranceKindName(d.kind)));
            ++(d.IsError() ? metric_case.errors : metric_case.failed);
            metric_case.messages.push_back(run_case.failures.back());
            result.failures.push_back(d);
          } else if (d.change != 0) {
            passing.push_back(d);
          }
        }
      }
      for (const auto& [layer, r] : now_rows) {
        if (matched.count(layer) == 0) {
          result.extra_rows.push_back(now_run.name + " layer " + layer);
          run_case.failures.push_back(fmt::format("layer {} is not in the baseline", layer));
          AddToMetricCases(&run_case, false, run_case.failures.back());
        }
      }
    }
    for (size_t i = 0; i < now.runs.size(); ++i) {
      if (base.index.count(now.runs[i].key) == 0) {
        result.extra_runs.push_back(now.runs[i].name);
        ++result.cases[i].checks;
        result.cases[i].presence = RunCase::Presence::kExtra;
        result.cases[i].metrics = MetricCases(result.metrics);
        if (!options.allow_extra) {
          result.cases[i].failures.push_back(
              fmt::format("not in the baseline {}", baseline->name()));
        }
      }
    }
    auto worse = [](const Deviation& a, const Deviation& b) { return a.Severity() > b.Severity(); };
    std::stable_sort(result.failures.begin(), result.failures.end(), worse);
    std::stable_sort(passing.begin(), passing.end(), worse);
    if (passing.size() > 5) passing.resize(5);
    result.largest_passing = passing;
  }

  // Rules.
  std::vector<RunFacts> facts;
  if (!options.rules.empty()) {
    for (const Run& run : now.runs) {
      facts.push_back(Facts(now, run, key_names, result.layer_csv, options));
    }
  }
  for (const Rule& rule : options.rules) {
    RuleOutcome outcome{rule.text, 0, 0};
    for (size_t i = 0; i < now.runs.size(); ++i) {
      if (!rule.Selects(facts[i])) continue;
      ++outcome.selected;
      ++result.cases[i].checks;
      RuleCase rule_case;
      rule_case.rule = rule.text;
      rule_case.passed = rule.Holds(facts[i], &rule_case.measured);
      if (!rule_case.passed) {
        ++outcome.failed;
        const auto value = facts[i].metrics.find(rule.metric);
        rule_case.error =
            !rule.metric.empty() && (value == facts[i].metrics.end() || std::isnan(value->second));
        result.cases[i].failures.push_back(
            fmt::format("rule '{}' failed: {}", rule.text, rule_case.measured));
      }
      result.cases[i].rules.push_back(std::move(rule_case));
    }
    result.rules.push_back(outcome);
  }

  result.passed = result.failures.empty() && result.missing_rows.empty() &&
                  result.extra_rows.empty() &&
                  (options.allow_missing || result.missing_runs.empty()) &&
                  (options.allow_extra || result.extra_runs.empty());
  for (const RuleOutcome& outcome : result.rules) {
    result.passed = result.passed && outcome.selected > 0 && outcome.failed == 0;
  }
  return result;
}

std::string FormatChange(const Deviation& d) {
  const bool log_scale = d.kind == ToleranceKind::kLog10;
  if (std::isnan(d.change)) {
    return (log_scale && d.baseline * d.current < 0) ? "sign changed" : "not comparable";
  }
  if (log_scale) {
    if (std::isinf(d.change)) return d.change > 0 ? "from zero" : "to zero";
    return fmt::format("{:+.3f} log10 (x{:.3g})", d.change, std::pow(10.0, d.change));
  }
  if (d.kind == ToleranceKind::kRelative) {
    if (std::isinf(d.change)) return "from zero";
    return fmt::format("{:+.3g} rel ({:+.3g}%)", d.change, 100 * d.change);
  }
  return fmt::format("{:+.4g}", d.change);
}

}  // namespace gradflow
