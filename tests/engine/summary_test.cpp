#include "engine/summary.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gradflow {
namespace {

std::vector<LayerMetrics> Layers(std::vector<double> delta_norms) {
  std::vector<LayerMetrics> layers;
  for (size_t i = 0; i < delta_norms.size(); ++i) {
    LayerMetrics m;
    m.layer = static_cast<int>(i) + 1;
    m.delta_norm = delta_norms[i];
    m.grad_w_norm = 2 * delta_norms[i];
    m.saturation_frac = 0.1 * static_cast<double>(i);
    layers.push_back(m);
  }
  return layers;
}

RunConfig Depth(int depth) {
  RunConfig c;
  c.depth = depth;
  return c;
}

TEST(Summary, RatiosAndDecay) {
  const RunSummary s = Summarise(Depth(3), Layers({1e-4, 1e-2, 1.0}), 0.5);
  EXPECT_DOUBLE_EQ(s.vanishing_ratio, 1e-4);
  EXPECT_DOUBLE_EQ(s.grad_w_vanishing_ratio, 1e-4);
  EXPECT_NEAR(s.decay_per_layer, 1e-2, 1e-15);
  EXPECT_NEAR(s.mean_saturation, 0.1, 1e-15);
  EXPECT_EQ(s.loss, 0.5);
  EXPECT_EQ(s.verdict, "vanishing");
}

TEST(Summary, HeadIsNotPartOfTheRatio) {
  // depth 2 hidden layers + a head: the ratio is layer 1 / layer 2.
  const RunSummary s = Summarise(Depth(2), Layers({0.5, 1.0, 1e9}), 0);
  EXPECT_DOUBLE_EQ(s.vanishing_ratio, 0.5);
  EXPECT_EQ(s.verdict, "healthy");
}

TEST(Summary, VerdictThresholdsAreSettable) {
  RunConfig c = Depth(2);
  EXPECT_EQ(Summarise(c, Layers({2e3, 1}), 0).verdict, "exploding");
  EXPECT_EQ(Summarise(c, Layers({9e2, 1}), 0).verdict, "at_risk");
  EXPECT_EQ(Summarise(c, Layers({1.1e-3, 1}), 0).verdict, "at_risk");
  c.vanishing_threshold = 0.01;
  EXPECT_EQ(Summarise(c, Layers({1.1e-3, 1}), 0).verdict, "vanishing");
  EXPECT_EQ(Summarise(c, Layers({0.05, 1}), 0).verdict, "at_risk");
  EXPECT_EQ(Summarise(c, Layers({0.1, 1}), 0).verdict, "healthy");
}

TEST(Summary, AtRiskIsWithinAFactorTenOfEitherThreshold) {
  const RunConfig c = Depth(2);                                      // thresholds 1e-3 and 1e3
  EXPECT_EQ(Summarise(c, Layers({1e-3, 1}), 0).verdict, "at_risk");  // on the threshold
  EXPECT_EQ(Summarise(c, Layers({9.99e-3, 1}), 0).verdict, "at_risk");
  EXPECT_EQ(Summarise(c, Layers({1e-2, 1}), 0).verdict, "healthy");
  EXPECT_EQ(Summarise(c, Layers({1e2, 1}), 0).verdict, "healthy");
  EXPECT_EQ(Summarise(c, Layers({1.01e2, 1}), 0).verdict, "at_risk");
  EXPECT_EQ(Summarise(c, Layers({1e3, 1}), 0).verdict, "at_risk");  // on the threshold
  EXPECT_EQ(Summarise(c, Layers({1.01e3, 1}), 0).verdict, "exploding");
}

TEST(Summary, UnderflowedGradientIsVanishingAndNonFiniteIsReported) {
  EXPECT_EQ(Summarise(Depth(2), Layers({0, 1}), 0).verdict, "vanishing");
  EXPECT_EQ(Summarise(Depth(2), Layers({0, 0}), 0).verdict, "vanishing");
  std::vector<LayerMetrics> layers = Layers({1, 1});
  layers[0].nonfinite = 3;
  const RunSummary s = Summarise(Depth(2), layers, NAN);
  EXPECT_EQ(s.verdict, "nonfinite");
  EXPECT_EQ(s.nonfinite, 3);
}

}  // namespace
}  // namespace gradflow
