// Losses: names, the targets they draw, and value and gradient on hand-computed cases.
#include "engine/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "base/error.h"
#include "base/rng.h"

namespace gradflow {
namespace {

TEST(Loss, ParsesTheThreeNamesAndRejectsOthersNamingTheOption) {
  EXPECT_EQ(ParseLoss("probe"), LossKind::kProbe);
  EXPECT_EQ(ParseLoss("mse"), LossKind::kMse);
  EXPECT_EQ(ParseLoss("cross_entropy"), LossKind::kCrossEntropy);
  try {
    ParseLoss("mse2");
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--loss"), std::string::npos) << e.what();
  }
}

TEST(Loss, TargetsHaveTheirShapesAndComeFromTheirStreams) {
  const LossTargets probe = SampleLossTargets(LossKind::kProbe, 3, 4, 9);
  EXPECT_EQ(probe.probe.rows(), 3);
  EXPECT_EQ(probe.probe.cols(), 4);
  EXPECT_EQ(probe.targets.size(), 0);
  EXPECT_TRUE(probe.labels.empty());
  // Sample by sample from stream (seed, kProbe): column 0 first.
  Rng rng(9, Purpose::kProbe);
  EXPECT_EQ(probe.probe(0, 0), rng.Normal());
  EXPECT_EQ(probe.probe(1, 0), rng.Normal());

  const LossTargets mse = SampleLossTargets(LossKind::kMse, 3, 4, 9);
  EXPECT_EQ(mse.targets.rows(), 3);
  EXPECT_EQ(mse.targets.cols(), 4);
  Rng targets_rng(9, Purpose::kTargets);
  EXPECT_EQ(mse.targets(0, 0), targets_rng.Normal());
  EXPECT_NE(mse.targets, probe.probe);  // a different stream

  const LossTargets labels = SampleLossTargets(LossKind::kCrossEntropy, 5, 400, 9);
  ASSERT_EQ(labels.labels.size(), 400u);
  std::set<int> seen(labels.labels.begin(), labels.labels.end());
  EXPECT_EQ(seen, (std::set<int>{0, 1, 2, 3, 4}));  // every class in [0, 5), no other
  EXPECT_EQ(labels.labels, SampleLossTargets(LossKind::kCrossEntropy, 5, 400, 9).labels);
  EXPECT_NE(labels.labels, SampleLossTargets(LossKind::kCrossEntropy, 5, 400, 10).labels);
}

// out (K=2, B=2) = [1 0; 0 1] for every case below.
MatD Out() { return MatD::Identity(2, 2); }

TEST(Loss, ProbeIsTheMeanProjection) {
  LossTargets t;
  t.probe.resize(2, 2);
  t.probe << 1, 2,  //
      3, 4;
  // (1/B) Σ_b r_bᵀ a_b = (1·1 + 4·1) / 2
  EXPECT_DOUBLE_EQ(LossValue<double>(LossKind::kProbe, Out(), t), 2.5);
  // ∂/∂a = r / B, whatever the output
  EXPECT_EQ(LossGradient<double>(LossKind::kProbe, Out(), t), t.probe / 2);
  EXPECT_EQ(LossGradient<float>(LossKind::kProbe, Out().cast<float>(), t),
            (t.probe / 2).cast<float>());
}

TEST(Loss, MseIsTheMeanSquaredErrorOverAllEntries) {
  LossTargets t;
  t.targets.resize(2, 2);
  t.targets << 0, 2,  //
      1, 1;
  // differences y - t = [1 -2; -1 0]; squares sum 6 over B·K = 4 entries
  EXPECT_DOUBLE_EQ(LossValue<double>(LossKind::kMse, Out(), t), 1.5);
  MatD expected(2, 2);  // 2 (y - t) / (B·K)
  expected << 0.5, -1,  //
      -0.5, 0;
  EXPECT_EQ(LossGradient<double>(LossKind::kMse, Out(), t), expected);
}

TEST(Loss, CrossEntropyIsLogSumExpMinusTheLabelsLogit) {
  LossTargets t;
  t.labels = {0, 0};
  MatD out(2, 2);
  out << 0, 1000,  // the second column would overflow exp() without the max shift
      std::log(3.0), 1000;
  // sample 0: log(e^0 + e^{ln 3}) - 0 = ln 4; sample 1: 1000 + ln 2 - 1000 = ln 2
  EXPECT_NEAR(LossValue<double>(LossKind::kCrossEntropy, out, t),
              (std::log(4.0) + std::log(2.0)) / 2, 1e-12);
  // (softmax - onehot) / B: sample 0 [1/4 - 1, 3/4] / 2, sample 1 [1/2 - 1, 1/2] / 2
  const MatD g = LossGradient<double>(LossKind::kCrossEntropy, out, t);
  EXPECT_NEAR(g(0, 0), -0.375, 1e-15);
  EXPECT_NEAR(g(1, 0), 0.375, 1e-15);
  // Sample 1's logits are 1000: its log-sum-exp, 1000 + ln 2, carries double's rounding at
  // 1000 (1.1e-13), which the softmax inherits.
  EXPECT_NEAR(g(0, 1), -0.25, 1e-13);
  EXPECT_NEAR(g(1, 1), 0.25, 1e-13);
  EXPECT_NEAR(g.col(0).sum(), 0, 1e-15);  // each column sums to 0
  EXPECT_NEAR(g.col(1).sum(), 0, 1e-13);
}

}  // namespace
}  // namespace gradflow
