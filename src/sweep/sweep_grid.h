// The sweep grid: which `run` options a sweep may vary, how a value list is
// written, the expansion of lists into run configurations in a fixed order,
// and the deterministic slicing of that order into shards.
//
// Value lists (one per option):  "a,b,c"    the listed values, in that order
//                                "lo..hi"   integers lo, lo+1, ..., hi
//                                "lo..hi..step"  lo, lo+step, ... <= hi (decimals allowed)
//                                "all"      every name (activation, init, loss, input, dtype)
// Items combine: "0..4,10,20". A value listed twice is an error, and "all"
// stands alone. `gradflow theory` reads its --activation and --init lists
// the same way.
//
// Grid order: nested loops over the options in SweepOptions() order
// (activation outermost, seed innermost), each option's values in the order
// written. A combination where an option does not apply (e.g. --leaky-slope
// for relu, --init-std for he_normal) gives the same CSV configuration as one
// already in the grid; such duplicates are dropped, keeping the first.
//
// Shard K/N (1 <= K <= N) holds the runs whose grid index i has i mod N = K-1:
// round-robin, so deep and shallow runs are spread evenly, and every run is
// in exactly one shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/config.h"

namespace gradflow {

struct SweepOption {
  const char* name;  // option name without "--": "activation", "depth", ...
  const char* help;
  bool is_axis;  // may take a list of values; else exactly one value
  // Sets the option on *config from one value; throws UsageError naming
  // "--name", the value and what is allowed.
  std::function<void(const std::string& value, RunConfig* config)> apply;
  // The values "all" stands for; nullptr if "all" is not allowed.
  std::vector<std::string> (*all)();
};

// Every option a sweep accepts, in grid order (the last ones are scalars).
const std::vector<SweepOption>& SweepOptions();
const SweepOption& FindSweepOption(const std::string& name);  // UsageError if unknown

// One option and its value list as written, e.g. {"depth", "5,10,20"}.
struct SweepSetting {
  std::string option;
  std::string values;
};

// The values a list stands for, as text; throws UsageError naming --option.
// Integer ranges are exact (seeds up to 2^64 - 1); a range has at most 10^6
// values and a list at most kMaxSweepRuns.
std::vector<std::string> ExpandValues(const SweepOption& option, const std::string& list);
// How many values ExpandValues would give, without making them (duplicates
// counted); the same UsageErrors for malformed items and over-long lists.
uint64_t CountValues(const SweepOption& option, const std::string& list);

struct SweepGrid {
  std::vector<RunConfig> runs;    // grid order, every config validated, threads = 1
  std::vector<std::string> keys;  // ConfigKey of each run, all different
};

// Expands and validates the grid (UsageError before any work if a
// combination is invalid, or -- from the lists' lengths, before expanding
// them -- if the grid has more than kMaxSweepRuns runs). Options not given
// keep their values in `base` (default: RunConfig's defaults, one thread).
SweepGrid ExpandGrid(const std::vector<SweepSetting>& settings, const RunConfig& base);
SweepGrid ExpandGrid(const std::vector<SweepSetting>& settings);
constexpr size_t kMaxSweepRuns = 10'000'000;

// The configuration columns of a run's CSV rows, as they start each row
// (CSV fields joined by commas): the identity of a run in every sweep,
// merge, resume and check.
std::string ConfigKey(const RunConfig& config);
// Number of configuration columns at the start of every sweep CSV row.
size_t ConfigColumnCount();

struct Shard {
  int index = 1;  // K, 1-based
  int count = 1;  // N
};
// Parses "K/N"; UsageError naming --shard unless 1 <= K <= N.
Shard ParseShard(const std::string& text);
bool InShard(size_t grid_index, const Shard& shard);

}  // namespace gradflow
