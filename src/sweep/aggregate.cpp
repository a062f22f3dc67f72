#include "sweep/aggregate.h"

#include <cmath>
#include <map>

#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "sweep/student_t.h"

namespace gradflow {
namespace {

std::string Num(double v) { return FormatNumber(v); }

const std::vector<Column<SeedAggregate>> kColumns = {
    {"seeds", "number of seeds pooled (n)",
     [](const SeedAggregate& a) { return fmt::format("{}", a.seeds); }},
    {"vanishing_ratio_mean", "mean of vanishing_ratio over seeds",
     [](const SeedAggregate& a) { return Num(a.ratio.mean); }},
    {"vanishing_ratio_std", "sample standard deviation s (n-1 denominator); nan for n = 1",
     [](const SeedAggregate& a) { return Num(a.ratio.std); }},
    {"vanishing_ratio_ci95_low", "mean - t(0.975, n-1) s / sqrt(n)",
     [](const SeedAggregate& a) { return Num(a.ratio.low); }},
    {"vanishing_ratio_ci95_high", "mean + t(0.975, n-1) s / sqrt(n)",
     [](const SeedAggregate& a) { return Num(a.ratio.high); }},
    {"log10_vanishing_ratio_mean", "mean of log10(vanishing_ratio): log10 of the geometric mean",
     [](const SeedAggregate& a) { return Num(a.log10_ratio.mean); }},
    {"log10_vanishing_ratio_ci95_low", "95% t interval of log10(vanishing_ratio), low end",
     [](const SeedAggregate& a) { return Num(a.log10_ratio.low); }},
    {"log10_vanishing_ratio_ci95_high", "95% t interval of log10(vanishing_ratio), high end",
     [](const SeedAggregate& a) { return Num(a.log10_ratio.high); }},
    {"mean_saturation_mean", "mean of mean_saturation over seeds",
     [](const SeedAggregate& a) { return Num(a.saturation.mean); }},
    {"verdicts", "count of each verdict, e.g. healthy:8;vanishing:2 (sorted by name)",
     [](const SeedAggregate& a) { return a.verdicts; }},
};

// Every configuration column but seed: the seeds are what a row pools.
const std::vector<Column<RunConfig>>& GroupColumns() {
  static const std::vector<Column<RunConfig>> columns = [] {
    std::vector<Column<RunConfig>> chosen;
    for (const Column<RunConfig>& column : ConfigColumns()) {
      if (std::string(column.name) != "seed") chosen.push_back(column);
    }
    return chosen;
  }();
  return columns;
}

// Mean, sample std and the two-sided 95% Student t interval of values.
MeanInterval Interval(const std::vector<double>& values) {
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
  CsvLine config;  // configuration columns except seed
  std::vector<double> ratios;
  std::vector<double> saturations;
  std::map<std::string, int> verdicts;
};

}  // namespace

const std::vector<Column<SeedAggregate>>& AggregateColumns() { return kColumns; }

std::string AggregateCsvHeader() {
  return CsvLine().AddNames(GroupColumns()).AddNames(kColumns).Text();
}

std::string AggregateCsv(const CsvTable& summary) {
  std::vector<int> config_columns;
  for (const Column<RunConfig>& column : GroupColumns()) {
    config_columns.push_back(summary.RequireColumn(column.name));
  }
  const int ratio = summary.RequireColumn("vanishing_ratio");
  const int saturation = summary.RequireColumn("mean_saturation");
  const int verdict = summary.RequireColumn("verdict");
  std::vector<Group> groups;
  std::map<std::string, size_t> index;  // encoded configuration -> groups[i]
  for (size_t r = 0; r < summary.rows().size(); ++r) {
    const CsvRow& row = summary.rows()[r];
    CsvLine config;
    for (int column : config_columns) config.AddField(row.field(column));
    auto [at, added] = index.emplace(config.Fields(), groups.size());
    if (added) groups.push_back(Group{config, {}, {}, {}});
    Group& group = groups[at->second];
    group.ratios.push_back(summary.Number(r, ratio));
    group.saturations.push_back(summary.Number(r, saturation));
    ++group.verdicts[std::string(row.field(verdict))];
  }
  std::string text = AggregateCsvHeader();
  for (const Group& group : groups) {
    SeedAggregate aggregate;
    aggregate.seeds = group.ratios.size();
    std::vector<double> logs;
    for (double v : group.ratios) logs.push_back(std::log10(v));
    aggregate.ratio = Interval(group.ratios);
    aggregate.log10_ratio = Interval(logs);
    aggregate.saturation = Interval(group.saturations);
    for (const auto& [name, count] : group.verdicts) {
      aggregate.verdicts +=
          fmt::format("{}{}:{}", aggregate.verdicts.empty() ? "" : ";", name, count);
    }
    text += CsvLine(group.config).AddValues(kColumns, aggregate).Text();
  }
  return text;
}

}  // namespace gradflow
