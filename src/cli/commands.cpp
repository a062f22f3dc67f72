#include "cli/commands.h"

namespace gradflow::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"run", "build a network, run one forward/backward pass, write per-layer metrics as CSV",
       SetupRun},
      {"list",
       "list the activations and initialisations with their formulas (and --columns, --json)",
       SetupList, kExitFailure, false},
      {"theory",
       "mean-field predictions: per-layer q, chi, delta ratios and the phase (or a phase table)",
       SetupTheory},
      {"train",
       "train on a synthetic teacher task, logging per-layer gradients and how much each layer "
       "learns",
       SetupTrain},
      {"sweep", "run a grid of configurations in parallel; long, summary and aggregate CSVs",
       SetupSweep},
      {"merge", "join the CSVs of sharded sweeps into what one unsharded sweep writes", SetupMerge},
      {"check", "compare a sweep with a baseline and check rules, for CI (exit 0/1/2/3)",
       SetupCheck, kExitCheckFailed},
      {"spectrum",
       "singular values of the input-output Jacobian (dynamical isometry), measured and predicted",
       SetupSpectrum},
      {"bench",
       "time every activation: ns per element of phi and phi', and its share of a whole pass "
       "beside the matrix products",
       SetupBench},
  };
  return commands;
}

std::string ConfigPathOf(const CLI::App* app) {
  const CLI::Option* option = app->get_option_no_throw("--config");
  return option != nullptr && option->count() > 0 ? option->results().front() : "";
}

}  // namespace gradflow::cli
