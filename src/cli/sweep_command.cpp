// gradflow sweep: runs a grid of configurations (one per core), writes the
// long layer CSV, the summary CSV and the across-seed aggregate (--mode run),
// or the Jacobian spectrum of each (--mode spectrum); gradflow merge joins
// the shards of either.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/grid_options.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/csv_writer.h"
#include "io/output_paths.h"
#include "sweep/sweep.h"
#include "sweep/sweep_merge.h"
#include "sweep/sweep_mode.h"

namespace gradflow::cli {
namespace {

struct SweepCliOptions {
  std::string mode = "run";  // sweep_mode.h
  GridValues grid;
  std::string config_path;    // --config
  std::string out = "-";      // layer CSV
  std::string summary_out;    // one row per run
  std::string per_layer;      // spectrum: one row per run and layer
  std::string aggregate_out;  // one row per configuration, seeds pooled
  std::string shard = "1/1";  // K/N
  int jobs = 0;               // 0: all cores
  bool resume = false;
  bool no_forward_reuse = false;
  bool dry_run = false;  // print the runs instead
  bool quiet = false;
  bool merge = false;               // merge shard files instead of running
  std::vector<std::string> inputs;  // shard files for --merge
  CLI::Option* mode_option = nullptr;
};

// --mode NAME for sweep (what to measure) and merge (what the shards must be).
CLI::Option* AddModeOption(CLI::App* app, std::string* mode) {
  std::string help = "what each configuration measures:";
  for (const SweepMode& m : SweepModes()) help += fmt::format(" {} ({});", m.name, m.help);
  help.pop_back();
  return app->add_option("--mode", *mode, help)->type_name("NAME");
}

int DryRun(const SweepCliOptions& o) {
  const SweepGrid grid = ExpandModeGrid(FindSweepMode(o.mode), GridSettings(o.grid));
  const Shard shard = ParseShard(o.shard);
  std::string text = CsvLine().AddNames(ConfigColumns()).Text();
  size_t mine = 0;
  for (size_t i = 0; i < grid.keys.size(); ++i) {
    if (!InShard(i, shard)) continue;
    text += grid.keys[i] + "\n";
    ++mine;
  }
  std::cout << text;
  std::cerr << fmt::format("gradflow sweep: {} runs in the grid, {} in shard {}/{}\n",
                           grid.keys.size(), mine, shard.index, shard.count);
  return kExitOk;
}

// Sweep and merge outputs must not overwrite each other, the shard files
// read, or the --config file; a sweep's journal beside --out counts as an output.
void CheckSweepPaths(const std::string& out, const std::string& summary_out,
                     const std::string& per_layer, const std::string& aggregate_out,
                     const std::vector<std::string>& inputs, const std::string& config_path,
                     bool journaled) {
  std::vector<NamedPath> outputs = {{"--out", out},
                                    {"--summary-out", summary_out},
                                    {"--per-layer", per_layer},
                                    {"--aggregate-out", aggregate_out}};
  if (journaled && out != "-") outputs.push_back({"the journal of --out", JournalPath(out)});
  std::vector<NamedPath> read = {{"--config", config_path}};
  for (const std::string& input : inputs) read.push_back({"shard file", input});
  CheckDistinctPaths(outputs, read);
}

int Sweep(const SweepCliOptions& o) {
  CheckSweepPaths(o.out, o.summary_out, o.per_layer, o.aggregate_out, o.inputs, o.config_path,
                  !o.merge && !o.dry_run);
  if (o.merge) {
    if (o.resume || o.shard != "1/1" || o.dry_run) {
      throw UsageError("--merge joins finished shards: it takes no --resume, --shard or --dry-run");
    }
    MergeRequest request{GridSettings(o.grid),
                         o.mode_option->count() > 0 ? o.mode : "",
                         o.inputs,
                         o.out,
                         o.summary_out,
                         o.per_layer,
                         o.aggregate_out};
    const MergeStats stats = RunMerge(request);
    if (!o.quiet) {
      std::cerr << fmt::format("gradflow sweep --merge: {} runs of a {} sweep from {} files\n",
                               stats.runs, stats.mode->name, stats.files);
    }
    return kExitOk;
  }
  if (!o.inputs.empty()) {
    throw UsageError(
        fmt::format("unexpected argument '{}' (shard files are for --merge; a list of values "
                    "is written with commas, e.g. --activation relu,tanh)",
                    o.inputs.front()));
  }
  if (o.dry_run) return DryRun(o);
  if (o.jobs < 0)
    throw UsageError(fmt::format("--jobs must be >= 0 (0: all cores), got {}", o.jobs));
  SweepRequest request;
  request.mode = o.mode;
  request.settings = GridSettings(o.grid);
  request.shard = ParseShard(o.shard);
  request.jobs = o.jobs;
  request.out = o.out;
  request.summary_out = o.summary_out;
  request.per_layer = o.per_layer;
  request.aggregate_out = o.aggregate_out;
  request.resume = o.resume;
  request.reuse_forward = !o.no_forward_reuse;
  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  const SweepStats stats = RunSweep(request, progress, &std::cerr);
  if (!o.quiet) {
    if (stats.discarded_journal) {
      std::cerr << "gradflow sweep: note: started afresh over an interrupted sweep's journal "
                   "(--resume would have kept its runs)\n";
    }
    if (stats.removed_temps > 0) {
      std::cerr << fmt::format(
          "gradflow sweep: note: removed {} temporary file(s) a killed sweep left beside its "
          "outputs\n",
          stats.removed_temps);
    }
    if (stats.dropped > 0) {
      std::cerr << fmt::format(
          "gradflow sweep: note: {} runs of the earlier output are not in this grid and were "
          "left out\n",
          stats.dropped);
    }
    std::cerr << fmt::format("gradflow sweep: {} runs{} in {:.2f} s\n", stats.runs,
                             stats.resumed ? fmt::format(" ({} resumed)", stats.resumed) : "",
                             stats.seconds);
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupSweep(CLI::App* app) {
  auto o = std::make_shared<SweepCliOptions>();
  o->mode_option = AddModeOption(app, &o->mode)->capture_default_str();
  AddGridOptions(app, &o->grid, &o->config_path);
  app->add_option("-o,--out", o->out,
                  "run: long per-layer CSV, one row per run and layer; spectrum: one row per run "
                  "('-': stdout)")
      ->capture_default_str();
  app->add_option("--summary-out", o->summary_out, "run: summary CSV, one row per run");
  app->add_option("--per-layer", o->per_layer,
                  "spectrum: per-layer CSV, each layer's Jacobian, one row per run and layer");
  app->add_option("--aggregate-out", o->aggregate_out,
                  "per-configuration CSV over seeds: mean and 95% interval of vanishing_ratio");
  app->add_option("-j,--jobs", o->jobs, "runs at once, each single-threaded (0: all cores)")
      ->capture_default_str();
  app->add_option("--shard", o->shard,
                  "run only the K-th of N round-robin slices of the grid (K/N)")
      ->capture_default_str();
  app->add_flag("--resume", o->resume,
                "keep runs already in --out/--summary-out or in the journal of a killed sweep");
  app->add_flag("--no-forward-reuse", o->no_forward_reuse,
                "compute every run's forward pass from layer 1, not from the layers an earlier "
                "run with the same first layers computed (the same results; for timing)");
  app->add_flag("--dry-run", o->dry_run,
                "print the configurations this sweep (shard) would run, as CSV, and exit");
  app->add_flag(
      "--merge", o->merge,
      "merge the shard CSV files given as arguments instead of running (as gradflow merge)");
  app->add_option("inputs", o->inputs, "shard CSV files (with --merge)");
  app->add_flag("-q,--quiet", o->quiet, "no progress bar or notes on stderr");
  return [app, o] {
    ApplyConfigFile(app, o->config_path);
    return Sweep(*o);
  };
}

std::function<int()> SetupMerge(CLI::App* app) {
  auto grid = std::make_shared<GridValues>();
  auto config_path = std::make_shared<std::string>();
  auto request = std::make_shared<MergeRequest>();
  auto quiet = std::make_shared<bool>(false);
  CLI::Option* mode = AddModeOption(app, &request->mode);
  mode->description("the mode the shards were run with (default: as their columns say)");
  AddGridOptions(app, grid.get(), config_path.get());
  app->add_option("inputs", request->inputs,
                  "shard CSV files (layer and/or summary CSVs from sweep --shard), any order; "
                  "shards say their grid, so the grid options are needed only to check it")
      ->required();
  app->add_option("-o,--out", request->out,
                  "merged layer CSV (run) or summary CSV (spectrum) ('-': stdout)")
      ->capture_default_str();
  app->add_option("--summary-out", request->summary_out, "run: merged summary CSV");
  app->add_option("--per-layer", request->per_layer, "spectrum: merged per-layer CSV");
  app->add_option("--aggregate-out", request->aggregate_out,
                  "per-configuration CSV over seeds, from the summary shards");
  app->add_flag("-q,--quiet", *quiet, "no note on stderr");
  return [app, grid, config_path, request, quiet] {
    ApplyConfigFile(app, *config_path);
    request->settings = GridSettings(*grid);
    CheckSweepPaths(request->out, request->summary_out, request->per_layer, request->aggregate_out,
                    request->inputs, *config_path, false);
    const MergeStats stats = RunMerge(*request);
    if (!*quiet) {
      std::cerr << fmt::format("gradflow merge: {} runs of a {} sweep from {} files\n", stats.runs,
                               stats.mode->name, stats.files);
    }
    return kExitOk;
  };
}

}  // namespace gradflow::cli
