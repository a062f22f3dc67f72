#include "engine/memory_estimate.h"

#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"
#include "fmt/format.h"

namespace gradflow {

double EstimateRunBytes(const RunConfig& c) {
  const double scalar = c.dtype == DType::kFloat32 ? 4.0 : 8.0;
  const double batch = c.batch;
  const double pieces = MakeActivation(c).Pieces();
  double params = 0, cache = 0, largest_w = 0, largest_rows = 0;
  double fan_in = c.InputDim();
  cache += fan_in * batch;  // a^0
  const int layers = c.depth + (c.HasHead() ? 1 : 0);
  for (int l = 1; l <= layers; ++l) {
    const bool head = l > c.depth;
    const double units = head ? c.HeadUnits() : c.HiddenWidth(l);
    const double rows = head ? units : units * pieces;
    const bool norm = !head && c.norm != NormKind::kNone;
    params += rows * fan_in + rows + (norm ? 2 * rows : 0);
    // z^l and a^l, and with a norm u^l and x̂^l
    cache += rows * batch + units * batch + (norm ? 2 * rows * batch : 0);
    largest_w = std::max(largest_w, rows * fan_in);
    largest_rows = std::max(largest_rows, rows);
    fan_in = units;
  }
  // δ, ∂a and ∂W of one layer at a time, plus the incoming ∂Loss/∂out (and
  // ∂Loss/∂u, ∂Loss/∂a^{l-1} with the remedies).
  const double backward = 2 * largest_rows * batch + largest_w + largest_rows * batch +
                          (c.IsPlainMlp() ? 0 : 2 * largest_rows * batch);
  const double inputs = 8.0 * (c.InputDim() + largest_rows) * batch;  // double x and targets
  return scalar * (params + cache + backward) + inputs;
}

double AvailableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    double kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024.0;
  }
  return 0;
}

void CheckMemory(const RunConfig& c) { CheckMemoryEstimate(EstimateRunBytes(c), c, "this run"); }

void CheckMemoryEstimate(double estimate, const RunConfig& c, const std::string& what) {
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const bool explicit_limit = c.memory_limit_gb > 0;
  const double limit = explicit_limit ? c.memory_limit_gb * gib : AvailableMemoryBytes();
  if (limit <= 0 || estimate <= limit) return;
  throw UsageError(fmt::format(
      "{} needs an estimated {:.3g} GiB but {} is {:.3g} GiB; reduce --depth, --width or --batch "
      "(or the training data size), or raise the limit with --memory-limit-gb",
      what, estimate / gib, explicit_limit ? "--memory-limit-gb" : "available memory",
      limit / gib));
}

}  // namespace gradflow
