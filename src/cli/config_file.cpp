#include "config_file.h"

#include <algorithm>
#include <fstream>

#include "error.h"

namespace gradflow::cli {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

bool GivenOnCommandLine(const std::vector<std::string>& args, const std::string& option) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return a == option || a.rfind(option + "=", 0) == 0;
  });
}

// The options that `path` stands for, skipping those already in `args`.
std::vector<std::string> ReadConfig(const std::string& path, const std::vector<std::string>& args) {
  std::ifstream in(path);
  if (!in) throw UsageError("--config: cannot read '" + path + "'");
  std::vector<std::string> options;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos) {
      throw UsageError("--config: " + path + " line " + std::to_string(number) +
                       ": expected 'key = value', got '" + line + "'");
    }
    std::string key = Trim(line.substr(0, equals));
    std::string value = Trim(line.substr(equals + 1));
    std::replace(key.begin(), key.end(), '_', '-');
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    const std::string option = "--" + key;
    if (GivenOnCommandLine(args, option)) continue;
    if (value == "false") continue;
    options.push_back(option);
    if (value != "true") options.push_back(value);
  }
  return options;
}

}  // namespace

std::vector<std::string> ExpandConfigFile(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string path;
    if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
    if (args[i].rfind("--config=", 0) == 0) path = args[i].substr(9);
    if (path.empty()) continue;
    // Insert right after the subcommand name (the first argument).
    const std::vector<std::string> options = ReadConfig(path, args);
    std::vector<std::string> expanded(args.begin(), args.begin() + 1);
    expanded.insert(expanded.end(), options.begin(), options.end());
    expanded.insert(expanded.end(), args.begin() + 1, args.end());
    return expanded;
  }
  return args;
}

}  // namespace gradflow::cli
