#include "engine/init.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gradflow {
namespace {

// Each scheme's sample variance times fan_in matches its table σ_w², which is
// what the theory module trusts.
class EveryInit : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryInit, SampleVarianceMatchesSigmaW2) {
  const InitSpec& spec = FindInit(GetParam());
  const InitParams params;
  for (auto [fan_out, fan_in] : {std::pair{300, 300}, std::pair{200, 400}, std::pair{400, 200}}) {
    Rng rng(11, Purpose::kWeights, 1);
    const MatD w = SampleWeights(spec, params, 1.0, fan_out, fan_in, &rng);
    ASSERT_EQ(w.rows(), fan_out);
    ASSERT_EQ(w.cols(), fan_in);
    const double variance = w.array().square().mean() - std::pow(w.mean(), 2);
    const double expected = spec.sigma_w2(fan_in, fan_out, params) / fan_in;
    EXPECT_NEAR(variance / expected, 1.0, 0.02) << fan_out << "x" << fan_in;
    EXPECT_NEAR(w.mean(), 0.0, 0.05 * std::sqrt(expected));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, EveryInit, ::testing::ValuesIn(InitNames()));

TEST(Init, GainScalesWeights) {
  Rng a(1, Purpose::kWeights, 1), b(1, Purpose::kWeights, 1);
  const InitSpec& spec = FindInit("he_normal");
  const MatD w1 = SampleWeights(spec, {}, 1.0, 10, 10, &a);
  const MatD w3 = SampleWeights(spec, {}, 3.0, 10, 10, &b);
  EXPECT_LT((3.0 * w1 - w3).norm(), 1e-12);
}

TEST(Init, OrthogonalHasOrthonormalRowsOrColumns) {
  const InitSpec& spec = FindInit("orthogonal");
  Rng rng(2, Purpose::kWeights, 1);
  const MatD square = SampleWeights(spec, {}, 1.0, 50, 50, &rng);
  EXPECT_LT((square.transpose() * square - MatD::Identity(50, 50)).norm(), 1e-10);
  const MatD tall = SampleWeights(spec, {}, 1.0, 60, 40, &rng);
  EXPECT_LT((tall.transpose() * tall - MatD::Identity(40, 40)).norm(), 1e-10);
  const MatD wide = SampleWeights(spec, {}, 1.0, 40, 60, &rng);
  EXPECT_LT((wide * wide.transpose() - MatD::Identity(40, 40)).norm(), 1e-10);
}

TEST(Init, UniformSchemesRespectTheirBounds) {
  Rng rng(4, Purpose::kWeights, 1);
  const MatD he = SampleWeights(FindInit("he_uniform"), {}, 1.0, 64, 96, &rng);
  EXPECT_LE(he.cwiseAbs().maxCoeff(), std::sqrt(6.0 / 96));
  const MatD torch = SampleWeights(FindInit("torch_default"), {}, 1.0, 64, 96, &rng);
  EXPECT_LE(torch.cwiseAbs().maxCoeff(), 1.0 / std::sqrt(96.0));
  InitParams p;
  p.init_scale = 0.3;
  const MatD u = SampleWeights(FindInit("uniform"), p, 1.0, 20, 20, &rng);
  EXPECT_LE(u.cwiseAbs().maxCoeff(), 0.3);
  EXPECT_GT(u.cwiseAbs().maxCoeff(), 0.25);
}

}  // namespace
}  // namespace gradflow
