// The histogram CSV (run --histograms, train --histograms): one row per
// (step, layer, quantity, bin) of experiment/histogram's LayerHistograms,
// each row starting with the run's configuration columns.
#pragma once

#include <string>
#include <vector>

#include "engine/config.h"
#include "experiment/histogram.h"
#include "io/csv_writer.h"

namespace gradflow {

// One CSV row: a bin of one layer's histogram.
struct HistogramRow {
  const LayerHistogram* histogram;
  const HistogramBin* bin;
};
// The histogram CSV columns after the configuration columns:
// step, layer, quantity, bin_lo, bin_hi, count.
const std::vector<Column<HistogramRow>>& HistogramColumns();

// Header (config columns + histogram columns) and rows, each with a trailing
// newline; every row starts with config's columns.
std::string HistogramCsvHeader();
std::string HistogramCsvRows(const RunConfig& config,
                             const std::vector<LayerHistogram>& histograms);

}  // namespace gradflow
