#include "engine/activation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"

namespace gradflow {
namespace {

class EveryActivation : public ::testing::TestWithParam<std::string> {
 protected:
  Activation activation_{FindActivation(GetParam()), ActivationParams{}};
};

// φ' against central differences of φ over [-30, 30], tails included. Points
// near 0 are skipped for activations with a kink there (φ' is one-sided).
TEST_P(EveryActivation, DerivativeMatchesFiniteDifferences) {
  const double h = 1e-5;
  for (double z = -30.0; z <= 30.0; z += 0.173) {
    if (activation_.spec().kink_at_zero && std::fabs(z) < 2 * h) continue;
    const double numeric = (activation_.Phi(z + h) - activation_.Phi(z - h)) / (2 * h);
    const double analytic = activation_.DPhi(z);
    EXPECT_NEAR(analytic, numeric, 1e-7 + 1e-6 * std::fabs(numeric)) << "z = " << z;
  }
}

// In the far tails the derivative must stay positive where the true one is
// (no 1 - σ(z) cancellation to exactly 0), for the smooth saturating ones.
TEST(Activation, TailDerivativesDoNotCancelToZero) {
  const Activation sigmoid(FindActivation("sigmoid"), {});
  const Activation tanh_act(FindActivation("tanh"), {});
  EXPECT_NEAR(sigmoid.DPhi(40.0) / std::exp(-40.0), 1.0, 1e-12);
  EXPECT_NEAR(sigmoid.DPhi(-40.0) / std::exp(-40.0), 1.0, 1e-12);
  EXPECT_NEAR(tanh_act.DPhi(20.0) / (4 * std::exp(-40.0)), 1.0, 1e-12);
}

// max|φ'| is the supremum of |φ'|: no sampled point exceeds it and some come close.
TEST_P(EveryActivation, MaxAbsDerivativeIsTheSupremum) {
  double largest = 0;
  for (double z = -30.0; z <= 30.0; z += 1e-3)
    largest = std::max(largest, std::fabs(activation_.DPhi(z)));
  // A supremum at a kink (SELU at 0⁻) is approached from one side.
  for (double z : {-1e-12, 1e-12}) largest = std::max(largest, std::fabs(activation_.DPhi(z)));
  EXPECT_LE(largest, activation_.MaxAbsDPhi() * (1 + 1e-12));
  EXPECT_GE(largest, activation_.MaxAbsDPhi() * (1 - 1e-6));
}

// Distance from x to the double reference, in units in the last place of
// float at the reference (the spacing of floats there; the smallest subnormal
// at 0). 0 when both are NaN, infinite when only one is.
double FloatUlps(float x, double reference) {
  if (std::isnan(reference) || std::isnan(x)) {
    return std::isnan(reference) && std::isnan(x) ? 0 : INFINITY;
  }
  if (static_cast<double>(x) == reference) return 0;  // also ±inf
  const float nearest = std::fabs(static_cast<float>(reference));
  const double spacing = static_cast<double>(std::nextafter(nearest, INFINITY)) - nearest;
  return std::fabs(static_cast<double>(x) - reference) / spacing;
}

// The float blocks (what float32 networks run) against the scalar double
// functions, at every 2^-10 step of [-30, 30] and tiny values near 0: φ and φ'
// within kMaxFloatUlps. The double blocks give exactly the scalar values.
constexpr double kMaxFloatUlps = 4;

TEST_P(EveryActivation, BlocksMatchTheDoubleReference) {
  if (activation_.IsMaxout()) {  // not elementwise: Forward takes each unit's max itself
    EXPECT_EQ(activation_.Block<float>(), nullptr);
    EXPECT_EQ(activation_.Block<double>(), nullptr);
    return;
  }
  std::vector<float> z;
  for (int i = -30 * 1024; i <= 30 * 1024; ++i) z.push_back(static_cast<float>(i) / 1024.0f);
  for (float tiny : {1e-30f, 1e-7f, 3e-4f, 0.1f}) {
    z.push_back(tiny);
    z.push_back(-tiny);
  }
  const Eigen::Index n = static_cast<Eigen::Index>(z.size());
  std::vector<float> a(n), dphi(n), a_only(n);
  activation_.Block<float>()(z.data(), n, activation_.params(), a.data(), dphi.data());
  activation_.Block<float>()(z.data(), n, activation_.params(), a_only.data(), nullptr);
  std::vector<double> zd(z.begin(), z.end()), ad(n), dphid(n);
  activation_.Block<double>()(zd.data(), n, activation_.params(), ad.data(), dphid.data());
  double worst_phi = 0, worst_dphi = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double phi = activation_.Phi(z[i]), dphi_ref = activation_.DPhi(z[i]);
    worst_phi = std::max(worst_phi, FloatUlps(a[i], phi));
    worst_dphi = std::max(worst_dphi, FloatUlps(dphi[i], dphi_ref));
    ASSERT_EQ(a_only[i], a[i]) << "z = " << z[i];
    ASSERT_EQ(ad[i], phi) << "z = " << z[i];
    ASSERT_EQ(dphid[i], dphi_ref) << "z = " << z[i];
  }
  EXPECT_LE(worst_phi, kMaxFloatUlps) << GetParam();
  EXPECT_LE(worst_dphi, kMaxFloatUlps) << GetParam();
  RecordProperty("worst_phi_ulps", std::to_string(worst_phi));
  RecordProperty("worst_dphi_ulps", std::to_string(worst_dphi));
}

// NaN and ±inf go through a float block as through the scalar functions (a
// finite result, such as α for leaky_relu's φ'(-inf), to float rounding).
TEST_P(EveryActivation, BlocksKeepNonFiniteValues) {
  if (activation_.IsMaxout()) {  // Forward's own path: ±inf pieces compete as numbers
    Mat<float> z(4, 1), a;
    z << 1, INFINITY, -INFINITY, -2;
    activation_.Forward(z, &a);
    EXPECT_EQ(a(0, 0), INFINITY);
    EXPECT_EQ(a(1, 0), -2);
    return;
  }
  const std::vector<float> z = {NAN, INFINITY, -INFINITY};
  std::vector<float> a(3), dphi(3);
  activation_.Block<float>()(z.data(), 3, activation_.params(), a.data(), dphi.data());
  for (int i = 0; i < 3; ++i) {
    EXPECT_LE(FloatUlps(a[i], activation_.Phi(z[i])), 1) << GetParam() << " z = " << z[i];
    EXPECT_LE(FloatUlps(dphi[i], activation_.DPhi(z[i])), 1) << GetParam() << " z = " << z[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Table, EveryActivation, ::testing::ValuesIn(ActivationNames()));

TEST(Activation, KnownValues) {
  const ActivationParams p;
  EXPECT_DOUBLE_EQ(Activation(FindActivation("sigmoid"), p).DPhi(0), 0.25);
  EXPECT_DOUBLE_EQ(Activation(FindActivation("relu"), p).Phi(-2), 0);
  EXPECT_DOUBLE_EQ(Activation(FindActivation("leaky_relu"), p).Phi(-2), -0.02);
  EXPECT_NEAR(Activation(FindActivation("elu"), p).Phi(-1), std::exp(-1) - 1, 1e-15);
  EXPECT_NEAR(Activation(FindActivation("selu"), p).Phi(1), 1.0507009873554805, 1e-15);
  EXPECT_NEAR(Activation(FindActivation("gelu"), p).Phi(1), 0.8413447460685429, 1e-15);
  EXPECT_NEAR(Activation(FindActivation("softplus"), p).Phi(0), std::log(2.0), 1e-15);
  EXPECT_NEAR(Activation(FindActivation("softsign"), p).Phi(3), 0.75, 1e-15);
  EXPECT_NEAR(Activation(FindActivation("silu"), p).MaxAbsDPhi(), 1.0998, 1e-4);
}

// The saturation rule |φ'(z)| < τ·max|φ'| at τ = 0.02 reproduces docs/theory.md's
// thresholds: sigmoid |z| > 5.29, tanh |tanh z| > 0.990, ELU and softplus z < -3.9.
TEST(Activation, SaturationThresholdsMatchTheory) {
  const ActivationParams p;
  auto saturated = [&](const char* name, double z) {
    const Activation a(FindActivation(name), p);
    return Activation::Saturated(a.DPhi(z), a.SaturationLimit(0.02));
  };
  EXPECT_FALSE(saturated("sigmoid", 5.28));
  EXPECT_TRUE(saturated("sigmoid", 5.30));
  EXPECT_TRUE(saturated("sigmoid", -5.30));
  EXPECT_FALSE(saturated("tanh", std::atanh(0.9899)));
  EXPECT_TRUE(saturated("tanh", std::atanh(0.9901)));
  EXPECT_FALSE(saturated("elu", -3.89));
  EXPECT_TRUE(saturated("elu", -3.92));
  EXPECT_TRUE(saturated("softplus", -3.9));
  EXPECT_TRUE(saturated("relu", -0.1));
  // LeakyReLU's negative side is "low gain", saturated only when α < τ (here 0.01 < 0.02).
  EXPECT_TRUE(saturated("leaky_relu", -5));
}

// σ(z) − 1/2: zero at 0, odd, sigmoid's slope and saturation thresholds.
TEST(Activation, CentredSigmoidIsSigmoidMinusOneHalf) {
  const Activation centred(FindActivation("sigmoid_centred"), {});
  const Activation sigmoid(FindActivation("sigmoid"), {});
  EXPECT_EQ(centred.Phi(0), 0.0);
  for (double z : {-30.0, -5.3, -1.0, 1e-9, 0.5, 2.0, 12.0}) {
    EXPECT_NEAR(centred.Phi(z), sigmoid.Phi(z) - 0.5, 1e-15) << z;
    EXPECT_EQ(centred.Phi(-z), -centred.Phi(z)) << z;
    EXPECT_EQ(centred.DPhi(z), sigmoid.DPhi(z)) << z;
  }
  EXPECT_NEAR(centred.Phi(1e-9), 0.25e-9, 1e-24);  // no cancellation near 0
  EXPECT_EQ(centred.MaxAbsDPhi(), 0.25);
  EXPECT_FALSE(Activation::Saturated(centred.DPhi(5.28), centred.SaturationLimit(0.02)));
  EXPECT_TRUE(Activation::Saturated(centred.DPhi(-5.30), centred.SaturationLimit(0.02)));
}

TEST(Activation, LeakyReluSaturatesOnlyWhenSlopeBelowTau) {
  ActivationParams p;
  p.leaky_slope = 0.1;
  const Activation leaky(FindActivation("leaky_relu"), p);
  EXPECT_FALSE(Activation::Saturated(leaky.DPhi(-5), leaky.SaturationLimit(0.02)));
  p.leaky_slope = 0.01;
  const Activation tiny(FindActivation("leaky_relu"), p);
  EXPECT_TRUE(Activation::Saturated(tiny.DPhi(-5), tiny.SaturationLimit(0.02)));
  // A negative slope passes gradient too: α = -3 gives max|φ'| = 3, and its
  // negative side is the steepest part, not saturated.
  p.leaky_slope = -3;
  const Activation negative(FindActivation("leaky_relu"), p);
  EXPECT_EQ(negative.MaxAbsDPhi(), 3.0);
  EXPECT_FALSE(Activation::Saturated(negative.DPhi(-5), negative.SaturationLimit(0.02)));
}

// GELU and SiLU have negative slopes for z < -0.75 and z < -1.28. Hand-computed
// (Φ, pdf of the standard normal; σ the sigmoid), τ = 0.02:
//   GELU max|φ'| = φ'(√2) = 1.128904, limit 0.0225781
//     φ'(-1.5) = Φ(-1.5) - 1.5 pdf(-1.5) = 0.0668072 - 0.1942764 = -0.127469: not saturated
//     φ'(-3)   = 0.0013499 - 3·0.0044318 = -0.011946: saturated
//     φ'(-0.75) = 0.2266274 - 0.75·0.3011374 = 0.000774: saturated (φ' crosses 0 here)
//   SiLU max|φ'| = 1.099839, limit 0.0219968
//     φ'(-2) = σ(-2)(1 - 2σ(2)) = 0.1192029·(-0.7615942) = -0.090784: not saturated
//     φ'(-6) = σ(-6)(1 - 6σ(6)) = 0.0024726·(-4.985164) = -0.012326: saturated
TEST(Activation, NegativeSlopesOfGeluAndSiluAreNotSaturated) {
  const Activation gelu(FindActivation("gelu"), {});
  const Activation silu(FindActivation("silu"), {});
  EXPECT_NEAR(gelu.MaxAbsDPhi(), 1.128904, 1e-6);
  EXPECT_NEAR(gelu.DPhi(-1.5), -0.127469, 1e-6);
  EXPECT_NEAR(gelu.DPhi(-3), -0.011946, 1e-6);
  EXPECT_NEAR(gelu.DPhi(-0.75), 0.000774, 1e-6);
  EXPECT_NEAR(silu.DPhi(-2), -0.090784, 1e-6);
  EXPECT_NEAR(silu.DPhi(-6), -0.012326, 1e-6);
  const double gelu_limit = gelu.SaturationLimit(0.02), silu_limit = silu.SaturationLimit(0.02);
  EXPECT_NEAR(gelu_limit, 0.0225781, 1e-7);
  EXPECT_FALSE(Activation::Saturated(gelu.DPhi(-1.5), gelu_limit));
  EXPECT_TRUE(Activation::Saturated(gelu.DPhi(-3), gelu_limit));
  EXPECT_TRUE(Activation::Saturated(gelu.DPhi(-0.75), gelu_limit));
  EXPECT_FALSE(Activation::Saturated(gelu.DPhi(1), gelu_limit));
  EXPECT_FALSE(Activation::Saturated(silu.DPhi(-2), silu_limit));
  EXPECT_TRUE(Activation::Saturated(silu.DPhi(-6), silu_limit));
  EXPECT_FALSE(Activation::Saturated(silu.DPhi(0), silu_limit));
}

TEST(Activation, MaxoutTakesTheMaxAndRoutesTheGradientToTheWinner) {
  ActivationParams p;
  p.maxout_pieces = 3;
  const Activation maxout(FindActivation("maxout"), p);
  MatD z(6, 2);  // 2 units × 3 pieces, 2 samples
  z << 1, -1,    //
      5, -2,     //
      2, -3,     //
      0, 4,      //
      -1, 4,     // a tie: the first maximum wins
      -2, 0;
  MatD a;
  maxout.Forward(z, &a);
  ASSERT_EQ(a.rows(), 2);
  EXPECT_EQ(a(0, 0), 5);
  EXPECT_EQ(a(0, 1), -1);
  EXPECT_EQ(a(1, 0), 0);
  EXPECT_EQ(a(1, 1), 4);
  MatD da(2, 2);
  da << 10, 20, 30, 40;
  MatD delta;
  maxout.Backward(z, da, &delta);
  MatD expected = MatD::Zero(6, 2);
  expected(1, 0) = 10;
  expected(0, 1) = 20;
  expected(3, 0) = 30;
  expected(3, 1) = 40;
  EXPECT_EQ(delta, expected);
}

// The maxout kernels (constant piece counts 2–4, a loop for others) against
// the definition, for float and double, on values with ties (integers in
// [-3, 3]) and a NaN: the first of equal maxima wins and takes φ' = 1, and
// δ = φ' · (∂L/∂a) of the piece's unit.
template <typename T>
void ExpectMaxoutMatchesTheDefinition(int k) {
  ActivationParams p;
  p.maxout_pieces = k;
  const Activation maxout(ActivationKind::kMaxout, p);
  const int units = 37, batch = 3;
  Mat<T> z(units * k, batch);
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = T((i * 7919 % 13) % 7) - T(3);
  z(k, 1) = std::numeric_limits<T>::quiet_NaN();  // unit 1's first piece: it stays the winner
  Mat<T> a, dphi, da(units, batch), delta;
  for (Eigen::Index i = 0; i < da.size(); ++i) da.data()[i] = T(i + 1);
  maxout.Forward(z, &a, &dphi);
  maxout.BackwardFromDerivative(dphi, da, &delta);
  for (int b = 0; b < batch; ++b) {
    for (int i = 0; i < units; ++i) {
      int winner = 0;
      for (int j = 1; j < k; ++j)
        if (z(i * k + j, b) > z(i * k + winner, b)) winner = j;
      const T expected = z(i * k + winner, b);
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(a(i, b))) << "k " << k << " unit " << i;
      } else {
        EXPECT_EQ(a(i, b), expected) << "k " << k << " unit " << i;
      }
      for (int j = 0; j < k; ++j) {
        EXPECT_EQ(dphi(i * k + j, b), j == winner ? T(1) : T(0)) << "k " << k << " unit " << i;
        EXPECT_EQ(delta(i * k + j, b), j == winner ? da(i, b) : T(0));
      }
    }
  }
  Mat<T> a_only;
  maxout.Forward(z, &a_only);
  EXPECT_TRUE(a_only.cwiseEqual(a).count() + (a.array().isNaN()).count() == a.size());
}

TEST(Activation, MaxoutKernelsMatchTheDefinitionForEveryPieceCount) {
  for (int k = 1; k <= 6; ++k) {
    ExpectMaxoutMatchesTheDefinition<float>(k);
    ExpectMaxoutMatchesTheDefinition<double>(k);
  }
}

// piecewise_linear rows have a constant φ' on each side of 0 (and maxout,
// linear per piece, routes a gradient of exactly 1); the others do not.
TEST_P(EveryActivation, PiecewiseLinearFlagMatchesTheDerivative) {
  bool constant_each_side = true;
  for (double z = 0.25; z <= 8.0; z += 0.25) {
    constant_each_side = constant_each_side && activation_.DPhi(z) == activation_.DPhi(0.25) &&
                         activation_.DPhi(-z) == activation_.DPhi(-0.25);
  }
  EXPECT_EQ(activation_.spec().piecewise_linear, constant_each_side) << GetParam();
}

TEST(Activation, ParseAndName) {
  EXPECT_EQ(ParseActivation("leaky_relu"), ActivationKind::kLeakyRelu);
  EXPECT_EQ(ActivationName(ActivationKind::kGelu), "gelu");
  EXPECT_EQ(Activation(ActivationKind::kMaxout, {}).Pieces(), 2);
  EXPECT_EQ(Activation::Identity().name(), "identity");
}

TEST(Activation, UnknownNameSuggestsTheClosest) {
  try {
    FindActivation("sigmod");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'sigmoid'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--activation"), std::string::npos);
  }
}

}  // namespace
}  // namespace gradflow
