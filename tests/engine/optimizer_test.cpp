// Optimiser updates against hand-worked values.
#include "engine/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace gradflow {
namespace {

// Runs `grads` through one slot of a 1-element parameter starting at w0 and
// returns the value after each step.
std::vector<double> Trajectory(const OptimizerConfig& config, double w0,
                               const std::vector<double>& grads) {
  Optimizer<double> optimizer(config);
  MatD w(1, 1), g(1, 1), delta;
  w(0, 0) = w0;
  std::vector<double> values;
  for (double grad : grads) {
    g(0, 0) = grad;
    optimizer.BeginStep();
    const double before = w(0, 0);
    optimizer.Update(0, g, &w, &delta);
    // Δ is what was added (up to the rounding of w + Δ).
    EXPECT_NEAR(w(0, 0) - before, delta(0, 0), 1e-15 * std::fabs(before));
    values.push_back(w(0, 0));
  }
  return values;
}

TEST(Optimizer, PlainSgdStepIsMinusLrTimesGradient) {
  OptimizerConfig config;
  config.lr = 0.1;
  // w = 1 − 0.1·2 = 0.8;  then 0.8 − 0.1·(−1) = 0.9
  const std::vector<double> w = Trajectory(config, 1.0, {2.0, -1.0});
  EXPECT_DOUBLE_EQ(w[0], 0.8);
  EXPECT_DOUBLE_EQ(w[1], 0.9);
}

TEST(Optimizer, MomentumMatchesHandWorkedSteps) {
  OptimizerConfig config;
  config.lr = 0.1;
  config.momentum = 0.9;
  // v1 = 1             Δ1 = −0.1     w1 = 0.9
  // v2 = 0.9·1 + 0.5   Δ2 = −0.14    w2 = 0.76
  // v3 = 0.9·1.4 − 2   Δ3 = +0.074   w3 = 0.834
  const std::vector<double> w = Trajectory(config, 1.0, {1.0, 0.5, -2.0});
  EXPECT_NEAR(w[0], 0.9, 1e-15);
  EXPECT_NEAR(w[1], 0.76, 1e-15);
  EXPECT_NEAR(w[2], 0.834, 1e-15);
}

TEST(Optimizer, AdamMatchesHandWorkedSteps) {
  OptimizerConfig config;
  config.name = "adam";
  config.lr = 0.1;  // β1 = 0.9, β2 = 0.999, ε = 1e-8
  // t=1, g=2:  m = 0.2, v = 0.004, m̂ = 2, v̂ = 4,  Δ = −0.1·2/(2 + 1e-8) = −0.0999999995
  // t=2, g=−1: m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996,
  //            m̂ = 0.08/0.19, v̂ = 0.004996/0.001999, Δ = −0.1·m̂/(√v̂ + ε) = −0.0266337037975...
  const std::vector<double> w = Trajectory(config, 1.0, {2.0, -1.0});
  EXPECT_NEAR(w[0], 1.0 - 0.0999999995, 1e-15);
  const double m_hat = 0.08 / 0.19, v_hat = 0.004996 / 0.001999;
  EXPECT_NEAR(w[1] - w[0], -0.1 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-14);
  EXPECT_NEAR(w[1], 0.8733662967024315, 1e-14);
}

TEST(Optimizer, AdamFirstStepIsAboutLrWhateverTheGradientScale) {
  // Why Adam hides vanishing gradients: Δ1 = −lr·g/(|g| + ε) ≈ −lr·sign(g).
  OptimizerConfig config;
  config.name = "adam";
  config.lr = 1e-3;
  for (double g : {1e-6, 1.0, 1e3}) {
    const std::vector<double> w = Trajectory(config, 0.5, {g});
    EXPECT_NEAR(w[0] - 0.5, -1e-3, 1e-3 * 1e-2) << "g = " << g;
  }
  // SGD moves in proportion to g instead.
  OptimizerConfig sgd;
  sgd.lr = 1e-3;
  EXPECT_NEAR(Trajectory(sgd, 0.5, {1e-6})[0] - 0.5, -1e-9, 1e-16);
}

TEST(Optimizer, SlotsKeepSeparateStateAndBiasesUpdateToo) {
  OptimizerConfig config;
  config.lr = 0.5;
  config.momentum = 0.5;
  Optimizer<float> optimizer(config);
  Mat<float> w = Mat<float>::Constant(2, 3, 1.0f), gw = Mat<float>::Constant(2, 3, 1.0f), dw;
  Vec<float> b = Vec<float>::Zero(2), gb = Vec<float>::Constant(2, -2.0f), db;
  for (int step = 0; step < 2; ++step) {
    optimizer.BeginStep();
    optimizer.Update(0, gw, &w, &dw);
    optimizer.Update(1, gb, &b, &db);
  }
  // W: v = 1, then 1.5: 1 − 0.5 − 0.75 = −0.25.   b: v = −2, then −3: 0 + 1 + 1.5 = 2.5
  EXPECT_FLOAT_EQ(w(1, 2), -0.25f);
  EXPECT_FLOAT_EQ(b(0), 2.5f);
  EXPECT_EQ(optimizer.step(), 2);
}

TEST(Optimizer, RejectsBadSettingsNamingTheOption) {
  auto message = [](OptimizerConfig c) {
    try {
      ValidateOptimizer(c);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  OptimizerConfig c;
  c.lr = 0;
  EXPECT_NE(message(c).find("--lr must be a finite number > 0, got 0"), std::string::npos);
  c = OptimizerConfig();
  c.momentum = 1;
  EXPECT_NE(message(c).find("--momentum must be in [0, 1), got 1"), std::string::npos);
  c = OptimizerConfig();
  c.beta2 = -0.1;
  EXPECT_NE(message(c).find("--beta2"), std::string::npos);
  c = OptimizerConfig();
  c.eps = 0;
  EXPECT_NE(message(c).find("--eps"), std::string::npos);
  c = OptimizerConfig();
  c.name = "adma";
  EXPECT_NE(message(c).find("did you mean 'adam'"), std::string::npos);
  EXPECT_EQ(message(OptimizerConfig{}), "no error");
  EXPECT_DOUBLE_EQ(DefaultLearningRate("adam"), 1e-3);
  EXPECT_DOUBLE_EQ(DefaultLearningRate("sgd"), 5e-2);
}

}  // namespace
}  // namespace gradflow
