// The subcommand table of the gradflow CLI.
//
// Each command registers its options on its CLI11 subcommand and returns the
// function that runs it after parsing (returning the exit code). main() owns
// error handling: UsageError -> 2, other exceptions -> 1.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "engine/config.h"

namespace gradflow::cli {

struct Command {
  const char* name;
  const char* help;
  std::function<std::function<int()>(CLI::App* app)> setup;
  int failure_exit = 1;  // exit code of a runtime failure (kExitFailure; check: kExitCheckFailed)
  bool reads_config = true;  // takes --config FILE (list has no options a file could set)
};

const std::vector<Command>& Commands();

// Exit codes, documented in the README.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // runtime failure (or: check found a regression)
constexpr int kExitUsage = 2;    // bad usage or unreadable input
// check's runtime failure (a report or stdout that could not be written): not
// 1, which says a regression was found.
constexpr int kExitCheckFailed = 3;

// The choices of a RunConfig as the user wrote them, parsed once after the
// command line and any --config file are read (ParseNetworkNames).
struct NetworkNames {
  std::string activation, init, input, loss, dtype, norm;
  std::vector<std::string> widths;  // --widths as written (split at ','); empty when not given
  // Set by AddNetworkOptions, read after parsing: which of them were given.
  const CLI::Option* depth_option = nullptr;
  const CLI::Option* width_option = nullptr;
  const CLI::Option* residual_scale_option = nullptr;
};

// The network, data, loss and metric options shared by run and train. The
// choices go to *names (defaults: *config's), the rest straight to *config.
void AddNetworkOptions(CLI::App* app, RunConfig* config, NetworkNames* names);
// Sets config's activation, init, input, loss, dtype, norm and widths from
// *names; throws UsageError naming the option, the value and the allowed
// names, and for --widths given with --depth or --width, or --residual-scale
// without --residual.
void ParseNetworkNames(const NetworkNames& names, RunConfig* config);

// One option per parameter of a table's rows (--leaky-slope, --init-std, ...),
// bound to its field of *values.
template <typename Params>
void AddParameterOptions(CLI::App* app, const std::vector<const ParameterSpec<Params>*>& parameters,
                         Params* values) {
  for (const ParameterSpec<Params>* p : parameters) {
    if (p->IsInteger()) {
      app->add_option(p->option, values->*(p->whole), p->help)->capture_default_str();
    } else {
      app->add_option(p->option, values->*(p->real), p->help)->capture_default_str();
    }
  }
}

// The --config FILE given to `app` after parsing, or "" (an input that no
// output may overwrite).
std::string ConfigPathOf(const CLI::App* app);

// Each command's setup, one per file.
std::function<int()> SetupRun(CLI::App* app);
std::function<int()> SetupList(CLI::App* app);
std::function<int()> SetupTheory(CLI::App* app);
std::function<int()> SetupTrain(CLI::App* app);
std::function<int()> SetupSweep(CLI::App* app);
std::function<int()> SetupMerge(CLI::App* app);
std::function<int()> SetupCheck(CLI::App* app);
std::function<int()> SetupSpectrum(CLI::App* app);
std::function<int()> SetupBench(CLI::App* app);

}  // namespace gradflow::cli
