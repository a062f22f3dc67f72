// Normalisation: the table, a hand-computed forward case for batch and layer
// norm, and the backward pass (∂L/∂z through the statistics, ∂L/∂γ, ∂L/∂β)
// against central finite differences in float64. The whole network with
// norms and residual connections is checked in gradient_check_test.cpp.
#include "engine/normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "base/rng.h"

namespace gradflow {
namespace {

TEST(NormTable, NamesParseAndRoundTrip) {
  EXPECT_EQ(NormNames(), (std::vector<std::string>{"none", "batch", "layer"}));
  for (const std::string& name : NormNames()) EXPECT_EQ(NormName(ParseNorm(name)), name);
  try {
    ParseNorm("batchnorm");
    FAIL() << "an unknown norm was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--norm"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("batch"), std::string::npos) << e.what();
  }
}

// z = [1 3; 2 6] (rows = units, columns = samples), γ = (2, 1), β = (0, 1).
// batch (per row over samples): row 1 μ = 2, σ² = 1; row 2 μ = 4, σ² = 4:
//   x̂ = [-1 1; -1 1]·(σ²/(σ²+ε))^½;  u = γ x̂ + β = [-2s1 2s1; 1-s2 1+s2]
// layer (per column over units): column 1 μ = 1.5, σ² = 0.25; column 2 μ = 4.5, σ² = 2.25:
//   x̂ = [-1 -1; 1 1]·(σ²/(σ²+ε))^½ per column
TEST(NormForward, HandComputedBatchAndLayer) {
  MatD z(2, 2);
  z << 1, 3, 2, 6;
  VecD gamma(2), beta(2);
  gamma << 2, 1;
  beta << 0, 1;
  auto shrink = [](double var) { return std::sqrt(var / (var + kNormEpsilon)); };
  NormCache<double> cache;
  MatD u;
  NormForward(NormKind::kBatch, z, gamma, beta, &cache, &u);
  const double s1 = shrink(1), s2 = shrink(4);
  EXPECT_NEAR(u(0, 0), -2 * s1, 1e-15);
  EXPECT_NEAR(u(0, 1), 2 * s1, 1e-15);
  EXPECT_NEAR(u(1, 0), 1 - s2, 1e-15);
  EXPECT_NEAR(u(1, 1), 1 + s2, 1e-15);
  ASSERT_EQ(cache.inv_std.size(), 2);
  EXPECT_NEAR(cache.inv_std(1), 1 / std::sqrt(4 + kNormEpsilon), 1e-15);

  NormForward(NormKind::kLayer, z, gamma, beta, &cache, &u);
  const double c1 = shrink(0.25), c2 = shrink(2.25);
  EXPECT_NEAR(u(0, 0), -2 * c1, 1e-12);
  EXPECT_NEAR(u(1, 0), 1 + c1, 1e-12);
  EXPECT_NEAR(u(0, 1), -2 * c2, 1e-12);
  EXPECT_NEAR(u(1, 1), 1 + c2, 1e-12);
  ASSERT_EQ(cache.inv_std.size(), 2);
  EXPECT_NEAR(cache.inv_std(0), 1 / std::sqrt(0.25 + kNormEpsilon), 1e-12);
}

// L = Σ r ⊙ u for a fixed random r: ∂L/∂u = r.
class NormBackwardCheck : public ::testing::TestWithParam<NormKind> {
 protected:
  void SetUp() override {
    Rng rng(3, Purpose::kWeights, 1);
    z_.resize(4, 5);
    r_.resize(4, 5);
    gamma_.resize(4);
    beta_.resize(4);
    for (Eigen::Index i = 0; i < z_.size(); ++i) z_.data()[i] = 2 * rng.Normal() + 0.5;
    for (Eigen::Index i = 0; i < r_.size(); ++i) r_.data()[i] = rng.Normal();
    for (Eigen::Index i = 0; i < 4; ++i) gamma_(i) = 1 + 0.5 * rng.Normal();
    for (Eigen::Index i = 0; i < 4; ++i) beta_(i) = rng.Normal();
  }
  double Loss() const {
    NormCache<double> cache;
    MatD u;
    NormForward(GetParam(), z_, gamma_, beta_, &cache, &u);
    return (u.array() * r_.array()).sum();
  }
  double Numeric(double* value) {
    const double saved = *value, step = 1e-6;
    *value = saved + step;
    const double plus = Loss();
    *value = saved - step;
    const double minus = Loss();
    *value = saved;
    return (plus - minus) / (2 * step);
  }
  MatD z_, r_;
  VecD gamma_, beta_;
};

TEST_P(NormBackwardCheck, MatchesFiniteDifferences) {
  NormCache<double> cache;
  MatD u, dz;
  VecD dgamma, dbeta;
  NormForward(GetParam(), z_, gamma_, beta_, &cache, &u);
  NormBackward(GetParam(), cache, gamma_, r_, &dz, &dgamma, &dbeta);
  MatD dz_numeric(z_.rows(), z_.cols());
  for (Eigen::Index i = 0; i < z_.size(); ++i) dz_numeric.data()[i] = Numeric(&z_.data()[i]);
  VecD dgamma_numeric(4), dbeta_numeric(4);
  for (Eigen::Index i = 0; i < 4; ++i) {
    dgamma_numeric(i) = Numeric(&gamma_(i));
    dbeta_numeric(i) = Numeric(&beta_(i));
  }
  EXPECT_LT((dz - dz_numeric).norm() / dz_numeric.norm(), 1e-7);
  EXPECT_LT((dgamma - dgamma_numeric).norm() / dgamma_numeric.norm(), 1e-7);
  EXPECT_LT((dbeta - dbeta_numeric).norm() / dbeta_numeric.norm(), 1e-7);
  // The statistics matter: ∂L/∂z is not γ·r/σ (what ignoring μ and σ² would give).
  MatD naive = dz;
  for (Eigen::Index j = 0; j < z_.cols(); ++j)
    for (Eigen::Index i = 0; i < z_.rows(); ++i)
      naive(i, j) = gamma_(i) * r_(i, j) * cache.inv_std(GetParam() == NormKind::kBatch ? i : j);
  EXPECT_GT((naive - dz_numeric).norm() / dz_numeric.norm(), 1e-2);
}

TEST_P(NormBackwardCheck, FloatAgreesWithDouble) {
  NormCache<double> cache;
  NormCache<float> cache_f;
  MatD u, dz;
  Mat<float> u_f, dz_f;
  VecD dgamma, dbeta;
  Vec<float> dgamma_f, dbeta_f;
  NormForward(GetParam(), z_, gamma_, beta_, &cache, &u);
  NormForward<float>(GetParam(), z_.cast<float>(), gamma_.cast<float>(), beta_.cast<float>(),
                     &cache_f, &u_f);
  NormBackward(GetParam(), cache, gamma_, r_, &dz, &dgamma, &dbeta);
  NormBackward<float>(GetParam(), cache_f, gamma_.cast<float>(), r_.cast<float>(), &dz_f, &dgamma_f,
                      &dbeta_f);
  EXPECT_LT((u_f.cast<double>() - u).norm() / u.norm(), 1e-6);
  EXPECT_LT((dz_f.cast<double>() - dz).norm() / dz.norm(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(BatchAndLayer, NormBackwardCheck,
                         ::testing::Values(NormKind::kBatch, NormKind::kLayer),
                         [](const ::testing::TestParamInfo<NormKind>& info) {
                           return NormName(info.param);
                         });

}  // namespace
}  // namespace gradflow
