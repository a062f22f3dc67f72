// The human-readable run report printed to stderr.
#pragma once

#include <string>

#include "experiment/run.h"

namespace gradflow {

// A per-layer table with delta_norm drawn as a log-scale bar (so shrinking
// gradients are visible at a glance), then the summary and the verdict.
std::string FormatRunReport(const RunResult& result);

// The bar for `value` on a log10 scale from `log_min` to `log_max`, at most
// `width` characters; "" for 0, NaN or inf (the text says which).
// ", widths 64x32, norm batch, residual 0.5" for the remedies a config has; ""
// for a plain MLP of equal widths (the reports' first lines).
std::string ArchitectureText(const RunConfig& config);

std::string LogBar(double value, double log_min, double log_max, int width);

}  // namespace gradflow
