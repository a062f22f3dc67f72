#include "engine/memory_estimate.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace gradflow {
namespace {

TEST(Memory, EstimateCountsWeightsCacheAndBuffers) {
  RunConfig c;
  c.depth = 2;
  c.width = 10;
  c.batch = 4;
  c.dtype = DType::kFloat64;
  // params 2·(100+10); cache x 40 + 2·(40+40); backward 2·40 + 100 + 40; doubles (10+10)·4
  const double expected = 8.0 * (220 + 200 + 220) + 8.0 * 80;
  EXPECT_DOUBLE_EQ(EstimateRunBytes(c), expected);
  c.dtype = DType::kFloat32;
  EXPECT_LT(EstimateRunBytes(c), expected);
}

TEST(Memory, ExplicitLimitIsHonoured) {
  RunConfig c;
  c.memory_limit_gb = 1e-6;  // about 1 KiB
  EXPECT_THROW(CheckMemory(c), UsageError);
  c.memory_limit_gb = 100;
  EXPECT_NO_THROW(CheckMemory(c));
  EXPECT_GT(AvailableMemoryBytes(), 0);
}

}  // namespace
}  // namespace gradflow
