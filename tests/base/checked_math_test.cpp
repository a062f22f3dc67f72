// Checked sizes: products that fit are exact, products that overflow int64 say so.
#include "base/checked_math.h"

#include <gtest/gtest.h>

#include <limits>

namespace gradflow {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(CheckedMath, MultiplyIsExactWhenItFits) {
  EXPECT_EQ(CheckedMultiply(3, 4), 12);
  EXPECT_EQ(CheckedMultiply(0, kMax), 0);
  EXPECT_EQ(CheckedMultiply(int64_t{1} << 31, int64_t{1} << 31), int64_t{1} << 62);
  EXPECT_EQ(CheckedMultiply(kMax, 1), kMax);
}

TEST(CheckedMath, MultiplyRefusesOverflowAndNegatives) {
  EXPECT_FALSE(CheckedMultiply(int64_t{1} << 62, 2).has_value());
  EXPECT_FALSE(CheckedMultiply(kMax, 2).has_value());
  EXPECT_FALSE(CheckedMultiply(int64_t{1} << 32, int64_t{1} << 32).has_value());
  EXPECT_FALSE(CheckedMultiply(-1, 5).has_value());
}

TEST(CheckedMath, ProductOfShapes) {
  EXPECT_EQ(CheckedProduct({}), 1);
  EXPECT_EQ(CheckedProduct({2, 3, 4}), 24);
  // A zero dimension empties the tensor even when the other dimensions overflow.
  EXPECT_EQ(CheckedProduct({int64_t{1} << 62, 4, 0}), 0);
  EXPECT_FALSE(CheckedProduct({int64_t{1} << 62, 4}).has_value());
  EXPECT_FALSE(CheckedProduct({int64_t{1} << 40, int64_t{1} << 40, 1}).has_value());
  EXPECT_FALSE(CheckedProduct({3, -1}).has_value());
}

}  // namespace
}  // namespace gradflow
