#include "sweep/aggregate.h"

#include <cmath>
#include <map>

#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "sweep/student_t.h"

namespace gradflow {
namespace {

const std::vector<std::pair<const char*, const char*>> kColumns = {
    {"seeds", "number of seeds pooled (n)"},
    {"vanishing_ratio_mean", "mean of vanishing_ratio over seeds"},
    {"vanishing_ratio_std", "sample standard deviation s (n-1 denominator); nan for n = 1"},
    {"vanishing_ratio_ci95_low", "mean - t(0.975, n-1) s / sqrt(n)"},
    {"vanishing_ratio_ci95_high", "mean + t(0.975, n-1) s / sqrt(n)"},
    {"log10_vanishing_ratio_mean", "mean of log10(vanishing_ratio): log10 of the geometric mean"},
    {"log10_vanishing_ratio_ci95_low", "95% t interval of log10(vanishing_ratio), low end"},
    {"log10_vanishing_ratio_ci95_high", "95% t interval of log10(vanishing_ratio), high end"},
    {"mean_saturation_mean", "mean of mean_saturation over seeds"},
    {"verdicts", "count of each verdict, e.g. healthy:8;vanishing:2 (sorted by name)"},
};

struct Stats {
  double mean, std, low, high;
};

// Mean, sample std and the two-sided 95% Student t interval of values.
Stats MeanInterval(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / n;
  if (values.size() < 2) return {mean, NAN, NAN, NAN};
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double std = std::sqrt(squares / (n - 1));
  const double half = StudentTQuantile(0.975, n - 1) * std / std::sqrt(n);
  return {mean, std, mean - half, mean + half};
}

struct Group {
  std::string config;  // configuration columns except seed, joined
  std::vector<double> ratios;
  std::vector<double> saturations;
  std::map<std::string, int> verdicts;
};

}  // namespace

const std::vector<std::pair<const char*, const char*>>& AggregateColumns() { return kColumns; }

std::string AggregateCsvHeader() {
  std::string line;
  for (const Column<RunConfig>& column : ConfigColumns()) {
    if (std::string(column.name) == "seed") continue;
    line += std::string(line.empty() ? "" : ",") + column.name;
  }
  for (const auto& [name, doc] : kColumns) line += std::string(",") + name;
  return line + '\n';
}

std::string AggregateCsv(const CsvTable& summary) {
  std::vector<int> config_columns;
  for (const Column<RunConfig>& column : ConfigColumns()) {
    if (std::string(column.name) != "seed")
      config_columns.push_back(summary.RequireColumn(column.name));
  }
  const int ratio = summary.RequireColumn("vanishing_ratio");
  const int saturation = summary.RequireColumn("mean_saturation");
  const int verdict = summary.RequireColumn("verdict");
  std::vector<Group> groups;
  std::map<std::string, size_t> index;
  for (size_t r = 0; r < summary.rows().size(); ++r) {
    const CsvRow& row = summary.rows()[r];
    std::string config;
    for (size_t i = 0; i < config_columns.size(); ++i) {
      if (i > 0) config += ',';
      config += row.fields[config_columns[i]];
    }
    auto [at, added] = index.emplace(config, groups.size());
    if (added) groups.push_back(Group{config, {}, {}, {}});
    Group& group = groups[at->second];
    group.ratios.push_back(summary.Number(r, ratio));
    group.saturations.push_back(summary.Number(r, saturation));
    ++group.verdicts[row.fields[verdict]];
  }
  std::string text = AggregateCsvHeader();
  for (const Group& group : groups) {
    std::vector<double> logs;
    for (double v : group.ratios) logs.push_back(std::log10(v));
    const Stats linear = MeanInterval(group.ratios);
    const Stats log = MeanInterval(logs);
    const Stats sat = MeanInterval(group.saturations);
    std::string verdicts;
    for (const auto& [name, count] : group.verdicts) {
      verdicts += fmt::format("{}{}:{}", verdicts.empty() ? "" : ";", name, count);
    }
    text +=
        fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", group.config, group.ratios.size(),
                    FormatNumber(linear.mean), FormatNumber(linear.std), FormatNumber(linear.low),
                    FormatNumber(linear.high), FormatNumber(log.mean), FormatNumber(log.low),
                    FormatNumber(log.high), FormatNumber(sat.mean), verdicts);
  }
  return text;
}

}  // namespace gradflow
