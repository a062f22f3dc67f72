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

#include "io/csv_reader.h"
#include "sweep/sweep_grid.h"

namespace gradflow {

struct MergedSweep {
  bool has_layers = false;   // some inputs were layer CSVs
  bool has_summary = false;  // some inputs were summary CSVs
  std::string layers;        // the merged layer CSV (header + rows), if has_layers
  std::string summary;       // the merged summary CSV, if has_summary
};

MergedSweep MergeShards(const SweepGrid& grid, const std::vector<CsvTable>& files);

}  // namespace gradflow

namespace gradflow {

// `gradflow merge` / `sweep --merge`: reads the shard files, merges them and
// writes --out (layer CSV), --summary-out and --aggregate-out. Each output
// needs inputs of its kind (--aggregate-out: summary CSVs) and each kind of
// input needs an output; UsageError otherwise, before anything is written.
struct MergeRequest {
  std::vector<SweepSetting> settings;  // the grid the shards were run with
  std::vector<std::string> inputs;
  std::string out = "-";
  std::string summary_out;
  std::string aggregate_out;
};
struct MergeStats {
  size_t runs = 0;
  size_t files = 0;
};
MergeStats RunMerge(const MergeRequest& request);

}  // namespace gradflow
