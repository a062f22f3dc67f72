// FormatNumber: the shortest text that reads back to exactly the same double.
#include "base/format.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>

namespace gradflow {
namespace {

TEST(FormatNumber, NumbersReadBackExactly) {
  for (double v : {0.1, 1.0 / 3.0, 1e-25, 3.4028234663852886e38, 5e-324, -2.5, 123456789.0}) {
    const std::string text = FormatNumber(v);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
  }
}

TEST(FormatNumber, IsTheShortestForm) {
  EXPECT_EQ(FormatNumber(0.1), "0.1");  // not 0.10000000000000001
  EXPECT_EQ(FormatNumber(1.0), "1");
  EXPECT_EQ(FormatNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatNumber(0.0), "0");
  EXPECT_EQ(FormatNumber(1e-25), "1e-25");
  EXPECT_EQ(FormatNumber(static_cast<double>(0.1f)), "0.10000000149011612");  // a float's value
}

TEST(FormatNumber, NanHasNoSignAndInfinitiesKeepTheirs) {
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::quiet_NaN()), "nan");  // not "-nan"
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace gradflow
