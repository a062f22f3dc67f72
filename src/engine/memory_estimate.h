// Memory estimate of a run, checked before anything large is allocated.
#pragma once

#include <string>

#include "engine/config.h"

namespace gradflow {

// Bytes a run holds at its peak: weights and biases, the forward cache (z and
// a of every layer), the backward buffers (δ, ∂W, ∂a) and the double-precision
// input and targets.
double EstimateRunBytes(const RunConfig& config);

// MemAvailable from /proc/meminfo, in bytes; 0 if it cannot be read.
double AvailableMemoryBytes();

// Throws UsageError with the estimate, the limit and how to override it
// (--memory-limit-gb) when the estimate exceeds the limit: --memory-limit-gb
// if set, else the available memory.
void CheckMemory(const RunConfig& config);

// The same check for an estimate made elsewhere (e.g. training); `what`
// names the job in the message ("this run", "this training run").
void CheckMemoryEstimate(double estimate_bytes, const RunConfig& config, const std::string& what);

}  // namespace gradflow
