#include "sweep_merge.h"

#include <unordered_map>

#include "aggregate.h"
#include "columns.h"
#include "error.h"
#include "fmt/format.h"
#include "sweep.h"

namespace gradflow {
namespace {

std::string WithoutNewline(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// Where a run's rows were found.
struct Found {
  const CsvTable* file;
  int line;
  std::string rows;
};

// Collects the runs of `files` (all of one kind) and writes them in grid order.
std::string MergeKind(const SweepGrid& grid, const std::vector<const CsvTable*>& files,
                      const std::string& header, const char* kind) {
  std::unordered_map<std::string, size_t> position;
  for (size_t i = 0; i < grid.keys.size(); ++i) position[grid.keys[i]] = i;
  std::vector<Found> found(grid.keys.size(), Found{nullptr, 0, ""});
  for (const CsvTable* file : files) {
    std::string previous_key;
    for (const CsvRow& row : file->rows()) {
      const std::string key = LineKey(row.raw);
      const auto at = position.find(key);
      if (at == position.end()) {
        throw UsageError(fmt::format(
            "{}:{}: this run is not in the sweep grid ({}); give merge the same grid options "
            "(or --config) as the shards",
            file->name(), row.line, key));
      }
      Found& slot = found[at->second];
      const bool continues = key == previous_key;
      if (slot.file != nullptr && !continues) {
        throw UsageError(fmt::format("{}:{}: run {} appears twice (first at {}:{})", file->name(),
                                     row.line, key, slot.file->name(), slot.line));
      }
      if (!continues) slot = Found{file, row.line, ""};
      slot.rows += row.raw + '\n';
      previous_key = key;
    }
  }
  std::string text = header;
  size_t missing = 0;
  std::string examples;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].file == nullptr) {
      if (++missing <= 3) examples += fmt::format("\n  grid run {}: {}", i + 1, grid.keys[i]);
      continue;
    }
    text += found[i].rows;
  }
  if (missing > 0) {
    throw UsageError(fmt::format("{} of {} runs of the grid are missing from the {} files (is a "
                                 "shard missing or unfinished?), e.g.:{}",
                                 missing, grid.keys.size(), kind, examples));
  }
  return text;
}

}  // namespace

MergedSweep MergeShards(const SweepGrid& grid, const std::vector<CsvTable>& files) {
  std::vector<const CsvTable*> layer_files, summary_files;
  const std::string layer_header = WithoutNewline(LayerCsvHeader());
  const std::string summary_header = WithoutNewline(SummaryCsvHeader());
  for (const CsvTable& file : files) {
    if (file.raw_header() == layer_header) {
      layer_files.push_back(&file);
    } else if (file.raw_header() == summary_header) {
      summary_files.push_back(&file);
    } else if (file.raw_header() == WithoutNewline(AggregateCsvHeader())) {
      throw UsageError(fmt::format("{}: is an aggregate CSV; merge the summary shards and ask "
                                   "merge for --aggregate-out",
                                   file.name()));
    } else {
      throw UsageError(fmt::format(
          "{}:1: not a sweep layer or summary CSV (its header differs from what this gradflow "
          "writes)",
          file.name()));
    }
  }
  MergedSweep merged;
  merged.has_layers = !layer_files.empty();
  merged.has_summary = !summary_files.empty();
  if (merged.has_layers) merged.layers = MergeKind(grid, layer_files, LayerCsvHeader(), "layer");
  if (merged.has_summary) {
    merged.summary = MergeKind(grid, summary_files, SummaryCsvHeader(), "summary");
  }
  return merged;
}

}  // namespace gradflow
