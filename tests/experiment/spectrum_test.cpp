// The input-output Jacobian against finite differences and the per-layer
// product, singular values and their statistics on hand-computed cases, the
// theory's moments at large width, determinism and the command line.
#include "experiment/spectrum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/parallel.h"
#include "base/rng.h"
#include "engine/inputs.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Config;

RunConfig Tiny(const std::string& activation) {
  RunConfig c = Config(activation, "xavier_normal", 3, 5, 3);
  c.input_dim = 4;
  c.bias_std = 0.3;
  c.gain = 1.5;  // tanh and sigmoid leave their linear range
  c.dtype = DType::kFloat64;
  c.seed = 11;
  return c;
}

class JacobianCheck : public ::testing::TestWithParam<std::string> {};

// Central differences of a^L with respect to each input coordinate, in float64.
TEST_P(JacobianCheck, EqualsFiniteDifferencesAndTheProductOfLayerJacobians) {
  const RunConfig c = Tiny(GetParam());
  const Network<double> network = BuildNetwork<double>(c);
  const MatD x = SampleInput(c);  // (4, 3)
  std::vector<std::vector<MatD>> layers;
  const std::vector<MatD> jacobians = InputOutputJacobians(network, c.depth, x, &layers);
  ASSERT_EQ(jacobians.size(), 3u);
  constexpr double kStep = 1e-6;
  for (Eigen::Index s = 0; s < x.cols(); ++s) {
    const MatD& j = jacobians[s];
    ASSERT_EQ(j.rows(), c.width);
    ASSERT_EQ(j.cols(), c.InputDim());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      MatD plus = x.col(s), minus = x.col(s);
      plus(i) += kStep;
      minus(i) -= kStep;
      ForwardCache<double> up, down;
      network.Forward(plus, &up);
      network.Forward(minus, &down);
      const VecD fd = (up.a[c.depth] - down.a[c.depth]) / (2 * kStep);
      for (Eigen::Index r = 0; r < fd.size(); ++r) {
        EXPECT_NEAR(j(r, i), fd(r), 1e-6 * std::max(1.0, std::fabs(fd(r))))
            << GetParam() << " sample " << s << " row " << r << " input " << i;
      }
    }
    MatD product = layers[s][0];
    for (int l = 1; l < c.depth; ++l) product = (layers[s][l] * product).eval();
    EXPECT_LT((product - j).cwiseAbs().maxCoeff(), 1e-12 * std::max(1.0, j.cwiseAbs().maxCoeff()));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryActivation, JacobianCheck, ::testing::ValuesIn(ActivationNames()),
                         [](const auto& info) { return info.param; });

TEST(SingularValues, HandComputedTwoByTwo) {
  // AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5.
  MatD a(2, 2);
  a << 3, 0, 4, 5;
  const VecD s = SingularValues(a);
  ASSERT_EQ(s.size(), 2);
  EXPECT_NEAR(s(0), std::sqrt(45.0), 1e-14);
  EXPECT_NEAR(s(1), std::sqrt(5.0), 1e-14);
  // A wide matrix has min(rows, cols) of them.
  EXPECT_EQ(SingularValues(MatD::Ones(2, 5)).size(), 2);
}

TEST(SingularValues, MatchTheGramMatrixEigenvalues) {
  // σ_i² are the eigenvalues of AᵀA; a well-conditioned 40x25 matrix keeps
  // them accurate enough to compare at 1e-12 relative.
  Rng rng(7, Purpose::kWeights);
  MatD a(40, 25);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = rng.Normal();
  const VecD s = SingularValues(a);
  ASSERT_EQ(s.size(), 25);
  Eigen::SelfAdjointEigenSolver<MatD> gram(a.transpose() * a);
  for (Eigen::Index i = 0; i < 25; ++i) {
    const double expected = std::sqrt(gram.eigenvalues()(24 - i));  // ascending there
    EXPECT_NEAR(s(i), expected, 1e-12 * expected) << i;
  }
  for (Eigen::Index i = 1; i < 25; ++i) EXPECT_GE(s(i - 1), s(i));  // descending
}

TEST(SingularValues, NonFiniteInputGivesNaNValues) {
  MatD a = MatD::Identity(3, 3);
  a(1, 2) = std::numeric_limits<double>::quiet_NaN();
  const VecD s = SingularValues(a);
  ASSERT_EQ(s.size(), 3);
  for (Eigen::Index i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(s(i)));
  a(1, 2) = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(SingularValues(a)(0)));
}

TEST(SummariseSpectra, HandComputedStatistics) {
  VecD first(2), second(2);
  first << 2, 1;
  second << 1, 0.25;
  const SpectrumStats s = SummariseSpectra({first, second});
  EXPECT_EQ(s.count, 4);
  EXPECT_DOUBLE_EQ(s.mean_sq, (4 + 1 + 1 + 0.0625) / 4);
  // s² = {4, 1}: variance 2.25; s² = {1, 1/16}: mean 17/32, variance (15/32)².
  EXPECT_DOUBLE_EQ(s.var_sq, (2.25 + (15.0 / 32) * (15.0 / 32)) / 2);
  EXPECT_EQ(s.max, 2);
  EXPECT_EQ(s.min, 0.25);
  EXPECT_DOUBLE_EQ(s.condition, (2.0 + 4.0) / 2);
  EXPECT_DOUBLE_EQ(s.isometry_frac, 3.0 / 4);  // 0.25 is outside [1/2, 2]
  VecD zero(2);
  zero << 1, 0;
  EXPECT_TRUE(std::isinf(SummariseSpectra({zero}).condition));
  EXPECT_TRUE(std::isnan(SummariseSpectra({}).mean_sq));
}

// Per sample: var(s²)/mean(s²)², the shape of the spectrum. Its overall scale
// mean(s²) moves from one draw to the next by ~10% at width 512 and depth 10
// (a product of 10 random matrices), its shape by ~2.5% (measured over seeds
// 0..7), so the theory's var(s²) (for m1 = 1) is compared with the shape.
double MeanNormalisedVariance(const RunConfig& base, int seeds) {
  double total = 0;
  int count = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    RunConfig c = base;
    c.seed = seed;
    for (const VecD& s : RunSpectrum(c, false).values) {
      const double mean = s.array().square().mean();
      total += (s.array().square() - mean).square().mean() / (mean * mean);
      ++count;
    }
  }
  return total / count;
}

RunConfig Wide(const std::string& activation, const std::string& init, int samples) {
  RunConfig c = Config(activation, init, 10, 512, samples);
  c.dtype = DType::kFloat64;
  return c;
}

TEST(SpectrumTheory, LinearOrthogonalIsExactlyIsometric) {
  const SpectrumResult r = RunSpectrum(Wide("identity", "orthogonal", 2), false);
  EXPECT_LT(r.stats.var_sq, 1e-6);
  EXPECT_NEAR(r.stats.mean_sq, 1.0, 1e-9);
  EXPECT_NEAR(r.stats.max, 1.0, 1e-9);
  EXPECT_NEAR(r.stats.min, 1.0, 1e-9);
  EXPECT_EQ(r.stats.isometry_frac, 1.0);
}

// Linear + Gaussian at criticality: var(s²) = L = 10. The linear J does not
// depend on the input, so each seed gives one matrix: 8 seeds, 2.5% spread
// each, mean within 5%. mean(s²) itself: within 3% (its seed spread is 1.7%).
TEST(SpectrumTheory, LinearGaussianVarianceIsDepth) {
  EXPECT_NEAR(MeanNormalisedVariance(Wide("identity", "xavier_normal", 1), 8), 10.0, 0.5);
  double mean_sq = 0;
  for (int seed = 0; seed < 8; ++seed) {
    RunConfig c = Wide("identity", "xavier_normal", 1);
    c.seed = seed;
    mean_sq += RunSpectrum(c, false).stats.mean_sq / 8;
  }
  EXPECT_NEAR(mean_sq, 1.0, 0.03);
}

// ReLU + He (σ_w² p = 2 · 1/2 = 1): var(s²) = L/p = 20. 4 seeds × 4 samples.
TEST(SpectrumTheory, ReluGaussianVarianceIsTwiceDepth) {
  EXPECT_NEAR(MeanNormalisedVariance(Wide("relu", "he_normal", 4), 4), 20.0, 1.0);
}

TEST(Spectrum, SameNumbersAtOneAndTwoThreads) {
  RunConfig c = Config("tanh", "orthogonal", 4, 300, 3);  // not a multiple of the chunk sizes
  c.threads = 1;
  const SpectrumResult one = RunSpectrum(c, true);
  c.threads = 2;
  const SpectrumResult two = RunSpectrum(c, true);
  ASSERT_EQ(one.values.size(), two.values.size());
  for (size_t s = 0; s < one.values.size(); ++s) EXPECT_EQ(one.values[s], two.values[s]);
  for (size_t l = 0; l < one.layer_values.size(); ++l) {
    for (size_t s = 0; s < one.values.size(); ++s) {
      EXPECT_EQ(one.layer_values[l][s], two.layer_values[l][s]);
    }
  }
}

TEST(Spectrum, PerLayerStatisticsAreThoseOfEachLayerJacobian) {
  const RunConfig c = Tiny("maxout");
  const SpectrumResult r = RunSpectrum(c, true);
  ASSERT_EQ(r.layer_stats.size(), 3u);
  const Network<double> network = BuildNetwork<double>(c);
  std::vector<std::vector<MatD>> layers;
  InputOutputJacobians(network, c.depth, SampleInput(c), &layers);
  for (int l = 0; l < 3; ++l) {
    std::vector<VecD> values;
    for (const std::vector<MatD>& sample : layers) values.push_back(SingularValues(sample[l]));
    EXPECT_DOUBLE_EQ(r.layer_stats[l].mean_sq, SummariseSpectra(values).mean_sq) << l;
  }
}

TEST(Spectrum, RefusesAConfigurationOverTheMemoryLimit) {
  RunConfig c = Config("relu", "he_normal", 50, 20000, 8);
  c.memory_limit_gb = 1;
  try {
    RunSpectrum(c, false);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("memory"), std::string::npos) << e.what();
  }
  EXPECT_GT(EstimateSpectrumBytes(c, 1), 20000.0 * 20000 * 8 * 4);
}

TEST(SpectrumCli, WritesSummaryPerLayerAndValues) {
  const std::string dir = testing_util::ScratchDir();
  ASSERT_EQ(testing_util::Gradflow(dir,
                                   "spectrum --activation tanh --depth 3 --width 6 --samples 2 "
                                   "-o s.csv --per-layer l.csv --values-out v.csv"),
            0)
      << testing_util::ReadText(dir + "/err.txt");
  const std::string summary = testing_util::ReadText(dir + "/s.csv");
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 2);
  EXPECT_NE(summary.find("sv_mean_sq"), std::string::npos);
  const std::string layers = testing_util::ReadText(dir + "/l.csv");
  EXPECT_EQ(std::count(layers.begin(), layers.end(), '\n'), 1 + 3);
  const std::string values = testing_util::ReadText(dir + "/v.csv");
  EXPECT_EQ(std::count(values.begin(), values.end(), '\n'), 1 + 2 * 6);
  EXPECT_NE(testing_util::ReadText(dir + "/err.txt").find("mean s^2"), std::string::npos);
}

TEST(SpectrumCli, BadInputExitsTwoWithAMessage) {
  const std::string dir = testing_util::ScratchDir();
  EXPECT_EQ(testing_util::Gradflow(dir, "spectrum --samples 0"), 2);
  EXPECT_NE(testing_util::ReadText(dir + "/err.txt").find("--samples"), std::string::npos);
  EXPECT_EQ(testing_util::Gradflow(dir, "spectrum --width 4 -o a.csv --values-out a.csv"), 2);
  EXPECT_NE(testing_util::ReadText(dir + "/err.txt").find("is the same file as --out"),
            std::string::npos);
  EXPECT_EQ(testing_util::Gradflow(dir, "spectrum --loss mse"), 2);  // no loss: no head
  EXPECT_EQ(testing_util::Gradflow(dir, "spectrum --activation nope"), 2);
  EXPECT_EQ(testing_util::Gradflow(dir, "spectrum --width 100000 --depth 100 --memory-limit-gb 1"),
            2);
  EXPECT_NE(testing_util::ReadText(dir + "/err.txt").find("memory"), std::string::npos);
}

}  // namespace
}  // namespace gradflow
