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

void Compare(double baseline, double current, bool log_scale, double tolerance, Deviation* d) {
  d->baseline = baseline;
  d->current = current;
  d->log_scale = log_scale;
  d->tolerance = tolerance;
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
  } else {
    d->change = current - baseline;
  }
  d->failed = std::isnan(d->change) || std::fabs(d->change) > tolerance * (1 + 1e-9);
}

}  // namespace

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
  for (const Run& run : now.runs) result.cases.push_back(RunCase{run.name, {}, 0});

  // Baseline comparison.
  if (baseline != nullptr) {
    result.metrics = options.metrics.empty() ? DefaultMetrics(result.layer_csv) : options.metrics;
    std::vector<std::pair<int, int>> metric_columns;  // (current, baseline)
    for (const std::string& metric : result.metrics) {
      metric_columns.emplace_back(current.RequireColumn(metric), baseline->RequireColumn(metric));
    }
    const int layer_now = result.layer_csv ? current.RequireColumn("layer") : -1;
    const int layer_base = result.layer_csv ? baseline->RequireColumn("layer") : -1;
    std::vector<Deviation> passing;
    for (const Run& base_run : base.runs) {
      const auto at = now.index.find(base_run.key);
      if (at == now.index.end()) {
        result.missing_runs.push_back(base_run.name);
        RunCase missing{base_run.name, {}, 1};
        if (!options.allow_missing) {
          missing.failures.push_back(fmt::format("missing from {} (present in the baseline {})",
                                                 current.name(), baseline->name()));
        }
        result.cases.push_back(std::move(missing));
        continue;
      }
      const Run& now_run = now.runs[at->second];
      RunCase& run_case = result.cases[at->second];
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
          continue;
        }
        matched.insert(layer);
        for (size_t m = 0; m < result.metrics.size(); ++m) {
          Deviation d;
          d.run = base_run.name;
          d.layer = layer;
          d.metric = result.metrics[m];
          const bool log_scale = IsLogScaleMetric(d.metric);
          Compare(baseline->Number(rb, metric_columns[m].second),
                  current.Number(row->second, metric_columns[m].first), log_scale,
                  log_scale ? options.log10_tol : options.abs_tol, &d);
          ++result.comparisons;
          ++run_case.checks;
          if (d.failed) {
            run_case.failures.push_back(
                fmt::format("{}{}: baseline {}, current {}, change {} (tolerance {}{})",
                            layer.empty() ? "" : "layer " + layer + " ", d.metric,
                            FormatNumber(d.baseline), FormatNumber(d.current), FormatChange(d),
                            FormatNumber(d.tolerance), log_scale ? " log10" : ""));
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
        }
      }
    }
    for (size_t i = 0; i < now.runs.size(); ++i) {
      if (base.index.count(now.runs[i].key) == 0) {
        result.extra_runs.push_back(now.runs[i].name);
        ++result.cases[i].checks;
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
      std::string detail;
      if (!rule.Holds(facts[i], &detail)) {
        ++outcome.failed;
        result.cases[i].failures.push_back(fmt::format("rule '{}' failed: {}", rule.text, detail));
      }
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
  if (std::isnan(d.change)) {
    return (d.log_scale && d.baseline * d.current < 0) ? "sign changed" : "not comparable";
  }
  if (d.log_scale) {
    if (std::isinf(d.change)) return d.change > 0 ? "from zero" : "to zero";
    return fmt::format("{:+.3f} log10 (x{:.3g})", d.change, std::pow(10.0, d.change));
  }
  return fmt::format("{:+.4g}", d.change);
}

}  // namespace gradflow
