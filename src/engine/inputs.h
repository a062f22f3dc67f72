// Synthetic inputs.
#pragma once

#include "base/types.h"
#include "engine/config.h"

namespace gradflow {

// x: (input_dim, batch), sample by sample from stream (seed, kInput):
// gaussian N(0, 1) or uniform U[-√3, √3] (unit variance), times input_scale.
MatD SampleInput(const RunConfig& config);

}  // namespace gradflow
