// UsageError: the exception the CLI maps to exit code 2.
#include "base/error.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gradflow {
namespace {

TEST(UsageError, CarriesItsMessageAndIsARuntimeError) {
  try {
    throw UsageError("--depth must be >= 1, got 0");
  } catch (const std::runtime_error& e) {  // callers that only know runtime_error still catch it
    EXPECT_STREQ(e.what(), "--depth must be >= 1, got 0");
    EXPECT_NE(dynamic_cast<const UsageError*>(&e), nullptr);
    return;
  }
  FAIL() << "UsageError was not caught as std::runtime_error";
}

TEST(UsageError, IsNotCaughtAsOtherErrorTypes) {
  // The CLI tells usage errors (exit 2) from runtime failures (exit 1) by type.
  bool caught_as_usage = false;
  try {
    throw std::runtime_error("disk full");
  } catch (const UsageError&) {
    caught_as_usage = true;
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(caught_as_usage);
}

}  // namespace
}  // namespace gradflow
