// The aggregated sweep summary (--aggregate-out): one row per configuration
// with every seed pooled, giving the mean and a 95% interval of the
// vanishing ratio across seeds.
//
// For n seeds with ratios r_1..r_n (t = Student t quantile, 0.975, n-1 df):
//   vanishing_ratio_mean ± t · s / √n            (s: sample standard deviation)
//   log10_vanishing_ratio_mean ± t · s_log / √n  (the same on log10 r; 10^mean is the
//                                                 geometric mean; better for ratios
//                                                 spanning orders of magnitude)
// With one seed the intervals are nan. Rows keep the order in which each
// configuration first appears in the summary (grid order).
#pragma once

#include <string>
#include <vector>

#include "io/csv_reader.h"
#include "io/csv_writer.h"

namespace gradflow {

// Mean, sample standard deviation and two-sided 95% Student t interval.
struct MeanInterval {
  double mean, std, low, high;
};

// One configuration, its seeds pooled: an aggregate row after its configuration columns.
struct SeedAggregate {
  size_t seeds = 0;
  MeanInterval ratio;        // of vanishing_ratio
  MeanInterval log10_ratio;  // of log10(vanishing_ratio)
  MeanInterval saturation;   // of mean_saturation
  std::string verdicts;      // "name:count;..." sorted by name
};

// The aggregate's own columns (after the configuration columns without seed).
const std::vector<Column<SeedAggregate>>& AggregateColumns();

// Header line (with trailing newline) of the aggregate CSV.
std::string AggregateCsvHeader();

// The whole aggregate CSV (header and rows) of a summary CSV as a sweep writes it.
// Throws UsageError naming the file if a needed column is missing or a value is not a number.
std::string AggregateCsv(const CsvTable& summary);

}  // namespace gradflow
