// --config FILE for subcommands.
//
// CLI11 2.1 reads a config file only for the main app: on a subcommand,
// set_config("--config") parses the option but never applies the file (so
// `gradflow run --config` is silently ignored). AddConfigOption registers
// --config and ApplyConfigFile applies it after parsing: each `key = value`
// (TOML or INI; arrays allowed; keys as the long option names, '-' or '_')
// sets the option unless the command line already gave it. An unknown key
// or an unreadable file is a UsageError naming the file and key. The file
// may hold at most kMaxConfigFileBytes (1 MiB); a leading UTF-8 BOM is skipped.
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace gradflow::cli {

void AddConfigOption(CLI::App* app, std::string* path);
void ApplyConfigFile(CLI::App* app, const std::string& path);
// The same for a file's text already read; `path` names it in messages.
void ApplyConfigText(CLI::App* app, const std::string& path, const std::string& text);

}  // namespace gradflow::cli
