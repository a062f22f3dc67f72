#include "engine/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "base/error.h"
#include "base/suggest.h"
#include "fmt/format.h"

namespace gradflow {

std::vector<std::string> DTypeNames() { return {"float32", "float64"}; }

DType ParseDType(const std::string& name) {
  RequireOneOf("--dtype", name, DTypeNames());
  return name == "float64" ? DType::kFloat64 : DType::kFloat32;
}

int RunConfig::HeadUnits() const {
  switch (loss) {
    case LossKind::kMse:
      return output_dim;
    case LossKind::kCrossEntropy:
      return classes;
    case LossKind::kProbe:
      break;
  }
  return 0;
}

std::vector<int> ParseWidths(const std::string& text, const char* option) {
  std::vector<int> widths;
  size_t start = 0;
  while (true) {
    const size_t end = text.find_first_of(",x", start);
    const std::string item =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    int value = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || value < 1) {
      throw UsageError(fmt::format(
          "{}: '{}' is not a list of layer widths (integers >= 1 separated by ',' or 'x', "
          "e.g. 512,256,128); bad entry '{}'",
          option, text, item));
    }
    widths.push_back(value);
    if (end == std::string::npos) return widths;
    start = end + 1;
  }
}

std::string WidthsText(const RunConfig& config) {
  std::string text;
  for (const int w : config.widths) text += (text.empty() ? "" : "x") + std::to_string(w);
  return text;
}

void SetWidths(const std::vector<int>& widths, RunConfig* config) {
  if (widths.empty()) return;
  config->depth = static_cast<int>(widths.size());
  config->width = *std::max_element(widths.begin(), widths.end());
  const bool equal =
      std::all_of(widths.begin(), widths.end(), [&](int w) { return w == widths.front(); });
  config->widths = equal ? std::vector<int>() : widths;
}

Activation MakeActivation(const RunConfig& config) {
  return Activation(config.activation, config.activation_params);
}

namespace {

void RequireAtLeast(const char* option, double value, double minimum) {
  if (!(value >= minimum)) {
    throw UsageError(fmt::format("{} must be >= {}, got {}", option, minimum, value));
  }
}
void RequireFinite(const char* option, double value) {
  if (!std::isfinite(value)) {
    throw UsageError(fmt::format("{} must be a finite number, got {}", option, value));
  }
}

// Norm and residual need shapes they can work on.
void ValidateArchitecture(const RunConfig& c, int64_t pieces) {
  if (c.norm == NormKind::kBatch && c.batch < 2) {
    throw UsageError(fmt::format(
        "--norm batch needs --batch >= 2 (the batch variance of one sample is 0, so nothing "
        "would pass through the norm), got --batch {}",
        c.batch));
  }
  if (c.norm == NormKind::kLayer) {
    for (int l = 1; l <= c.depth; ++l) {
      if (static_cast<int64_t>(c.HiddenWidth(l)) * pieces < 2) {
        throw UsageError(fmt::format(
            "--norm layer needs >= 2 units in every hidden layer (the variance over one unit "
            "is 0), layer {} has {}",
            l, c.HiddenWidth(l)));
      }
    }
  }
  if (c.residual && !c.widths.empty()) {
    throw UsageError(fmt::format(
        "--residual needs hidden layers of equal width (a^l = a^(l-1) + s*phi(...) adds "
        "vectors of the same size), got --widths {}",
        WidthsText(c)));
  }
  RequireFinite("--residual-scale", c.residual_scale);
  if (!(c.residual_scale > 0)) {
    throw UsageError(fmt::format("--residual-scale must be > 0, got {}", c.residual_scale));
  }
}

}  // namespace

void Validate(const RunConfig& c) {
  RequireAtLeast("--depth", c.depth, 1);
  RequireAtLeast("--width", c.width, 1);
  RequireAtLeast("--batch", c.batch, 1);
  if (c.input_dim < 0) {
    throw UsageError(
        fmt::format("--input-dim must be >= 1 (or 0 for --width), got {}", c.input_dim));
  }
  RequireAtLeast("--output-dim", c.output_dim, 1);
  RequireAtLeast("--classes", c.classes, 2);
  for (const ActivationParameter* parameter : ActivationParameters()) {
    parameter->Check(c.activation_params);
  }
  for (const InitParameter* parameter : InitParameters()) parameter->Check(c.init_params);
  // Layer shapes are int (rows = width * pieces), so their product is checked
  // in 64 bits here once, and every later multiplication of sizes stays in range.
  const int64_t pieces =
      c.activation == ActivationKind::kMaxout ? c.activation_params.maxout_pieces : 1;
  if (static_cast<int64_t>(c.width) * pieces > std::numeric_limits<int>::max()) {
    throw UsageError(fmt::format("--width {} x --maxout-pieces {} = {} rows per layer; at most {}",
                                 c.width, pieces, static_cast<int64_t>(c.width) * pieces,
                                 std::numeric_limits<int>::max()));
  }
  if (!c.widths.empty()) {
    const int widest = *std::max_element(c.widths.begin(), c.widths.end());
    const int narrowest = *std::min_element(c.widths.begin(), c.widths.end());
    if (static_cast<int>(c.widths.size()) != c.depth || widest != c.width || narrowest < 1) {
      throw UsageError(fmt::format(
          "--widths {} must have --depth ({}) entries, each >= 1, the largest --width ({}); "
          "give --widths alone",
          WidthsText(c), c.depth, c.width));
    }
  }
  ValidateArchitecture(c, pieces);
  RequireFinite("--gain", c.gain);
  // Zero weights pass no gradient down: every ratio would be 0/0 (NaN).
  if (c.gain == 0) {
    throw UsageError(
        "--gain must not be 0: every weight would be 0, no gradient reaches the lower layers "
        "and the ratios are 0/0");
  }
  if (c.init == InitKind::kNormal && c.init_params.init_std == 0) {
    throw UsageError(
        "--init-std must be > 0 for --init normal: with 0 every weight is 0 and the ratios are "
        "0/0");
  }
  if (c.init == InitKind::kUniform && c.init_params.init_scale == 0) {
    throw UsageError(
        "--init-scale must be > 0 for --init uniform: with 0 every weight is 0 and the ratios "
        "are 0/0");
  }
  RequireFinite("--bias-std", c.bias_std);
  RequireAtLeast("--bias-std", c.bias_std, 0);
  RequireFinite("--input-scale", c.input_scale);
  if (!(c.saturation_threshold > 0 && c.saturation_threshold < 1)) {
    throw UsageError(
        fmt::format("--saturation-threshold must be in (0, 1), got {}", c.saturation_threshold));
  }
  if (!(c.vanishing_threshold > 0 && c.vanishing_threshold <= c.exploding_threshold &&
        std::isfinite(c.exploding_threshold))) {
    throw UsageError(fmt::format(
        "--vanishing-threshold ({}) must be > 0 and <= --exploding-threshold ({}), both finite",
        c.vanishing_threshold, c.exploding_threshold));
  }
  RequireAtLeast("--threads", c.threads, 0);
  RequireAtLeast("--memory-limit-gb", c.memory_limit_gb, 0);
}

}  // namespace gradflow
