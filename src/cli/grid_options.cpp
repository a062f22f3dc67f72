#include "cli/grid_options.h"

#include "base/suggest.h"
#include "cli/config_file.h"
#include "engine/activation.h"
#include "engine/init.h"

namespace gradflow::cli {

void AddGridOptions(CLI::App* app, GridValues* values, std::string* config_path) {
  for (const SweepOption& option : SweepOptions()) {
    std::string flags = std::string("--") + option.name;
    if (std::string(option.name) == "seed") flags += ",--seeds";
    if (std::string(option.name) == "batch") flags += ",--samples";  // as `gradflow spectrum`
    std::string help = option.help;
    if (std::string(option.name) == "activation") help += ": " + JoinNames(ActivationNames());
    if (std::string(option.name) == "init") help += ": " + JoinNames(InitNames());
    // NAMES: a choice ("all" allowed); LIST: numbers, ranges too; VALUE: one value.
    const char* type = !option.is_axis ? "VALUE" : option.all != nullptr ? "NAMES" : "LIST";
    app->add_option(flags, (*values)[option.name], help)
        ->expected(1)
        // One value per occurrence: "--activation relu tanh" leaves "tanh" as
        // a stray argument (refused) instead of silently adding it to the list.
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->type_name(type);
  }
  AddConfigOption(app, config_path);
  // The list syntax once, not on every line.
  app->footer(
      "NAMES: comma-separated names, or all. LIST: comma-separated numbers a,b,c, or a range "
      "lo..hi (integers: every one) or lo..hi..step. VALUE: one value for the whole grid.");
}

std::vector<SweepSetting> GridSettings(const GridValues& values) {
  std::vector<SweepSetting> settings;
  for (const auto& [name, lists] : values) {
    if (lists.empty()) continue;
    std::string joined;
    for (const std::string& list : lists) joined += (joined.empty() ? "" : ",") + list;
    settings.push_back(SweepSetting{name, joined});
  }
  return settings;
}

}  // namespace gradflow::cli
