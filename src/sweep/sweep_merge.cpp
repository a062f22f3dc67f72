#include "sweep/sweep_merge.h"

#include <unordered_map>

#include "base/error.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "sweep/aggregate.h"
#include "sweep/grid_stamp.h"
#include "sweep/sweep.h"

namespace gradflow {
namespace {

std::string WithoutNewline(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

const char* KindName(bool layers) { return layers ? "layer" : "summary"; }

// One input file: its mode and kind (from the header) and whether it is stamped.
struct Input {
  const CsvTable* file = nullptr;
  const SweepMode* mode = nullptr;
  bool layers = false;
  bool stamped = false;
};

Input Classify(const CsvTable& file) {
  for (const SweepMode& mode : SweepModes()) {
    for (bool layers : {true, false}) {
      const std::string header = layers ? mode.layer_header() : mode.summary_header();
      if (file.raw_header() == WithoutNewline(header)) return Input{&file, &mode, layers, false};
      if (file.raw_header() == WithoutNewline(StampedHeader(header))) {
        return Input{&file, &mode, layers, true};
      }
    }
  }
  if (file.raw_header() == WithoutNewline(AggregateCsvHeader())) {
    throw UsageError(fmt::format(
        "{}: is an aggregate CSV; merge the summary shards and ask merge for --aggregate-out",
        file.name()));
  }
  throw UsageError(fmt::format(
      "{}:1: not a sweep layer or summary CSV (its header differs from what this gradflow "
      "writes)",
      file.name()));
}

// Puts each row at its grid position: by its configuration in the grid of the
// options given, or by its stamp. Checks stamps against the grid and each other.
class Placement {
 public:
  Placement(const SweepMode& mode, const std::vector<SweepSetting>* settings,
            const std::vector<Input>& inputs) {
    if (settings != nullptr) {
      grid_ = ExpandModeGrid(mode, *settings);
      id_ = GridId(mode.name, grid_);
      runs_ = grid_.keys.size();
      for (size_t i = 0; i < grid_.keys.size(); ++i) position_[grid_.keys[i]] = i;
      by_grid_ = true;
      return;
    }
    for (const Input& input : inputs) {
      if (!input.stamped) {
        throw UsageError(fmt::format(
            "{}: has no {} columns, so it does not say which grid its runs belong to (it was not "
            "written by sweep --shard K/N with N > 1, or by an older gradflow); give merge the "
            "grid options (or --config) of the sweep",
            input.file->name(), kGridStampColumns));
      }
    }
    for (const Input& input : inputs) {
      if (input.file->rows().empty()) continue;
      const CsvRow& row = input.file->rows().front();
      std::string plain;
      GridStamp stamp;
      if (!UnstampRow(row.raw, &plain, &stamp)) BadStamp(*input.file, row);
      runs_ = stamp.runs;
      id_ = stamp.id;
      first_ = fmt::format("{}:{}", input.file->name(), row.line);
      keys_.resize(runs_);
      return;
    }
    throw UsageError(
        "the shard files hold no runs, so they do not say their grid; give merge the grid "
        "options (or --config) of the sweep");
  }

  size_t runs() const { return runs_; }

  // The grid position of `row`, and in *plain the row without its stamp.
  size_t Place(const Input& input, const CsvRow& row, std::string* plain) {
    *plain = row.raw;
    GridStamp stamp;
    if (input.stamped && !UnstampRow(row.raw, plain, &stamp)) BadStamp(*input.file, row);
    const std::string key = LineKey(*plain);
    const std::string where = fmt::format("{}:{}", input.file->name(), row.line);
    if (by_grid_) {
      const auto at = position_.find(key);
      if (at == position_.end()) {
        throw UsageError(fmt::format(
            "{}: this run is not in the sweep grid ({}); give merge the grid options (or "
            "--config) the shards were run with, or none: shard files describe their grid",
            where, key));
      }
      if (input.stamped && (stamp.run != at->second || stamp.runs != runs_ || stamp.id != id_)) {
        throw UsageError(fmt::format(
            "{}: this shard was run with another grid (grid_run {} of {}, grid_id {}; the grid "
            "options given put this run at {} of {}, grid_id {})",
            where, stamp.run, stamp.runs, stamp.id, at->second, runs_, id_));
      }
      return at->second;
    }
    if (stamp.runs != runs_ || stamp.id != id_) {
      throw UsageError(fmt::format(
          "{}: this run is of another sweep (grid_id {}, {} runs) than {} (grid_id {}, {} "
          "runs); merge the shards of one sweep",
          where, stamp.id, stamp.runs, first_, id_, runs_));
    }
    std::string& known = keys_[stamp.run];
    const auto [seen, added] = position_.emplace(key, stamp.run);
    if ((!known.empty() && known != key) || (!added && seen->second != stamp.run)) {
      throw UsageError(fmt::format(
          "{}: grid_run {} does not match the other files (the same configuration at two "
          "grid_runs, or two configurations at one); were the files edited?",
          where, stamp.run));
    }
    known = key;
    return stamp.run;
  }

  // A run for the "missing" message.
  std::string Describe(size_t i) const {
    return by_grid_ ? fmt::format("grid run {}: {}", i, grid_.keys[i])
                    : fmt::format("grid_run {}", i);
  }

 private:
  [[noreturn]] static void BadStamp(const CsvTable& file, const CsvRow& row) {
    throw UsageError(fmt::format("{}:{}: its last fields ({}) are not a valid shard stamp",
                                 file.name(), row.line, kGridStampColumns));
  }

  bool by_grid_ = false;
  SweepGrid grid_;
  std::string id_;
  size_t runs_ = 0;
  std::string first_;  // file:line of the stamp every other must match
  std::unordered_map<std::string, size_t> position_;
  std::vector<std::string> keys_;  // by grid_run, as found (stamps only)
};

// Where a run's rows were found.
struct Found {
  const CsvTable* file = nullptr;
  int line = 0;
  std::string rows;
};

// Collects the runs of the inputs of one kind and writes them in grid order.
std::string MergeKind(Placement* placement, const std::vector<Input>& inputs, bool layers,
                      const std::string& header) {
  std::vector<Found> found(placement->runs());
  for (const Input& input : inputs) {
    if (input.layers != layers) continue;
    size_t previous = SIZE_MAX;
    for (const CsvRow& row : input.file->rows()) {
      std::string plain;
      const size_t at = placement->Place(input, row, &plain);
      Found& slot = found[at];
      const bool continues = at == previous;
      if (slot.file != nullptr && !continues) {
        throw UsageError(fmt::format(
            "{}:{}: run {} appears twice (first at {}:{}){}", input.file->name(), row.line,
            LineKey(plain), slot.file->name(), slot.line,
            slot.file->name() == input.file->name() ? "; is the same file given twice?" : ""));
      }
      if (!continues) slot = Found{input.file, row.line, ""};
      slot.rows += plain + '\n';
      previous = at;
    }
  }
  std::string text = header;
  size_t missing = 0;
  std::string examples;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].file == nullptr) {
      if (++missing <= 3) examples += "\n  " + placement->Describe(i);
      continue;
    }
    text += found[i].rows;
  }
  if (missing > 0) {
    throw UsageError(
        fmt::format("{} of {} runs of the grid are missing from the {} files (is a "
                    "shard missing or unfinished?), e.g.:{}",
                    missing, found.size(), KindName(layers), examples));
  }
  return text;
}

}  // namespace

MergedSweep MergeShards(const std::vector<SweepSetting>* settings,
                        const std::vector<CsvTable>& files) {
  std::vector<Input> inputs;
  for (const CsvTable& file : files) {
    inputs.push_back(Classify(file));
    const Input& first = inputs.front();
    if (inputs.back().mode != first.mode) {
      throw UsageError(
          fmt::format("{} is from a {} sweep but {} from a {} sweep; merge one sweep "
                      "at a time",
                      file.name(), inputs.back().mode->name, first.file->name(), first.mode->name));
    }
  }
  if (inputs.empty()) throw UsageError("merge: give the shard CSV files to merge");
  MergedSweep merged;
  merged.mode = inputs.front().mode;
  Placement placement(*merged.mode, settings, inputs);
  merged.runs = placement.runs();
  for (const Input& input : inputs) {
    (input.layers ? merged.has_layers : merged.has_summary) = true;
  }
  if (merged.has_layers) {
    merged.layers = MergeKind(&placement, inputs, true, merged.mode->layer_header());
  }
  if (merged.has_summary) {
    merged.summary = MergeKind(&placement, inputs, false, merged.mode->summary_header());
  }
  return merged;
}

MergeStats RunMerge(const MergeRequest& request) {
  if (request.inputs.empty()) throw UsageError("merge: give the shard CSV files to merge");
  if (!request.mode.empty()) FindSweepMode(request.mode);
  CheckWritable("--out", request.out);
  CheckWritable("--summary-out", request.summary_out);
  CheckWritable("--per-layer", request.per_layer);
  CheckWritable("--aggregate-out", request.aggregate_out);
  std::vector<CsvTable> files;
  for (const std::string& path : request.inputs) files.push_back(CsvTable::Read(path));
  const MergedSweep merged =
      MergeShards(request.settings.empty() ? nullptr : &request.settings, files);
  const SweepMode& mode = *merged.mode;
  if (!request.mode.empty() && request.mode != mode.name) {
    throw UsageError(
        fmt::format("--mode {}: the files are from a {} sweep", request.mode, mode.name));
  }
  const SweepPaths paths = ResolveSweepPaths(mode, request.out, request.summary_out,
                                             request.per_layer, request.aggregate_out);
  // Each output needs inputs of its kind, and each kind of input an output.
  const bool out_has = mode.out_is_layers ? merged.has_layers : merged.has_summary;
  const bool other_has = mode.out_is_layers ? merged.has_summary : merged.has_layers;
  const std::string& other = mode.out_is_layers ? paths.summary : paths.layer;
  if (!out_has && request.out != "-") {
    throw UsageError(fmt::format("--out: none of the inputs is a {} CSV of a {} sweep",
                                 KindName(mode.out_is_layers), mode.name));
  }
  if (!other_has && !other.empty()) {
    throw UsageError(fmt::format("{}: none of the inputs is a {} CSV of a {} sweep",
                                 mode.other_option, KindName(!mode.out_is_layers), mode.name));
  }
  if (!merged.has_summary && !paths.aggregate.empty()) {
    throw UsageError("--aggregate-out: none of the inputs is a summary CSV");
  }
  if (other_has && other.empty() && paths.aggregate.empty()) {
    throw UsageError(fmt::format("{} CSVs are among the inputs but {} is not given{}",
                                 KindName(!mode.out_is_layers), mode.other_option,
                                 mode.has_aggregate ? " (nor --aggregate-out)" : ""));
  }
  std::string aggregate;
  if (!paths.aggregate.empty()) {
    aggregate = AggregateCsv(CsvTable::Parse("merged summary", merged.summary));
  }
  if (merged.has_layers && !paths.layer.empty()) WriteAtomically(paths.layer, merged.layers);
  if (merged.has_summary && !paths.summary.empty()) {
    WriteAtomically(paths.summary, merged.summary);
  }
  if (!paths.aggregate.empty()) WriteAtomically(paths.aggregate, aggregate);
  return MergeStats{merged.runs, files.size(), &mode};
}

}  // namespace gradflow
