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
};

const std::vector<Command>& Commands();

// Exit codes, documented in the README.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // runtime failure (or: check found a regression)
constexpr int kExitUsage = 2;    // bad usage or unreadable input

// The network, data, loss and metric options shared by run, train and sweep.
// String-valued choices are kept in *dtype and checked by Validate later.
void AddNetworkOptions(CLI::App* app, RunConfig* config, std::string* dtype);

// Each command's setup, one per file.
std::function<int()> SetupRun(CLI::App* app);
std::function<int()> SetupList(CLI::App* app);
std::function<int()> SetupTheory(CLI::App* app);
std::function<int()> SetupTrain(CLI::App* app);
std::function<int()> SetupSweep(CLI::App* app);
std::function<int()> SetupMerge(CLI::App* app);
std::function<int()> SetupCheck(CLI::App* app);
std::function<int()> SetupSpectrum(CLI::App* app);

}  // namespace gradflow::cli
