#include "base/format.h"

#include <cmath>

#include "fmt/format.h"

namespace gradflow {

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "nan";
  return fmt::format("{}", value);
}

}  // namespace gradflow
