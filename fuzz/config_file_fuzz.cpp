// libFuzzer target for the --config file parser (cli/config_file.h): any text
// must either apply or throw UsageError, against an app with options of the
// kinds gradflow's commands use (integer, number, name, list, flag), with the
// strict number checks the program adds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "base/error.h"
#include "cli/config_file.h"
#include "cli/strict_numbers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  CLI::App app{"fuzz", "run"};
  int depth = 0;
  double gain = 0;
  std::string activation;
  std::vector<std::string> seeds;
  bool quiet = false;
  app.add_option("--depth", depth);
  app.add_option("--gain", gain);
  app.add_option("--activation", activation);
  app.add_option("--seed", seeds)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("-q,--quiet", quiet);
  std::string path;
  gradflow::cli::AddConfigOption(&app, &path);
  gradflow::cli::AddStrictNumberChecks(&app);
  app.parse(std::vector<std::string>{});
  try {
    gradflow::cli::ApplyConfigText(&app, "fuzz.toml", text);
  } catch (const gradflow::UsageError&) {
  }
  return 0;
}
