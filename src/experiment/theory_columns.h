// The CSV of `gradflow theory -o`: mean-field predictions without a network.
//
// One configuration: one row per layer,
//   <theory configuration columns>, <phase columns>, <layer columns>
// Several (--activation/--init lists or all): one row per configuration,
//   <theory configuration columns>, <phase columns>
// The configuration columns are the run CSV's (same names, same values) that
// the prediction depends on, then saturation_threshold.
#pragma once

#include <string>
#include <vector>

#include "engine/config.h"
#include "io/csv_writer.h"
#include "theory/theory.h"

namespace gradflow {

// One CSV row: a configuration, its predictions and (per-layer CSV) one layer.
struct TheoryRow {
  const RunConfig* config;
  const NetworkTheory* theory;
  const LayerTheory* layer;  // null in the phase table
};

const std::vector<Column<RunConfig>>& TheoryConfigColumns();
const std::vector<Column<TheoryRow>>& PhaseColumns();
const std::vector<Column<TheoryRow>>& TheoryLayerColumns();

// The whole CSV (header and rows) for one configuration, one row per layer.
std::string TheoryLayerCsv(const RunConfig& config, const NetworkTheory& theory);
// The whole CSV for several configurations, one row each; theories[i] is configs[i]'s.
std::string TheoryPhaseCsv(const std::vector<RunConfig>& configs,
                           const std::vector<NetworkTheory>& theories);

}  // namespace gradflow
