// The CSV column tables: one row per column with its name, its formula or
// meaning (shown by `gradflow list --columns` and in the README), and how to
// get its value. The layer CSV is config columns + layer columns; the summary
// CSV is config columns + summary columns.
#pragma once

#include <string>
#include <vector>

#include "base/format.h"
#include "experiment/run.h"
#include "io/csv_writer.h"

namespace gradflow {

const std::vector<Column<RunConfig>>& ConfigColumns();
const std::vector<Column<LayerMetrics>>& LayerColumns();
const std::vector<Column<RunSummary>>& SummaryColumns();

// Header line of the layer CSV / summary CSV (with trailing newline).
std::string LayerCsvHeader();
std::string SummaryCsvHeader();
// Rows (each with trailing newline) for one run.
std::string LayerCsvRows(const RunResult& result);
std::string SummaryCsvRow(const RunResult& result);

}  // namespace gradflow
