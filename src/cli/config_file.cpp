#include "cli/config_file.h"

#include <algorithm>

#include "base/error.h"
#include "base/suggest.h"
#include "fmt/format.h"

namespace gradflow::cli {

void AddConfigOption(CLI::App* app, std::string* path) {
  app->add_option("--config", *path,
                  "read options from a TOML/INI file (key = value, lists as \"a,b\" or [a, b]); "
                  "the command line wins");
}

void ApplyConfigFile(CLI::App* app, const std::string& path) {
  if (path.empty()) return;
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    throw UsageError(fmt::format("--config: cannot read '{}': {}", path, e.what()));
  }
  std::vector<std::string> names;
  for (const CLI::Option* option : app->get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back(name);
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    if (!item.parents.empty() &&
        !(item.parents.size() == 1 && item.parents[0] == app->get_name())) {
      throw UsageError(fmt::format("--config '{}': section [{}] is not [{}]", path,
                                   item.parents.front(), app->get_name()));
    }
    std::string key = item.name;
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* option = app->get_option_no_throw("--" + key);
    if (option == nullptr || key == "config" || key == "help") {
      const std::string near = ClosestName(key, names);
      throw UsageError(fmt::format("--config '{}': unknown key '{}'{}", path, item.name,
                                   near.empty() ? "" : "; did you mean '" + near + "'?"));
    }
    if (option->count() > 0) continue;  // the command line wins
    try {
      option->add_result(item.inputs);
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw UsageError(fmt::format("--config '{}': key '{}': {}", path, item.name, e.what()));
    }
  }
}

}  // namespace gradflow::cli
