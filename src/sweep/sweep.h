// Running a sweep: the runs of one shard of the grid, `jobs` at a time (each
// run single-threaded, so results are byte-identical whatever --jobs is), with
// a journal for --resume, assembled into the layer, summary and aggregate
// CSVs in grid order.
//
// Journal: while a sweep with a file --out runs, every finished run is
// appended to OUT.journal in one write; a killed sweep keeps it, and
// --resume reuses its runs (and those already in OUT / --summary-out).
// The outputs are written atomically at the end and the journal removed.
// Journal format (text): "gradflow sweep journal 1", the layer header, the
// summary header (of the sweep's mode), then per run: "run N", N layer rows,
// the summary row, "end". Rows are stored unstamped, whatever the shard.
// An incomplete last record (killed mid-write) is ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/progress.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_mode.h"

namespace gradflow {

// Runs one configuration of a run sweep on the calling thread, in
// `workspace`'s buffers if given (a worker keeps one for all its runs). The
// caller checks memory.
RunRows MeasureRunRows(const RunConfig& config, RunWorkspace* workspace = nullptr);

// Measures runs[i] with `mode` (layer rows when `layers`) for each i in
// `todo` on `jobs` threads (0: all cores), after SetThreads(1); each worker
// reuses one RunWorkspace, and freed memory stays in the process for the next
// run (no fresh pages per run). `done(i, rows)` is called for each finished
// run, one call at a time. If a run (or `done`) throws, no further run starts
// and the error is rethrown, prefixed with the run's configuration, once the
// workers stop.
// reuse_forward: RunWorkspace::reuse_forward. Each worker's caches get
// WorkerCacheBytes(jobs).
void ExecuteRuns(const SweepMode& mode, bool layers, const std::vector<RunConfig>& runs,
                 const std::vector<size_t>& todo, int jobs,
                 const std::function<void(size_t, RunRows)>& done, bool reuse_forward = true);

// The budget of each cache of a sweep worker's RunWorkspace (its sample cache
// and its forward stores) when `jobs` workers run: 128 MiB shared out, at
// least 8 and at most 64 MiB each, so the caches of many workers stay within
// a few hundred MiB together.
int64_t WorkerCacheBytes(int jobs);

// The key (configuration columns) of a CSV line written by a sweep.
std::string LineKey(const std::string& line);

std::string JournalPath(const std::string& out);
// The runs recorded in a journal of a `mode` sweep, by key; empty if the
// file is missing or was written with other CSV columns.
std::unordered_map<std::string, RunRows> ReadJournal(const std::string& path,
                                                     const SweepMode& mode);

struct SweepRequest {
  std::string mode = "run";            // a SweepModes() name
  std::vector<SweepSetting> settings;  // the grid
  Shard shard;                         // 1/1: everything; N > 1: stamped rows (grid_stamp.h)
  int jobs = 0;                        // 0: all cores
  std::string out = "-";               // -o: run: layer CSV, spectrum: summary CSV ("-": stdout)
  std::string summary_out;             // run: summary CSV; "" for none
  std::string per_layer;               // spectrum: per-layer CSV; "" for none
  std::string aggregate_out;           // run: "" for none
  bool resume = false;
  bool reuse_forward = true;  // RunWorkspace::reuse_forward of every worker
};

struct SweepStats {
  size_t runs = 0;                 // runs in this shard
  size_t resumed = 0;              // taken from earlier output or the journal
  size_t dropped = 0;              // runs in earlier output that are not in the grid
  bool discarded_journal = false;  // a journal existed and was not resumed
  int removed_temps = 0;           // --resume: temporaries of the outputs left by a kill
  double seconds = 0;
};

// Runs the sweep and writes its outputs. `progress_enabled` draws a progress
// bar on *progress_stream. Throws UsageError for bad settings or unusable
// --resume input, before any run starts.
SweepStats RunSweep(const SweepRequest& request, bool progress_enabled,
                    std::ostream* progress_stream);

}  // namespace gradflow
