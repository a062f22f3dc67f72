// `--config FILE` for every subcommand.
//
// CLI11 2.1 reads config files only at the top level, so gradflow expands a
// subcommand's config file itself: each `key = value` line (TOML/INI style:
// '#' or ';' comments, [section] headers ignored, quoted or bare values,
// key spelt with '-' or '_') becomes `--key value` on the command line, placed
// before the user's own options. Options given on the command line win over
// the file. `true` turns a flag on; `false` leaves it off.
#pragma once

#include <string>
#include <vector>

namespace gradflow::cli {

// args excludes argv[0]. Throws UsageError naming --config when the file
// cannot be read or a line is malformed (with its line number).
std::vector<std::string> ExpandConfigFile(const std::vector<std::string>& args);

}  // namespace gradflow::cli
