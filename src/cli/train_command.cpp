// gradflow train: trains the network on the synthetic teacher task and writes
// per-layer metrics at the logged steps (and a learning curve), with a
// progress table and a summary on stderr.
#include <iostream>
#include <memory>

#include "base/error.h"
#include "base/suggest.h"
#include "cli/commands.h"
#include "experiment/histogram_columns.h"
#include "fmt/format.h"
#include "io/atomic_file.h"
#include "io/output_paths.h"
#include "train/train.h"
#include "train/train_columns.h"
#include "train/train_report.h"

namespace gradflow::cli {
namespace {

struct TrainOptions {
  TrainConfig config;
  NetworkNames names;      // activation, init, input, loss, dtype as given
  std::string out = "-";   // per-layer CSV; "-" is stdout
  std::string curve_out;   // learning-curve CSV; "" for none
  std::string histograms;  // per-layer histograms at the logged steps; "" for none
  int histogram_bins = kDefaultHistogramBins;
  bool quiet = false;  // no report on stderr
  // Which options were given on the command line (set after parsing).
  CLI::App* app = nullptr;
  bool Given(const char* option) const { return app->count(option) > 0; }
};

// Applies the defaults that depend on other options and rejects options that
// do not apply to the chosen task or optimiser.
TrainConfig Resolve(const TrainOptions& options) {
  TrainConfig config = options.config;
  config.run.dtype = ParseDType(options.names.dtype);
  const TaskKind task = ParseTask(config.task);
  RequireOneOf("--optimizer", config.optimizer.name, OptimizerNames());
  const LossKind task_loss = TaskLoss(task);
  if (options.Given("--loss") && options.names.loss != LossName(task_loss)) {
    throw UsageError(fmt::format(
        "--loss: --task {} trains with {}, got '{}' (teacher: cross_entropy, regression: mse; "
        "leave --loss out)",
        config.task, LossName(task_loss), options.names.loss));
  }
  ParseNetworkNames(options.names, &config.run);
  config.run.loss = task_loss;
  if (options.Given("--log-every") && config.log_every < 1) {
    throw UsageError(fmt::format("--log-every must be >= 1, got {}", config.log_every));
  }
  if (options.Given("--epochs") && config.epochs < 1) {
    throw UsageError(fmt::format("--epochs must be >= 1, got {}", config.epochs));
  }
  if (!options.Given("--lr")) config.optimizer.lr = DefaultLearningRate(config.optimizer.name);
  const bool adam = config.optimizer.name == "adam";
  for (const char* option : {"--beta1", "--beta2", "--eps"}) {
    if (!adam && options.Given(option)) {
      throw UsageError(fmt::format("{} applies to --optimizer adam only (got --optimizer {})",
                                   option, config.optimizer.name));
    }
  }
  if (adam && options.Given("--momentum")) {
    throw UsageError("--momentum applies to --optimizer sgd only (adam uses --beta1)");
  }
  if (task == TaskKind::kRegression && options.Given("--classes")) {
    throw UsageError("--classes applies to --task teacher only (regression uses --output-dim)");
  }
  if (task == TaskKind::kTeacher && options.Given("--output-dim")) {
    throw UsageError("--output-dim applies to --task regression only (teacher uses --classes)");
  }
  return config;
}

int RunTrain(const TrainOptions& options) {
  TrainConfig config = Resolve(options);
  Validate(config);
  ValidateHistogramBins(options.histogram_bins);
  if (options.Given("--histogram-bins") && options.histograms.empty()) {
    throw UsageError("--histogram-bins applies with --histograms only (no histograms are written)");
  }
  if (options.out.empty()) {
    throw UsageError("--out: the file name is empty (give a path, or '-' for stdout)");
  }
  if (!options.histograms.empty()) config.histogram_bins = options.histogram_bins;
  CheckWritable("--out", options.out);
  CheckWritable("--curve-out", options.curve_out);
  CheckWritable("--histograms", options.histograms);
  CheckDistinctPaths({{"--out", options.out},
                      {"--curve-out", options.curve_out},
                      {"--histograms", options.histograms}},
                     {{"--config", ConfigPathOf(options.app)}});
  const bool quiet = options.quiet;
  const TrainResult result = Train(config, [quiet](const TrainResult& r, const TrainRow& row) {
    if (quiet) return;
    if (r.rows.size() == 1) std::cerr << FormatTrainHeader(r.config);
    std::cerr << FormatTrainProgress(r.config, row) << std::flush;
  });
  // Every output is staged, then all are renamed: a failure leaves none replaced.
  AtomicWriteSet outputs;
  outputs.Add(options.out, TrainLayerCsvHeader() + TrainLayerCsvRows(result));
  if (!options.curve_out.empty()) {
    outputs.Add(options.curve_out, CurveCsvHeader() + CurveCsvRows(result));
  }
  if (!options.histograms.empty()) {
    std::string histograms = HistogramCsvHeader();
    for (const TrainRow& row : result.rows) {
      histograms += HistogramCsvRows(result.config.run, row.histograms);
    }
    outputs.Add(options.histograms, histograms);
  }
  outputs.Commit();
  if (!quiet) std::cerr << FormatTrainSummary(result);
  if (result.diverged) {
    std::cerr << fmt::format(
        "gradflow: training stopped after {} of {} steps: {}; the rows up to step {} were "
        "written\n",
        result.steps_done, TotalSteps(result.config), result.stop_reason, result.rows.back().step);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupTrain(CLI::App* app) {
  auto options = std::make_shared<TrainOptions>();
  options->app = app;
  TrainConfig& c = options->config;
  AddNetworkOptions(app, &c.run, &options->names);
  // Shared options whose meaning differs in training.
  // The loss follows from --task; --loss is accepted only when it agrees.
  app->get_option("--loss")
      ->description("follows --task (teacher: cross_entropy, regression: mse); may be omitted")
      ->type_name("NAME")
      ->default_str("");
  app->get_option("--batch")->description(
      "mini-batch size; also the size of the fixed evaluation batch (the first --batch "
      "training samples) on which the per-layer metrics are measured");
  app->add_option("--task", c.task,
                  "teacher: classify the labels of a fixed random tanh teacher MLP "
                  "(cross_entropy, --classes) | regression: fit its outputs (mse, --output-dim)")
      ->capture_default_str();
  app->add_option("--train-size", c.train_size, "training samples")->capture_default_str();
  app->add_option("--test-size", c.test_size, "test samples")->capture_default_str();
  app->add_option("--optimizer", c.optimizer.name, "sgd | adam")->capture_default_str();
  app->add_option("--lr", c.optimizer.lr, "learning rate (default: sgd 0.05, adam 0.001)");
  app->add_option("--momentum", c.optimizer.momentum, "sgd: momentum in [0, 1)")
      ->capture_default_str();
  app->add_option("--beta1", c.optimizer.beta1, "adam: first-moment decay")->capture_default_str();
  app->add_option("--beta2", c.optimizer.beta2, "adam: second-moment decay")->capture_default_str();
  app->add_option("--eps", c.optimizer.eps, "adam: epsilon")->capture_default_str();
  CLI::Option* steps =
      app->add_option("--steps", c.steps, "optimiser updates")->capture_default_str();
  CLI::Option* epochs = app->add_option("--epochs", c.epochs,
                                        "train for this many epochs instead of --steps "
                                        "(floor(train-size/batch) steps each)");
  epochs->excludes(steps);
  CLI::Option* every =
      app->add_option("--log-every", c.log_every, "log steps 0, K, 2K, ... and the last step");
  CLI::Option* log_steps =
      app->add_option(
             "--log-steps", c.log_steps,
             "log: steps 0,1,2,3,5,8,13,... (Fibonacci, log-spaced) and the last step; or a list "
             "such as 0,10,100")
          ->capture_default_str();
  every->excludes(log_steps);
  app->add_option("-o,--out", options->out, "per-layer CSV file ('-': stdout)")
      ->capture_default_str();
  app->add_option("--curve-out", options->curve_out,
                  "learning-curve CSV file: one row per logged step");
  app->add_option("--histograms", options->histograms,
                  "per-layer histogram CSV (preact, act, log10|delta|) on the evaluation batch at "
                  "every logged step ('step' column)");
  app->add_option("--histogram-bins", options->histogram_bins,
                  "regular bins per layer and quantity, over that layer's value range")
      ->capture_default_str();
  app->add_flag("-q,--quiet", options->quiet, "no progress or summary on stderr");
  return [options] { return RunTrain(*options); };
}

}  // namespace gradflow::cli
