// Synthetic inputs: shape, the stream they come from, distribution and scale.
#include "engine/inputs.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/rng.h"

namespace gradflow {
namespace {

RunConfig Inputs(const std::string& kind, int dim, int batch) {
  RunConfig c;
  c.input = kind;
  c.width = dim;
  c.batch = batch;
  c.seed = 5;
  return c;
}

TEST(Inputs, ShapeIsInputDimByBatchDrawnSampleBySample) {
  RunConfig c = Inputs("gaussian", 3, 4);
  c.input_dim = 2;
  const MatD x = SampleInput(c);
  ASSERT_EQ(x.rows(), 2);
  ASSERT_EQ(x.cols(), 4);
  Rng rng(5, Purpose::kInput);  // column by column: sample 0's features first
  for (int b = 0; b < 4; ++b)
    for (int i = 0; i < 2; ++i) EXPECT_EQ(x(i, b), rng.Normal()) << i << "," << b;
}

TEST(Inputs, UniformIsOnMinusRootThreeToRootThree) {
  const MatD x = SampleInput(Inputs("uniform", 4, 3));
  Rng rng(5, Purpose::kInput);
  const double limit = std::sqrt(3.0);
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < 4; ++i) EXPECT_EQ(x(i, b), rng.Uniform(-limit, limit));
  EXPECT_LE(x.cwiseAbs().maxCoeff(), limit);
}

TEST(Inputs, BothKindsHaveUnitVarianceAndScaleMultiplies) {
  for (const char* kind : {"gaussian", "uniform"}) {
    RunConfig c = Inputs(kind, 100, 1000);
    const MatD x = SampleInput(c);
    const double mean = x.mean();
    const double variance = (x.array() - mean).square().mean();
    // 1e5 draws: standard errors 0.003 (mean) and < 0.005 (variance)
    EXPECT_NEAR(mean, 0, 0.015) << kind;
    EXPECT_NEAR(variance, 1, 0.025) << kind;
    c.input_scale = 2.5;
    EXPECT_EQ(SampleInput(c), 2.5 * x) << kind;
  }
}

TEST(Inputs, SeedsGiveDifferentBatches) {
  RunConfig c = Inputs("gaussian", 4, 4);
  const MatD x = SampleInput(c);
  EXPECT_EQ(SampleInput(c), x);
  c.seed = 6;
  EXPECT_NE(SampleInput(c), x);
}

}  // namespace
}  // namespace gradflow
