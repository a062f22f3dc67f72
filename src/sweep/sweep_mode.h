// What a sweep measures for each configuration of its grid (`sweep --mode`),
// one table row per mode. Every mode writes two kinds of CSV: a "layer" kind
// (one row per run and layer) and a "summary" kind (one row per run); the
// journal, --resume, --shard and merge treat both kinds alike whatever the mode.
//
//   mode      measures              -o gets   the other kind     aggregate
//   run       `gradflow run`        layers    --summary-out      --aggregate-out
//   spectrum  `gradflow spectrum`   summary   --per-layer        (none)
//
// A spectrum sweep runs `gradflow spectrum` on every configuration: its batch
// is the number of input samples (default 8, as `spectrum --samples`), and
// the options that mean nothing for the Jacobian of the hidden layers (loss,
// head, verdict thresholds) are refused.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/config.h"
#include "sweep/sweep_grid.h"

namespace gradflow {

// The CSV text of one run: its layer rows and its summary row, each line ending in '\n'.
struct RunRows {
  std::string layer_rows;
  std::string summary_row;
};

struct RunWorkspace;  // experiment/run.h

struct SweepMode {
  const char* name;  // the --mode value
  const char* help;
  std::string (*layer_header)();                  // header line of the layer kind, with '\n'
  std::string (*summary_header)();                // header line of the summary kind, with '\n'
  bool out_is_layers;                             // -o gets the layer kind (else the summary kind)
  const char* other_option;                       // the option naming the file of the other kind
  bool has_aggregate;                             // --aggregate-out is available
  std::vector<const char*> refused;               // grid options (without "--") that do not apply
  void (*defaults)(RunConfig* config);            // applied before the grid's values
  size_t (*layer_rows)(const RunConfig& config);  // rows per run in the layer kind
  void (*check_memory)(const RunConfig& config);  // UsageError over the memory limit
  // Measures one configuration on the calling thread; layer rows only when
  // `layers` (a mode may skip costly work), `workspace` reused between runs.
  RunRows (*measure)(const RunConfig& config, bool layers, RunWorkspace* workspace);
};

const std::vector<SweepMode>& SweepModes();
// UsageError naming --mode, the value and the modes.
const SweepMode& FindSweepMode(const std::string& name);
const SweepMode& RunSweepMode();  // the default

// The grid of `mode`: refuses options the mode does not take, then expands
// the settings over the mode's defaults (ExpandGrid).
SweepGrid ExpandModeGrid(const SweepMode& mode, const std::vector<SweepSetting>& settings);

// Where the files of each kind go, from the options as given: -o, --summary-out,
// --per-layer and --aggregate-out ("" where not given). UsageError for an
// option the mode does not have. `layer` or `summary` is "" when not written.
struct SweepPaths {
  std::string layer;
  std::string summary;
  std::string aggregate;
};
SweepPaths ResolveSweepPaths(const SweepMode& mode, const std::string& out,
                             const std::string& summary_out, const std::string& per_layer,
                             const std::string& aggregate_out);

}  // namespace gradflow
