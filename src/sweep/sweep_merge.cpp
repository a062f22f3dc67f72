#include "sweep/sweep_merge.h"

#include <unordered_map>

#include "base/error.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "sweep/aggregate.h"
#include "sweep/sweep.h"

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
        throw UsageError(fmt::format(
            "{}:{}: run {} appears twice (first at {}:{}){}", file->name(), row.line, key,
            slot.file->name(), slot.line,
            slot.file->name() == file->name() ? "; is the same file given twice?" : ""));
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
    throw UsageError(
        fmt::format("{} of {} runs of the grid are missing from the {} files (is a "
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
      throw UsageError(
          fmt::format("{}: is an aggregate CSV; merge the summary shards and ask "
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

#include "io/atomic_file.h"

namespace gradflow {

MergeStats RunMerge(const MergeRequest& request) {
  if (request.inputs.empty()) throw UsageError("merge: give the shard CSV files to merge");
  CheckWritable("--out", request.out);
  CheckWritable("--summary-out", request.summary_out);
  CheckWritable("--aggregate-out", request.aggregate_out);
  const SweepGrid grid = ExpandGrid(request.settings);
  std::vector<CsvTable> files;
  for (const std::string& path : request.inputs) files.push_back(CsvTable::Read(path));
  const MergedSweep merged = MergeShards(grid, files);
  if (!merged.has_layers && request.out != "-") {
    throw UsageError("--out: none of the inputs is a layer CSV");
  }
  if (!merged.has_summary && (!request.summary_out.empty() || !request.aggregate_out.empty())) {
    throw UsageError(
        fmt::format("{}: none of the inputs is a summary CSV",
                    request.summary_out.empty() ? "--aggregate-out" : "--summary-out"));
  }
  if (merged.has_summary && request.summary_out.empty() && request.aggregate_out.empty()) {
    throw UsageError(
        "summary CSVs are among the inputs but neither --summary-out nor --aggregate-out is given");
  }
  std::string aggregate;
  if (!request.aggregate_out.empty()) {
    aggregate = AggregateCsv(CsvTable::Parse("merged summary", merged.summary));
  }
  if (merged.has_layers) WriteAtomically(request.out, merged.layers);
  if (!request.summary_out.empty()) WriteAtomically(request.summary_out, merged.summary);
  if (!request.aggregate_out.empty()) WriteAtomically(request.aggregate_out, aggregate);
  return MergeStats{grid.runs.size(), files.size()};
}

}  // namespace gradflow
