// Joining the outputs of sharded sweeps (`gradflow merge`, `sweep --merge`)
// into exactly the files one unsharded sweep of the same grid writes.
//
// Shard files may be given in any order and may mix layer and summary CSVs
// (told apart by their header). Every run of the grid must appear exactly
// once among the files of each kind: a missing run, a run given twice or a
// run outside the grid is a UsageError naming the file and line.
#pragma once

#include <string>
#include <vector>

#include "csv_reader.h"
#include "sweep_grid.h"

namespace gradflow {

struct MergedSweep {
  bool has_layers = false;   // some inputs were layer CSVs
  bool has_summary = false;  // some inputs were summary CSVs
  std::string layers;        // the merged layer CSV (header + rows), if has_layers
  std::string summary;       // the merged summary CSV, if has_summary
};

MergedSweep MergeShards(const SweepGrid& grid, const std::vector<CsvTable>& files);

}  // namespace gradflow
