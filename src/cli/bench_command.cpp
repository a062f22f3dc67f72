// gradflow bench: the cost of every activation (experiment/activation_cost.h):
// ns per element of φ and of φ with φ', float32 and float64, and the share of
// one whole run pass spent in activations versus matrix products.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "base/error.h"
#include "base/parallel.h"
#include "base/progress.h"
#include "cli/commands.h"
#include "engine/memory_estimate.h"
#include "experiment/activation_cost.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"

namespace gradflow::cli {
namespace {

struct BenchOptions {
  ActivationCostOptions cost;
  bool no_pass = false;
  int threads = 1;
  std::string out = "-";
  bool quiet = false;
  std::string config_path;
};

void RequireRange(const char* option, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    throw UsageError(fmt::format("{} must be in [{}, {}], got {}", option, lo, hi, value));
  }
}

int Bench(BenchOptions o) {
  RequireRange("--elements", o.cost.elements, 1024, int64_t{1} << 26);
  RequireRange("--repeats", o.cost.repeats, 1, 1000);
  RequireRange("--pass-repeats", o.cost.pass_repeats, 1, 100);
  RequireRange("--threads", o.threads, 0, 1024);
  o.cost.pass = !o.no_pass;
  CheckWritable("--out", o.out);
  CheckDistinctPaths({{"--out", o.out}}, {{"--config", o.config_path}});
  RunConfig config;  // the pass's network, as MeasureActivationCost builds it
  config.depth = o.cost.depth;
  config.width = o.cost.width;
  config.batch = o.cost.batch;
  config.dtype = DType::kFloat64;  // the larger of the two
  config.threads = o.threads;
  Validate(config);  // with --no-pass too: a bad size is a mistake either way
  if (o.cost.pass) CheckMemory(config);
  SetThreads(o.threads);
  ProgressBar bar(2 * ActivationTable().size(), !o.quiet && isatty(STDERR_FILENO), &std::cerr);
  const std::vector<ActivationCostRow> rows =
      MeasureActivationCost(o.cost, [&](int done, int) { bar.Update(done); });
  bar.Finish();
  WriteAtomically(o.out, ActivationCostCsv(rows));
  return kExitOk;
}

}  // namespace

std::function<int()> SetupBench(CLI::App* app) {
  auto o = std::make_shared<BenchOptions>();
  app->add_option("--elements", o->cost.elements, "values per timing of phi and phi'")
      ->capture_default_str();
  app->add_option("--repeats", o->cost.repeats,
                  "repeats of each phi / phi' timing; the fastest is reported")
      ->capture_default_str();
  app->add_option("--pass-repeats", o->cost.pass_repeats,
                  "repeats of each pass timing; the fastest is reported")
      ->capture_default_str();
  app->add_flag("--no-pass", o->no_pass, "time phi and phi' only, not a whole pass");
  app->add_option("--depth", o->cost.depth, "hidden layers of the timed pass")
      ->capture_default_str();
  app->add_option("--width", o->cost.width, "units per hidden layer of the timed pass")
      ->capture_default_str();
  app->add_option("--batch", o->cost.batch, "samples of the timed pass")->capture_default_str();
  app->add_option("--seed", o->cost.seed, "random seed of the values and the network")
      ->capture_default_str();
  app->add_option("--threads", o->threads, "worker threads (0: all cores)")->capture_default_str();
  app->add_option("-o,--out", o->out, "CSV file ('-': stdout)")->capture_default_str();
  app->add_flag("-q,--quiet", o->quiet, "no progress bar on stderr");
  return [o, app] {
    o->config_path = ConfigPathOf(app);
    return Bench(*o);
  };
}

}  // namespace gradflow::cli
