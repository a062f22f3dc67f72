// gradflow: shows, measures and regression-tests vanishing and exploding
// gradients in deep networks. main() parses the subcommand table and maps
// errors to exit codes: 0 success, 1 runtime failure (stdout that could not be
// written included), 2 bad usage or input; check has its own (commands.h).
#include <iostream>
#include <memory>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/help_format.h"
#include "cli/strict_numbers.h"
#include "io/atomic_file.h"

#ifndef GRADFLOW_VERSION
#define GRADFLOW_VERSION "unknown"
#endif

namespace {

// False (with a message) when stdout could not be written, e.g. `--help > /dev/full`.
bool StdoutWritten() {
  try {
    gradflow::FlushStdout();
    return true;
  } catch (const std::exception& e) {
    std::cerr << "gradflow: failed: " << e.what() << "\n";
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gradflow::cli;
  CLI::App app{"gradflow: measure vanishing and exploding gradients in deep networks"};
  app.set_version_flag("--version", GRADFLOW_VERSION);
  // Subcommands take the formatter of their parent when they are added.
  app.formatter(std::make_shared<WrappingFormatter>(HelpWidth()));
  app.require_subcommand(1);
  struct Runner {
    CLI::App* sub;
    std::function<int()> run;
    int failure_exit;
  };
  std::vector<Runner> runners;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    std::function<int()> run = command.setup(sub);
    // Every subcommand with options takes --config FILE; those that handle it themselves
    // (sweep, merge, check: the grid must be complete before it is expanded)
    // register it in their setup.
    if (command.reads_config && sub->get_option_no_throw("--config") == nullptr) {
      auto path = std::make_shared<std::string>();
      AddConfigOption(sub, path.get());
      run = [sub, path, run] {
        ApplyConfigFile(sub, *path);
        return run();
      };
    }
    runners.push_back({sub, run, command.failure_exit});
  }
  AddStrictNumberChecks(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    const int code = app.exit(e);
    return StdoutWritten() ? code : kExitFailure;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (const Runner& runner : runners) {
    if (!runner.sub->parsed()) continue;
    try {
      const int code = runner.run();
      // Output lost on a full disk or closed pipe is a failure, not success.
      gradflow::FlushStdout();
      return code;
    } catch (const gradflow::UsageError& e) {
      std::cerr << "gradflow: error: " << e.what() << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "gradflow: failed: " << e.what() << "\n";
      return runner.failure_exit;
    }
  }
  return kExitUsage;
}
