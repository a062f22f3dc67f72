// Joining the outputs of sharded sweeps (`gradflow merge`, `sweep --merge`)
// into exactly the files one unsharded sweep of the same grid writes.
//
// Shard files may be given in any order and may mix the two kinds of CSV of
// a sweep mode (sweep_mode.h), told apart by their header, which also says
// the mode. Every run of the grid must appear exactly once among the files of
// each kind; a missing run, a run given twice, a run outside the grid, files
// of two modes or of two grids are UsageErrors naming the file (and line).
//
// Without grid options the files describe themselves: every file must be a
// shard's (stamped, grid_stamp.h); runs are put in grid_run order and all
// files must agree on grid_runs and grid_id. With grid options, each run is
// placed by its configuration in the grid they expand to, and a stamp, where
// a file has one, must agree with that grid (position, size and grid_id).
#pragma once

#include <string>
#include <vector>

#include "io/csv_reader.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_mode.h"

namespace gradflow {

struct MergedSweep {
  const SweepMode* mode = nullptr;  // of the files
  size_t runs = 0;                  // in the grid
  bool has_layers = false;          // some inputs were layer CSVs
  bool has_summary = false;         // some inputs were summary CSVs
  std::string layers;               // the merged layer CSV (header + rows), if has_layers
  std::string summary;              // the merged summary CSV, if has_summary
};

// `settings`: the grid options the shards were run with, or nullptr to merge
// stamped shards alone.
MergedSweep MergeShards(const std::vector<SweepSetting>* settings,
                        const std::vector<CsvTable>& files);

}  // namespace gradflow

namespace gradflow {

// `gradflow merge` / `sweep --merge`: reads the shard files, merges them and
// writes -o, the mode's second file (--summary-out or --per-layer) and
// --aggregate-out. Each output needs inputs of its kind (--aggregate-out:
// run summary CSVs) and each kind of input needs an output; UsageError
// otherwise, before anything is written.
struct MergeRequest {
  std::vector<SweepSetting> settings;  // the grid the shards were run with; empty: from the files
  std::string mode;                    // "" or the mode the files must be of (--mode)
  std::vector<std::string> inputs;
  std::string out = "-";  // run: layer CSV; spectrum: summary CSV
  std::string summary_out;
  std::string per_layer;
  std::string aggregate_out;
};
struct MergeStats {
  size_t runs = 0;
  size_t files = 0;
  const SweepMode* mode = nullptr;
};
MergeStats RunMerge(const MergeRequest& request);

}  // namespace gradflow
