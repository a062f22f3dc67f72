#include "engine/inputs.h"

#include <cmath>

#include "base/error.h"
#include "base/rng.h"
#include "base/suggest.h"
#include "engine/config.h"
#include "engine/sample_cache.h"

namespace gradflow {
namespace {

const std::vector<InputSpec> kTable = {
    {InputKind::kGaussian, "gaussian", "N(0,1)"},
    {InputKind::kUniform, "uniform", "U[-sqrt(3),sqrt(3)]"},
};

}  // namespace

const std::vector<InputSpec>& InputTable() { return kTable; }

std::vector<std::string> InputNames() {
  std::vector<std::string> names;
  for (const InputSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

InputKind ParseInput(const std::string& name) {
  for (const InputSpec& spec : kTable) {
    if (name == spec.name) return spec.kind;
  }
  RequireOneOf("--input", name, InputNames());
  throw;  // unreachable: RequireOneOf throws for unknown names
}

std::string InputName(InputKind kind) {
  return kind == InputKind::kFromFile ? "file" : kTable.at(static_cast<size_t>(kind)).name;
}

MatD SampleInput(const RunConfig& config, SampleCache* cache) {
  if (config.input == InputKind::kFromFile) {
    throw UsageError(
        "--input: the batch came from a model file that names no input distribution, so there "
        "is none to draw from");
  }
  return SampleCache::FindOrDraw<double>(cache, SampleCache::InputKey(config), [&] {
    Rng rng(config.seed, Purpose::kInput);
    const int dim = config.InputDim();
    MatD x(dim, config.batch);
    const bool uniform = config.input == InputKind::kUniform;
    const double limit = std::sqrt(3.0);
    for (int b = 0; b < config.batch; ++b) {
      for (int i = 0; i < dim; ++i) {
        x(i, b) = config.input_scale * (uniform ? rng.Uniform(-limit, limit) : rng.Normal());
      }
    }
    return x;
  });
}

}  // namespace gradflow
