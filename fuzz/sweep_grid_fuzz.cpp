// libFuzzer target for the sweep grid's list and shard parsers
// (sweep/sweep_grid.h). The input is lines "option=list" (the option chosen
// among SweepOptions() by name) or "shard=K/N". Each must parse or throw
// UsageError; CountValues must agree with ExpandValues; a small grid is
// expanded and must not have more runs than the product of its list lengths.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "sweep/sweep_grid.h"

namespace {

constexpr uint64_t kMaxValuesToExpand = 10'000;  // keeps each input fast
constexpr uint64_t kMaxRunsToExpand = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<gradflow::SweepSetting> settings;
  uint64_t runs = 1;
  bool all_parsed = true;
  for (std::string line; std::getline(in, line);) {
    const size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = line.substr(0, equals), list = line.substr(equals + 1);
    try {
      if (name == "shard") {
        const gradflow::Shard shard = gradflow::ParseShard(list);
        if (shard.index < 1 || shard.index > shard.count) __builtin_trap();
        if (!gradflow::InShard(static_cast<size_t>(shard.index - 1), shard)) __builtin_trap();
        continue;
      }
      const gradflow::SweepOption& option = gradflow::FindSweepOption(name);
      const uint64_t count = gradflow::CountValues(option, list);
      if (count == 0 || count > gradflow::kMaxSweepRuns) __builtin_trap();
      if (count > kMaxValuesToExpand) {
        all_parsed = false;
        continue;
      }
      const std::vector<std::string> values = gradflow::ExpandValues(option, list);
      if (values.size() != count) __builtin_trap();
      settings.push_back({name, list});
      runs *= count;
    } catch (const gradflow::UsageError&) {
      all_parsed = false;
    }
  }
  if (all_parsed && !settings.empty() && runs <= kMaxRunsToExpand) {
    try {
      const gradflow::SweepGrid grid = gradflow::ExpandGrid(settings);
      if (grid.runs.size() > runs || grid.runs.size() != grid.keys.size()) __builtin_trap();
    } catch (const gradflow::UsageError&) {  // an invalid combination, or an option twice
    }
  }
  return 0;
}
