// The human-readable report of `gradflow train`, printed to stderr: a header,
// one progress line per logged step (printed as training goes), then a
// per-layer table and a plain-language summary of who learned what: the
// first layer's weight change against the last hidden layer's, and how far
// the losses fell.
#pragma once

#include <string>

#include "train/train.h"

namespace gradflow {

// The run's description and the progress table's column names.
std::string FormatTrainHeader(const TrainConfig& config);
// One progress line for `row`.
std::string FormatTrainProgress(const TrainConfig& config, const TrainRow& row);
// Per-layer table at the last logged step and the summary (and the stop reason).
std::string FormatTrainSummary(const TrainResult& result);

}  // namespace gradflow
