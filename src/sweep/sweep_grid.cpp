#include "sweep/sweep_grid.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_set>

#include "base/error.h"
#include "base/suggest.h"
#include "experiment/run_columns.h"
#include "fmt/format.h"
#include "io/csv_writer.h"

namespace gradflow {
namespace {

[[noreturn]] void BadValue(const char* option, const std::string& value, const char* allowed) {
  throw UsageError(fmt::format("--{}: '{}' is not {}", option, value, allowed));
}

int ParseInt(const char* option, const std::string& value) {
  int result = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (value.empty() || ptr != value.data() + value.size() || ec == std::errc::invalid_argument) {
    BadValue(option, value, "an integer");
  }
  if (ec == std::errc::result_out_of_range) {
    throw UsageError(fmt::format("--{}: '{}' is out of range (integers from {} to {})", option,
                                 value, std::numeric_limits<int>::min(),
                                 std::numeric_limits<int>::max()));
  }
  return result;
}

// Exact: decimal digits only (no sign, no "0x", no blanks), never through a double.
uint64_t ParseU64(const char* option, const std::string& value) {
  uint64_t result = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (value.empty() || ptr != value.data() + value.size() || ec == std::errc::invalid_argument) {
    BadValue(option, value, "a non-negative integer");
  }
  if (ec == std::errc::result_out_of_range) {
    throw UsageError(fmt::format("--{}: '{}' is out of range (integers from 0 to {})", option,
                                 value, std::numeric_limits<uint64_t>::max()));
  }
  return result;
}

double ParseDouble(const char* option, const std::string& value) {
  double result = 0;
  const char* begin = value.data() + (!value.empty() && value[0] == '+' ? 1 : 0);
  const auto [ptr, ec] = std::from_chars(begin, value.data() + value.size(), result);
  if (value.empty() || ptr != value.data() + value.size() || ec == std::errc::invalid_argument) {
    BadValue(option, value, "a number");
  }
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `result` alone here: tiny values are 0, huge ones out of range.
    const size_t exponent = value.find_first_of("eE");
    const bool tiny =
        exponent != std::string::npos && exponent + 1 < value.size() && value[exponent + 1] == '-';
    if (!tiny) {
      throw UsageError(fmt::format("--{}: '{}' is too large for a double", option, value));
    }
    result = std::strtod(value.c_str(), nullptr);  // 0 or the nearest subnormal, signed
  }
  return result;
}

std::vector<std::string> AllLosses() { return LossNames(); }
std::vector<std::string> AllInputs() { return InputNames(); }
std::vector<std::string> AllDTypes() { return DTypeNames(); }
std::vector<std::string> AllResidual() { return {"off", "on"}; }

using C = RunConfig;

// One grid option per parameter of a table row, named as its CLI option.
template <typename Params>
SweepOption ParameterOption(const ParameterSpec<Params>* p, Params RunConfig::*params) {
  const char* name = p->option + 2;  // without "--"
  return {name, p->help, true,
          [p, params, name](const std::string& v, C* c) {
            if (p->IsInteger()) {
              (c->*params).*(p->whole) = ParseInt(name, v);
            } else {
              (c->*params).*(p->real) = ParseDouble(name, v);
            }
          },
          nullptr};
}

std::vector<SweepOption> MakeOptions() {
  std::vector<SweepOption> options = {
      {"activation", "activations (or 'all')", true,
       [](const std::string& v, C* c) { c->activation = ParseActivation(v); }, ActivationNames}};
  for (const ActivationParameter* p : ActivationParameters()) {
    options.push_back(ParameterOption(p, &RunConfig::activation_params));
  }
  options.push_back({"init", "weight initialisations (or 'all')", true,
                     [](const std::string& v, C* c) { c->init = ParseInit(v); }, InitNames});
  for (const InitParameter* p : InitParameters()) {
    options.push_back(ParameterOption(p, &RunConfig::init_params));
  }
  const std::vector<SweepOption> rest = {
      {"gain", "multiplier on every initial weight", true,
       [](const std::string& v, C* c) { c->gain = ParseDouble("gain", v); }, nullptr},
      {"bias-std", "biases ~ N(0, std^2)", true,
       [](const std::string& v, C* c) { c->bias_std = ParseDouble("bias-std", v); }, nullptr},
      {"depth", "hidden layers", true,
       [](const std::string& v, C* c) { c->depth = ParseInt("depth", v); }, nullptr},
      {"width", "units per hidden layer", true,
       [](const std::string& v, C* c) { c->width = ParseInt("width", v); }, nullptr},
      // After depth and width, which it sets; written 512x256x128 (',' separates the list).
      {"widths", "units of each hidden layer, 'x'-separated: 512x256x128 (not with depth/width)",
       true, [](const std::string& v, C* c) { SetWidths(ParseWidths(v, "--widths"), c); }, nullptr},
      {"norm", "none | batch | layer (or 'all')", true,
       [](const std::string& v, C* c) { c->norm = ParseNorm(v); }, NormNames},
      {"residual", "off | on (or 'all'): residual connections", true,
       [](const std::string& v, C* c) {
         if (v != "off" && v != "on") BadValue("residual", v, "off or on");
         c->residual = v == "on";
       },
       AllResidual},
      {"residual-scale", "s in a^l = a^(l-1) + s*phi(...), with residual on", true,
       [](const std::string& v, C* c) { c->residual_scale = ParseDouble("residual-scale", v); },
       nullptr},
      {"input-dim", "input dimension (0: same as --width)", true,
       [](const std::string& v, C* c) { c->input_dim = ParseInt("input-dim", v); }, nullptr},
      {"batch", "samples per batch (--mode spectrum: input samples, one Jacobian each)", true,
       [](const std::string& v, C* c) { c->batch = ParseInt("batch", v); }, nullptr},
      {"input", "input distributions (or 'all')", true,
       [](const std::string& v, C* c) { c->input = ParseInput(v); }, AllInputs},
      {"input-scale", "multiplier on every input", true,
       [](const std::string& v, C* c) { c->input_scale = ParseDouble("input-scale", v); }, nullptr},
      {"loss", "losses (or 'all')", true,
       [](const std::string& v, C* c) { c->loss = ParseLoss(v); }, AllLosses},
      {"output-dim", "mse: outputs of the linear head", true,
       [](const std::string& v, C* c) { c->output_dim = ParseInt("output-dim", v); }, nullptr},
      {"classes", "cross_entropy: classes of the linear head", true,
       [](const std::string& v, C* c) { c->classes = ParseInt("classes", v); }, nullptr},
      {"dtype", "float32 | float64 (or 'all')", true,
       [](const std::string& v, C* c) { c->dtype = ParseDType(v); }, AllDTypes},
      {"seed", "random seeds, e.g. 0..9", true,
       [](const std::string& v, C* c) { c->seed = ParseU64("seed", v); }, nullptr},
      // Scalars: not CSV columns, so a list would give indistinguishable runs.
      {"saturation-threshold", "tau: saturated when |phi'(z)| < tau * max|phi'| (one value)", false,
       [](const std::string& v, C* c) {
         c->saturation_threshold = ParseDouble("saturation-threshold", v);
       },
       nullptr},
      {"vanishing-threshold", "verdict 'vanishing' below this ratio (one value)", false,
       [](const std::string& v, C* c) {
         c->vanishing_threshold = ParseDouble("vanishing-threshold", v);
       },
       nullptr},
      {"exploding-threshold", "verdict 'exploding' above this ratio (one value)", false,
       [](const std::string& v, C* c) {
         c->exploding_threshold = ParseDouble("exploding-threshold", v);
       },
       nullptr},
      {"memory-limit-gb", "refuse runs whose memory estimate exceeds this (one value)", false,
       [](const std::string& v, C* c) { c->memory_limit_gb = ParseDouble("memory-limit-gb", v); },
       nullptr},
  };
  options.insert(options.end(), rest.begin(), rest.end());
  return options;
}

std::vector<std::string> SplitOn(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + separator.size();
  }
}

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

bool LooksIntegral(const std::string& text) {
  return text.find_first_of(".eEnN") == std::string::npos;
}

using Int128 = __int128;

// An integer of at most 38 digits with an optional sign, exactly; false if
// `text` is not one (then the range is read as decimals).
bool ParseInt128(const std::string& text, Int128* value) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (i == text.size() || text.size() - i > 38) return false;
  Int128 magnitude = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    magnitude = magnitude * 10 + (text[i] - '0');
  }
  *value = text[0] == '-' ? -magnitude : magnitude;
  return true;
}

std::string FormatInt128(Int128 value) {
  if (value < 0) return "-" + FormatInt128(-value);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return digits;
}

constexpr uint64_t kMaxRangeValues = 1'000'000;

// A parsed lo..hi or lo..hi..step. Integer ranges are exact (128-bit, so any
// int or uint64 option value, seeds up to 2^64 - 1 included); others are doubles.
struct Range {
  bool integral = false;
  Int128 lo = 0, step = 1;
  double real_lo = 0, real_step = 1;
  uint64_t count = 0;
};

Range ParseRange(const SweepOption& option, const std::string& item) {
  const std::vector<std::string> parts = SplitOn(item, "..");
  if (option.all != nullptr) {
    throw UsageError(
        fmt::format("--{}: ranges like '{}' are only for numeric options; list the "
                    "names (or 'all')",
                    option.name, item));
  }
  if (parts.size() > 3) {
    throw UsageError(
        fmt::format("--{}: '{}' is not a range lo..hi or lo..hi..step", option.name, item));
  }
  Range range;
  Int128 ends[3] = {0, 0, 1};
  range.integral = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    range.integral = range.integral && LooksIntegral(parts[i]) && ParseInt128(parts[i], &ends[i]);
  }
  if (range.integral) {
    if (ends[2] <= 0) {
      throw UsageError(fmt::format("--{}: range '{}' needs a step > 0", option.name, item));
    }
    if (ends[1] < ends[0]) {
      throw UsageError(
          fmt::format("--{}: range '{}' runs backwards (lo must be <= hi)", option.name, item));
    }
    const Int128 count = (ends[1] - ends[0]) / ends[2] + 1;
    if (count > static_cast<Int128>(kMaxRangeValues)) {
      throw UsageError(fmt::format("--{}: range '{}' has {} values (at most {})", option.name, item,
                                   FormatInt128(count), kMaxRangeValues));
    }
    range.lo = ends[0];
    range.step = ends[2];
    range.count = static_cast<uint64_t>(count);
    return range;
  }
  const double lo = ParseDouble(option.name, parts[0]);
  const double hi = ParseDouble(option.name, parts[1]);
  const double step = parts.size() == 3 ? ParseDouble(option.name, parts[2]) : 1.0;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(step > 0) || !std::isfinite(step)) {
    throw UsageError(
        fmt::format("--{}: range '{}' needs finite ends and a step > 0", option.name, item));
  }
  if (hi < lo) {
    throw UsageError(
        fmt::format("--{}: range '{}' runs backwards (lo must be <= hi)", option.name, item));
  }
  const double count = std::floor((hi - lo) / step * (1 + 1e-12) + 1e-9) + 1;
  if (!(count <= static_cast<double>(kMaxRangeValues))) {
    throw UsageError(fmt::format("--{}: range '{}' has {:.0f} values (at most {})", option.name,
                                 item, count, kMaxRangeValues));
  }
  range.real_lo = lo;
  range.real_step = step;
  range.count = static_cast<uint64_t>(count);
  return range;
}

void ExpandRange(const SweepOption& option, const std::string& item,
                 std::vector<std::string>* values) {
  const Range range = ParseRange(option, item);
  for (uint64_t i = 0; i < range.count; ++i) {
    if (range.integral) {
      values->push_back(FormatInt128(range.lo + static_cast<Int128>(i) * range.step));
    } else {
      const double value = range.real_lo + static_cast<double>(i) * range.real_step;
      // Round to 15 significant digits so 0.1..0.3..0.1 gives 0.3, not 0.30000000000000004.
      values->push_back(FormatNumber(std::stod(fmt::format("{:.15g}", value))));
    }
  }
}

// The items of a list, trimmed; UsageError on an empty one or a misplaced "all".
std::vector<std::string> ListItems(const SweepOption& option, const std::string& list) {
  std::vector<std::string> items = SplitOn(list, ",");
  for (std::string& item : items) {
    item = Trim(item);
    if (item.empty()) {
      throw UsageError(fmt::format("--{}: empty value in list '{}'", option.name, list));
    }
    if (item == "all") {
      if (option.all == nullptr) {
        throw UsageError(
            fmt::format("--{}: 'all' is only for named choices (activation, init, "
                        "input, loss, dtype, norm, residual)",
                        option.name));
      }
      // "all" already holds every other name: any more would be listed twice.
      if (items.size() > 1) {
        throw UsageError(fmt::format("--{}: 'all' cannot be combined with other names, got '{}'",
                                     option.name, list));
      }
    }
  }
  return items;
}

}  // namespace

const std::vector<SweepOption>& SweepOptions() {
  // Built on first use: the rows of the activation and init tables live in
  // other files, whose statics may not be initialised before this file's.
  static const std::vector<SweepOption> options = MakeOptions();
  return options;
}

const SweepOption& FindSweepOption(const std::string& name) {
  std::vector<std::string> names;
  for (const SweepOption& option : SweepOptions()) {
    if (name == option.name) return option;
    names.push_back(option.name);
  }
  RequireOneOf("sweep option", name, names);
  throw;  // unreachable
}

uint64_t CountValues(const SweepOption& option, const std::string& list) {
  uint64_t count = 0;
  for (const std::string& item : ListItems(option, list)) {
    if (item == "all") {
      count += option.all().size();
    } else if (item.find("..") != std::string::npos) {
      count += ParseRange(option, item).count;  // each at most 10^6: no overflow
    } else {
      count += 1;
    }
    if (count > kMaxSweepRuns) {
      throw UsageError(fmt::format("--{}: the list '{}' has more than {} values", option.name,
                                   list.size() > 80 ? list.substr(0, 77) + "..." : list,
                                   kMaxSweepRuns));
    }
  }
  return count;
}

std::vector<std::string> ExpandValues(const SweepOption& option, const std::string& list) {
  CountValues(option, list);  // refuses an over-long list before materialising it
  std::vector<std::string> values;
  for (const std::string& item : ListItems(option, list)) {
    if (item == "all") {
      for (const std::string& name : option.all()) values.push_back(name);
    } else if (item.find("..") != std::string::npos) {
      ExpandRange(option, item, &values);
    } else {
      values.push_back(item);
    }
  }
  std::unordered_set<std::string> seen;
  for (const std::string& value : values) {
    if (!seen.insert(value).second) {
      throw UsageError(
          fmt::format("--{}: value '{}' appears twice in '{}'", option.name, value, list));
    }
  }
  if (!option.is_axis && values.size() != 1) {
    throw UsageError(
        fmt::format("--{} takes one value in a sweep (it is not a CSV column, so runs "
                    "would be indistinguishable), got '{}'",
                    option.name, list));
  }
  // Check each value once, alone, so a bad one is reported by name before the grid.
  for (const std::string& value : values) {
    RunConfig probe;
    option.apply(value, &probe);
  }
  return values;
}

size_t ConfigColumnCount() { return ConfigColumns().size(); }

std::string ConfigKey(const RunConfig& config) {
  return CsvLine().AddValues(ConfigColumns(), config).Fields();
}

SweepGrid ExpandGrid(const std::vector<SweepSetting>& settings) {
  RunConfig base;
  base.threads = 1;
  return ExpandGrid(settings, base);
}

SweepGrid ExpandGrid(const std::vector<SweepSetting>& settings, const RunConfig& base) {
  const std::vector<SweepOption>& options = SweepOptions();
  // values[o]: the list for option o (empty: keep the default).
  std::vector<std::vector<std::string>> values(options.size());
  // The size first, from the lists' lengths, so an oversized grid is refused
  // before any list is materialised.
  std::vector<bool> given(options.size(), false);
  uint64_t total = 1;
  bool overflow = false;
  for (const SweepSetting& setting : settings) {
    const SweepOption& option = FindSweepOption(setting.option);
    const size_t o = static_cast<size_t>(&option - options.data());
    if (given[o]) throw UsageError(fmt::format("--{} given twice; write one list", option.name));
    given[o] = true;
    overflow =
        __builtin_mul_overflow(total, CountValues(option, setting.values), &total) || overflow;
  }
  if (given[static_cast<size_t>(&FindSweepOption("widths") - options.data())]) {
    for (const char* sized : {"depth", "width"}) {
      if (given[static_cast<size_t>(&FindSweepOption(sized) - options.data())]) {
        throw UsageError(fmt::format(
            "--widths and --{} in one sweep: --widths sets each hidden layer's width and the "
            "depth; give one or the other",
            sized));
      }
    }
  }
  if (overflow || total > kMaxSweepRuns) {
    throw UsageError(fmt::format("the sweep grid has {} runs; at most {} are allowed",
                                 overflow ? "more than 2^64" : std::to_string(total),
                                 kMaxSweepRuns));
  }
  for (const SweepSetting& setting : settings) {
    const SweepOption& option = FindSweepOption(setting.option);
    values[static_cast<size_t>(&option - options.data())] = ExpandValues(option, setting.values);
  }
  SweepGrid grid;
  std::vector<size_t> digit(options.size(), 0);  // odometer, last option fastest
  std::unordered_set<std::string> seen;
  while (true) {
    RunConfig config = base;
    for (size_t o = 0; o < options.size(); ++o) {
      if (!values[o].empty()) options[o].apply(values[o][digit[o]], &config);
    }
    Validate(config);
    std::string key = ConfigKey(config);
    if (seen.insert(key).second) {
      grid.runs.push_back(config);
      grid.keys.push_back(std::move(key));
    }
    size_t o = options.size();
    while (true) {
      if (o == 0) return grid;
      --o;
      if (++digit[o] < std::max<size_t>(1, values[o].size())) break;
      digit[o] = 0;
    }
  }
}

Shard ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  int index = 0, count = 0;
  bool ok = slash != std::string::npos;
  if (ok) {
    const std::string k = text.substr(0, slash), n = text.substr(slash + 1);
    auto parse = [](const std::string& s, int* out) {
      const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
    };
    ok = parse(k, &index) && parse(n, &count);
  }
  if (!ok || count < 1 || index < 1 || index > count) {
    throw UsageError(fmt::format(
        "--shard: '{}' is not K/N with 1 <= K <= N (shards are numbered from 1, e.g. a Slurm "
        "array --array=1-N with --shard $SLURM_ARRAY_TASK_ID/N)",
        text));
  }
  return Shard{index, count};
}

bool InShard(size_t grid_index, const Shard& shard) {
  return grid_index % static_cast<size_t>(shard.count) == static_cast<size_t>(shard.index - 1);
}

}  // namespace gradflow
