#include "engine/inputs.h"

#include <cmath>

#include "base/rng.h"

namespace gradflow {

MatD SampleInput(const RunConfig& config) {
  Rng rng(config.seed, Purpose::kInput);
  const int dim = config.InputDim();
  MatD x(dim, config.batch);
  const bool uniform = config.input == "uniform";
  const double limit = std::sqrt(3.0);
  for (int b = 0; b < config.batch; ++b) {
    for (int i = 0; i < dim; ++i) {
      x(i, b) = config.input_scale * (uniform ? rng.Uniform(-limit, limit) : rng.Normal());
    }
  }
  return x;
}

}  // namespace gradflow
