// The CSV layout of `gradflow train`.
//
// Per-layer CSV (--out), one row per (logged step, layer):
//   step, <the run CSV's columns: configuration + per-layer metrics>,
//   update_ratio, weight_change, <training configuration columns>
// Learning-curve CSV (--curve-out), one row per logged step:
//   step, <curve columns>, <run configuration columns>, <training configuration columns>
// Cells that do not apply are empty: update_ratio at step 0, accuracies for
// --task regression, momentum for adam, beta1/beta2/eps for sgd.
#pragma once

#include <string>
#include <vector>

#include "experiment/run_columns.h"
#include "train/train.h"

namespace gradflow {

// One row of the per-layer CSV: layer `layer` (0-based) of a logged step.
struct TrainLayerRow {
  const TrainRow* row;
  size_t layer;
};

const std::vector<Column<TrainConfig>>& TrainConfigColumns();
const std::vector<Column<TrainRow>>& CurveColumns();
// The two per-layer training columns, update_ratio and weight_change.
const std::vector<Column<TrainLayerRow>>& TrainLayerColumns();

std::string TrainLayerCsvHeader();
std::string TrainLayerCsvRows(const TrainResult& result);
std::string CurveCsvHeader();
std::string CurveCsvRows(const TrainResult& result);

}  // namespace gradflow
