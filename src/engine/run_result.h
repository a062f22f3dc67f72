// What one measured run produces: its configuration, one LayerMetrics per
// layer and the summary. The theory layer fills its pred_* fields; the
// experiment layer measures the rest; the CSV layer writes it.
#pragma once

#include <vector>

#include "engine/config.h"
#include "engine/metrics.h"
#include "engine/summary.h"

namespace gradflow {

struct RunResult {
  RunConfig config;
  std::vector<LayerMetrics> layers;  // hidden layers 1..L, then the head if any
  RunSummary summary;
};

}  // namespace gradflow
