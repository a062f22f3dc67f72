// The grid options shared by `gradflow sweep` and `gradflow merge`: every
// sweepable `run` option as a value list (core: sweep_grid.h), and --config.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "sweep/sweep_grid.h"

namespace gradflow::cli {

// option name -> the lists given (several occurrences or TOML array items).
using GridValues = std::map<std::string, std::vector<std::string>>;

// Registers the grid options and --config (applied by GridSettings' caller
// through ApplyConfigFile after parsing).
void AddGridOptions(CLI::App* app, GridValues* values, std::string* config_path);
// The settings given, each option's lists joined by ','.
std::vector<SweepSetting> GridSettings(const GridValues& values);

}  // namespace gradflow::cli
