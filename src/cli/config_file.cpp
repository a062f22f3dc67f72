#include "cli/config_file.h"

#include <algorithm>
#include <sstream>

#include "base/error.h"
#include "base/suggest.h"
#include "fmt/format.h"
#include "io/bounded_read.h"

namespace gradflow::cli {
namespace {

std::string Trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// CLI11 reads an array that does not close on its line as continuing until a
// line ends with ']', and at the end of the file silently keeps what it has
// (dropping its last character). Refuse that instead, naming key and line.
void RequireClosedArrays(const std::string& path, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = Trimmed(line);
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    std::string value = line.substr(equals + 1);
    value = Trimmed(value.substr(0, value.find('#')));
    if (value.empty() || value[0] != '[' || (value.size() > 1 && value.back() == ']')) continue;
    const std::string key = Trimmed(line.substr(0, equals));
    bool closed = false;
    if (value.size() > 1) {  // CLI11 reads on; a lone '[' it takes as a value
      for (std::string next; !closed && std::getline(in, next);) {
        ++number;
        next = Trimmed(next);
        closed = !next.empty() && next.back() == ']';
      }
    }
    if (!closed) {
      throw UsageError(
          fmt::format("--config '{}': key '{}': the array opened with '[' is never closed with ']' "
                      "(write it as [a, b] on one line)",
                      path, key));
    }
  }
}

}  // namespace

void AddConfigOption(CLI::App* app, std::string* path) {
  app->add_option("--config", *path,
                  "read options from a TOML/INI file (key = value, lists as \"a,b\" or [a, b]); "
                  "the command line wins");
}

void ApplyConfigFile(CLI::App* app, const std::string& path) {
  const CLI::Option* option_given = app->get_option_no_throw("--config");
  if (path.empty() && (option_given == nullptr || option_given->count() == 0)) return;
  // Read here, not by CLI11: a size limit (so /dev/zero or a huge file is
  // refused at once) and a leading UTF-8 byte order mark removed.
  ApplyConfigText(app, path, ReadFileLimited(path, kMaxConfigFileBytes, "--config"));
}

void ApplyConfigText(CLI::App* app, const std::string& path, const std::string& raw_text) {
  const std::string text = StripUtf8Bom(raw_text);
  RequireClosedArrays(path, text);
  std::vector<CLI::ConfigItem> items;
  try {
    std::istringstream in(text);
    items = CLI::ConfigTOML().from_config(in);
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
    // An empty list (`quiet = []`) gives an option no value at all; CLI11's
    // flag callbacks read the first value unchecked (found by the fuzzer).
    if (item.inputs.empty()) {
      throw UsageError(fmt::format("--config '{}': key '{}' has an empty list; give it a value",
                                   path, item.name));
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
