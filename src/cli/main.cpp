// gradflow: shows, measures and regression-tests vanishing and exploding
// gradients in deep networks. main() parses the subcommand table and maps
// errors to exit codes: 0 success, 1 runtime failure, 2 bad usage or input.
#include <iostream>
#include <memory>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/strict_numbers.h"

#ifndef GRADFLOW_VERSION
#define GRADFLOW_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace gradflow::cli;
  CLI::App app{"gradflow: measure vanishing and exploding gradients in deep networks"};
  app.set_version_flag("--version", GRADFLOW_VERSION);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    std::function<int()> run = command.setup(sub);
    // Every subcommand takes --config FILE; those that handle it themselves
    // (sweep, merge, check: the grid must be complete before it is expanded)
    // register it in their setup.
    if (sub->get_option_no_throw("--config") == nullptr) {
      auto path = std::make_shared<std::string>();
      AddConfigOption(sub, path.get());
      run = [sub, path, run] {
        ApplyConfigFile(sub, *path);
        return run();
      };
    }
    runners.emplace_back(sub, run);
  }
  AddStrictNumberChecks(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
  } catch (const gradflow::UsageError& e) {
    std::cerr << "gradflow: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "gradflow: failed: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitUsage;
}
