// End-to-end runs: the behaviour the tool exists to show, and determinism.
#include "experiment/run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "engine/activation.h"
#include "experiment/run_columns.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Config;

std::string Csv(const RunConfig& c) {
  const RunResult r = RunExperiment(c);
  return LayerCsvRows(r) + SummaryCsvRow(r);
}

TEST(Run, SigmoidXavierGradientsVanishTowardTheInput) {
  const RunResult r = RunExperiment(Config("sigmoid", "xavier_uniform", 20, 256, 128));
  ASSERT_EQ(r.layers.size(), 20u);
  EXPECT_LT(r.layers[0].delta_norm, 1e-6 * r.layers[19].delta_norm);
  EXPECT_GT(r.layers[0].delta_norm, 0);  // small, not underflowed, in float32
  EXPECT_EQ(r.summary.verdict, "vanishing");
}

// Not zero-centred: sigmoid (> 0) and ReLU (>= 0) feed every layer from 2 on
// inputs of one sign, so input_same_sign_frac is exactly 1 there; tanh's inputs
// are zero-centred (64 entries of one sign: chance 2^-63 per sample), and layer
// 1's input is the Gaussian synthetic input for all three.
TEST(Run, SigmoidAndReluInputsAreSingleSignedAndTanhsAreNot) {
  for (const auto& [activation, init] :
       {std::pair<const char*, const char*>{"sigmoid", "xavier_uniform"},
        {"relu", "he_normal"},
        {"tanh", "xavier_uniform"}}) {
    SCOPED_TRACE(activation);
    const RunResult r = RunExperiment(Config(activation, init, 5, 64, 32));
    EXPECT_LT(r.layers[0].input_same_sign_frac, 0.01);
    for (int l = 2; l <= 5; ++l) {
      if (std::string(activation) == "tanh") {
        EXPECT_LT(r.layers[l - 1].input_same_sign_frac, 0.01) << "layer " << l;
      } else {
        EXPECT_EQ(r.layers[l - 1].input_same_sign_frac, 1.0) << "layer " << l;
      }
    }
  }
}

// With one sample the batch gradient is δ aᵀ: sigmoid's positive inputs make
// every row of layers >= 2 single-signed; tanh's rows are mixed (random signs
// give mean |#pos - #neg|/64 ≈ 0.1).
TEST(Run, OneSampleSigmoidGradientRowsAreSingleSigned) {
  const RunResult sigmoid = RunExperiment(Config("sigmoid", "xavier_uniform", 5, 64, 1));
  const RunResult tanh_run = RunExperiment(Config("tanh", "xavier_uniform", 5, 64, 1));
  for (int l = 2; l <= 5; ++l) {
    EXPECT_EQ(sigmoid.layers[l - 1].grad_w_sign_agreement, 1.0) << "layer " << l;
    EXPECT_LT(tanh_run.layers[l - 1].grad_w_sign_agreement, 0.3) << "layer " << l;
  }
}

TEST(Run, ReluHeGradientsStayWithinThreeTimesAcrossTwentyLayers) {
  const RunResult r = RunExperiment(Config("relu", "he_normal", 20, 256, 128));
  double lo = INFINITY, hi = 0;
  for (const LayerMetrics& m : r.layers) {
    lo = std::min(lo, m.delta_norm);
    hi = std::max(hi, m.delta_norm);
  }
  EXPECT_LT(hi / lo, 3.0);
  EXPECT_EQ(r.summary.verdict, "healthy");
}

// E_{u~N(0,q)}[σ'(u)²] by the trapezoid rule on ±12 standard deviations: an
// oracle independent of the code under test.
double SigmoidChi(double q, double sigma_w2) {
  const Activation sigmoid(FindActivation("sigmoid"), {});
  const int n = 20000;
  const double s = std::sqrt(q), lo = -12 * s, h = 24 * s / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double u = lo + i * h;
    const double d = sigmoid.DPhi(u);
    const double weight = (i == 0 || i == n) ? 0.5 : 1.0;
    sum += weight * d * d * std::exp(-u * u / (2 * q));
  }
  return sigma_w2 * sum * h / std::sqrt(2 * M_PI * q);
}

TEST(Run, SigmoidXavierPerLayerDecayMatchesMeanFieldTheory) {
  RunConfig c = Config("sigmoid", "xavier_uniform", 20, 512, 128);
  c.dtype = DType::kFloat64;
  const RunResult r = RunExperiment(c);
  double measured = 0, predicted = 0;
  for (int l = 1; l < c.depth; ++l) {
    measured += r.layers[l - 1].delta_norm / r.layers[l].delta_norm;
    predicted += std::sqrt(SigmoidChi(r.layers[l - 1].preact_q, 1.0));
  }
  measured /= c.depth - 1;
  predicted /= c.depth - 1;
  EXPECT_NEAR(measured / predicted, 1.0, 0.10) << measured << " vs " << predicted;
  EXPECT_LT(predicted, 0.25 + 1e-12);  // √χ ≤ √(σ_w²/16)
}

TEST(Run, SameSeedSameBytesAtOneAndTwoThreadsAtWidth1024) {
  for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
    RunConfig c = Config("tanh", "he_normal", 3, 1024, 256);
    c.dtype = dtype;
    c.loss = LossKind::kCrossEntropy;
    c.threads = 1;
    const std::string one = Csv(c);
    c.threads = 2;
    const std::string two = Csv(c);
    EXPECT_EQ(one, two) << DTypeName(dtype);
    EXPECT_EQ(two, Csv(c)) << "rerun";
  }
}

TEST(Run, DifferentSeedsGiveDifferentResults) {
  RunConfig c = Config("relu", "he_normal", 3, 16, 8);
  const std::string first = Csv(c);
  c.seed = 1;
  EXPECT_NE(first, Csv(c));
}

TEST(Run, HeadLayerIsReportedForMseAndCrossEntropy) {
  RunConfig c = Config("tanh", "xavier_normal", 4, 32, 16);
  c.loss = LossKind::kMse;
  c.output_dim = 7;
  const RunResult r = RunExperiment(c);
  ASSERT_EQ(r.layers.size(), 5u);
  EXPECT_EQ(r.layers[4].kind, "head");
  EXPECT_EQ(r.layers[4].fan_out, 7);
  EXPECT_EQ(r.layers[3].kind, "hidden");
  EXPECT_GT(r.summary.loss, 0);
}

TEST(Run, Float32UnderflowIsReportedAsZeroNotHidden) {
  // Tiny-init ReLU: q shrinks by σ_w²/2 = 0.0032 per layer, so the activations'
  // scale falls ~18× per layer and underflows float32 by layer 60 (q ~ 1e-150).
  RunConfig c = Config("relu", "normal", 60, 64, 16);
  c.init_params.init_std = 0.01;
  const RunResult r = RunExperiment(c);
  EXPECT_EQ(r.layers.back().act_std, 0.0);
  EXPECT_EQ(r.summary.nonfinite, 0);
  EXPECT_EQ(r.summary.verdict, "vanishing");
  c.dtype = DType::kFloat64;  // the same network in float64 keeps its (tiny) signal
  const RunResult exact = RunExperiment(c);
  EXPECT_GT(exact.layers.back().act_std, 0.0);
  EXPECT_LT(exact.layers.back().act_std, 1e-60);
}

TEST(Run, RefusesRunsLargerThanTheMemoryLimit) {
  RunConfig c = Config("relu", "he_normal", 1000, 100000, 1000);
  try {
    RunExperiment(c);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--memory-limit-gb"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gradflow
