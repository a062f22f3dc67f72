// Self-describing shard files. A sweep run with --shard K/N (N > 1) appends
// three columns to every row of its CSVs, so `gradflow merge shard*.csv`
// needs nothing but the files:
//   grid_run   the run's index in the grid order (from 0; its shard is grid_run mod N + 1)
//   grid_runs  how many runs the grid has
//   grid_id    16 hex digits: a 64-bit FNV-1a hash of the sweep mode and every
//              run's configuration columns, in grid order
// Merge orders the runs by grid_run, checks that runs 0 .. grid_runs-1 are all
// there once and that every file has the same grid_id, and drops the three
// columns: the result is the unsharded sweep's bytes. An unsharded sweep (1/1)
// writes no stamp, so its files are as before.
#pragma once

#include <cstdint>
#include <string>

#include "sweep/sweep_grid.h"

namespace gradflow {

struct GridStamp {
  uint64_t run = 0;
  uint64_t runs = 0;
  std::string id;
};

// The names of the stamp columns, comma-separated, as they end a header.
constexpr const char* kGridStampColumns = "grid_run,grid_runs,grid_id";

std::string GridId(const std::string& mode, const SweepGrid& grid);

// `header` (one line, with or without '\n') with the stamp columns appended, with '\n'.
std::string StampedHeader(const std::string& header);
// Every line of `rows` (each ending in '\n') with the stamp appended.
std::string StampRows(const std::string& rows, const GridStamp& stamp);
// Splits a stamped row (without '\n') into the row as an unsharded sweep
// writes it and its stamp; false if its last three fields are not a valid
// stamp (run < runs, id of 16 lowercase hex digits).
bool UnstampRow(const std::string& row, std::string* plain, GridStamp* stamp);

}  // namespace gradflow
