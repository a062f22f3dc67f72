// The CSV column tables of `gradflow spectrum`: each file starts with the run
// configuration columns (batch = the number of samples), so spectrum CSVs
// concatenate like every other gradflow CSV.
//   summary (-o):      config + the statistics of J's singular values + predictions
//   per layer:         config + layer + the statistics of P^l D^l W^l + predictions
//   values:            config + sample + index + value (every singular value of J)
#pragma once

#include <string>
#include <vector>

#include "experiment/run_columns.h"
#include "experiment/spectrum.h"
#include "io/csv_writer.h"
#include "theory/spectrum_prediction.h"

namespace gradflow {

// One row of the summary or per-layer CSV.
struct SpectrumRow {
  int layer = 0;  // 0 for the whole network's J
  SpectrumStats stats;
  std::optional<double> pred_mean_sq;
  std::optional<double> pred_var_sq;
};

// The statistics columns (after the config columns; the per-layer CSV puts
// `layer` first).
const std::vector<Column<SpectrumRow>>& SpectrumColumns();

std::string SpectrumCsvHeader();
std::string SpectrumLayerCsvHeader();
std::string SpectrumValuesCsvHeader();
// Rows with trailing newlines.
std::string SpectrumCsvRow(const SpectrumResult& result, const SpectrumPrediction& prediction);
std::string SpectrumLayerCsvRows(const SpectrumResult& result,
                                 const SpectrumPrediction& prediction);
std::string SpectrumValuesCsvRows(const SpectrumResult& result);

// The per-layer prediction row of layer l (1-based): mean s² of P D W^l and,
// at criticality for φ' ∈ {0, 1} with square layers, its variance (L = 1).
SpectrumRow PredictedLayerRow(const SpectrumResult& result, const SpectrumPrediction& prediction,
                              int layer);

}  // namespace gradflow
