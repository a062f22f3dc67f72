// Number formatting shared by every CSV and report gradflow writes.
#pragma once

#include <string>

namespace gradflow {

// Shortest text that reads back to exactly the same double ("nan", "inf",
// "-inf" too). NaN is always "nan": the sign of a NaN means nothing.
std::string FormatNumber(double value);

}  // namespace gradflow
