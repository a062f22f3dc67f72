#include "base/suggest.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace gradflow {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("", "relu"), 4);
  EXPECT_EQ(EditDistance("sigmod", "sigmoid"), 1);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(Suggest, ClosestNameOnlyWhenPlausible) {
  const std::vector<std::string> names = {"relu", "elu", "selu", "gelu", "tanh"};
  EXPECT_EQ(ClosestName("rleu", names), "relu");
  EXPECT_EQ(ClosestName("tnah", names), "tanh");
  EXPECT_EQ(ClosestName("completely_different", names), "");
}

TEST(Suggest, RequireOneOfListsTheAllowedValues) {
  EXPECT_NO_THROW(RequireOneOf("--loss", "mse", {"probe", "mse"}));
  try {
    RequireOneOf("--loss", "msee", {"probe", "mse"});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--loss: unknown value 'msee'; did you mean 'mse'? (allowed: probe, mse)");
  }
}

}  // namespace
}  // namespace gradflow
