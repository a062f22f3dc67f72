// Tests of the mean-field module: quadrature against closed forms, against an
// independent brute-force integral and against Monte Carlo with our Rng; the
// fixed point and phase for known cases; the per-layer predictions.
#include "theory/theory.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "base/rng.h"

namespace gradflow {
namespace {

constexpr double kPi = 3.14159265358979323846;

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

Activation Act(const std::string& name, ActivationParams params = {}) {
  return Activation(FindActivation(name), params);
}

// Relative difference, safe at 0.
double RelErr(double got, double want) {
  return std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
}

// Brute-force reference: composite Simpson with 2·10^5 intervals on each side
// of 0 over ±12 standard deviations, entirely independent of the panel layout.
double SimpsonExpectation(const std::function<double(double)>& f, double q) {
  const double sd = std::sqrt(q);
  const int n = 200000;  // even
  double total = 0;
  for (int side : {-1, 1}) {
    const double h = 12 * sd / n;
    double sum = 0;
    for (int i = 0; i <= n; ++i) {
      // the endpoint at 0 takes the one-sided value (φ' may jump there)
      const double u = side * (i == 0 ? 1e-300 : i * h);
      const double weight = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
      sum += weight * f(u) * std::exp(-0.5 * u * u / q);
    }
    total += sum * h / 3;
  }
  return total / std::sqrt(2 * kPi * q);
}

const double kQs[] = {1e-6, 0.1, 1.0, 4.0, 100.0, 1e6};

TEST(TheoryQuadrature, GaussianMomentsAreExact) {
  for (double q : kQs) {
    EXPECT_LT(RelErr(GaussianExpectation([](double) { return 1.0; }, q), 1.0), 1e-13) << q;
    EXPECT_LT(RelErr(GaussianExpectation([](double u) { return u * u; }, q), q), 1e-13) << q;
    EXPECT_LT(RelErr(GaussianExpectation([](double u) { return u * u * u * u; }, q), 3 * q * q),
              1e-13)
        << q;
    // E[|u|] = sqrt(2q/π): a kink at 0
    EXPECT_LT(RelErr(GaussianExpectation([](double u) { return std::fabs(u); }, q),
                     std::sqrt(2 * q / kPi)),
              1e-13)
        << q;
  }
  EXPECT_EQ(GaussianExpectation([](double u) { return 3 + u; }, 0.0), 3.0);
  // tiny q does not underflow: E[u²] at q = 1e-290
  EXPECT_LT(RelErr(GaussianExpectation([](double u) { return u * u; }, 1e-290), 1e-290), 1e-12);
}

TEST(TheoryQuadrature, ReluLeakyIdentityClosedForms) {
  for (double q : kQs) {
    // ReLU: E[φ²] = q/2, E[φ'²] = 1/2
    const MeanField relu(Act("relu"), 0.02);
    EXPECT_LT(RelErr(relu.ActSecondMoment(q), q / 2), 1e-13) << q;
    EXPECT_LT(RelErr(relu.DerivSecondMoment(q), 0.5), 1e-13) << q;
    EXPECT_LT(RelErr(relu.Chi(q, 2.0), 1.0), 1e-13) << q;
    // LeakyReLU(α): E[φ²] = q(1+α²)/2, χ = σ_w²(1+α²)/2
    ActivationParams p;
    p.leaky_slope = 0.2;
    const MeanField leaky(Act("leaky_relu", p), 0.02);
    EXPECT_LT(RelErr(leaky.ActSecondMoment(q), q * 1.04 / 2), 1e-13) << q;
    EXPECT_LT(RelErr(leaky.Chi(q, 1.5), 1.5 * 1.04 / 2), 1e-13) << q;
    const MeanField identity(Act("identity"), 0.02);
    EXPECT_LT(RelErr(identity.ActSecondMoment(q), q), 1e-13) << q;
    EXPECT_LT(RelErr(identity.Chi(q, 0.7), 0.7), 1e-13) << q;
  }
}

// ELU/SELU negative side: E[e^{tu} 1_{u<0}] = e^{t²q/2} Φ(-t√q), so
//   E[φ'²] = λ²(1/2 + α² e^{2q} Φ(-2√q))
//   E[φ²]  = λ²(q/2 + α²(e^{2q}Φ(-2√q) - 2e^{q/2}Φ(-√q) + 1/2))
void ExpectEluClosedForm(const MeanField& mf, double lambda, double alpha) {
  for (double q : {1e-6, 0.1, 1.0, 4.0, 30.0}) {
    const double e2 = std::exp(2 * q) * NormalCdf(-2 * std::sqrt(q));
    const double e1 = std::exp(q / 2) * NormalCdf(-std::sqrt(q));
    const double dphi2 = lambda * lambda * (0.5 + alpha * alpha * e2);
    const double phi2 = lambda * lambda * (q / 2 + alpha * alpha * (e2 - 2 * e1 + 0.5));
    EXPECT_LT(RelErr(mf.DerivSecondMoment(q), dphi2), 1e-12) << q;
    EXPECT_LT(RelErr(mf.ActSecondMoment(q), phi2), 1e-10) << q;  // closed form cancels at small q
  }
}

TEST(TheoryQuadrature, EluSeluClosedForms) {
  ExpectEluClosedForm(MeanField(Act("elu"), 0.02), 1.0, 1.0);
  ActivationParams p;
  p.elu_alpha = 0.5;
  ExpectEluClosedForm(MeanField(Act("elu", p), 0.02), 1.0, 0.5);
  ExpectEluClosedForm(MeanField(Act("selu"), 0.02), 1.0507009873554804934, 1.6732632423543772848);
  // SELU's fixed point: q = 1 maps to itself with σ_w² = 1 (self-normalising).
  EXPECT_NEAR(MeanField(Act("selu"), 0.02).ActSecondMoment(1.0), 1.0, 1e-9);
}

// tanh(u) = 2σ(2u) - 1 and tanh'(u) = 4σ'(2u), so with E[σ] = 1/2:
//   E[tanh²](q) = 4E[σ²](4q) - 1,   E[tanh'²](q) = 16 E[σ'²](4q)
// and E[σ²] = 1/2 - E[σ'] (σ(u)σ(-u) = σ'(u)). Different q, different panels.
TEST(TheoryQuadrature, TanhSigmoidIdentities) {
  const MeanField tanh_mf(Act("tanh"), 0.02), sigmoid_mf(Act("sigmoid"), 0.02);
  const Activation sigmoid = Act("sigmoid");
  for (double q : kQs) {
    EXPECT_LT(RelErr(tanh_mf.ActSecondMoment(q), 4 * sigmoid_mf.ActSecondMoment(4 * q) - 1),
              q < 1e-3 ? 1e-8 : 1e-12)
        << q;
    EXPECT_LT(RelErr(tanh_mf.DerivSecondMoment(q), 16 * sigmoid_mf.DerivSecondMoment(4 * q)), 1e-12)
        << q;
    const double mean_dphi = GaussianExpectation([&](double u) { return sigmoid.DPhi(u); }, q);
    EXPECT_LT(RelErr(sigmoid_mf.ActSecondMoment(q), 0.5 - mean_dphi), 1e-12) << q;
  }
  // Large q: E[sech²(√q s)] ≈ 2 pdf(0)/√q, the regime where Gauss–Hermite fails.
  EXPECT_NEAR(1 - tanh_mf.ActSecondMoment(1e6), 2 / std::sqrt(2 * kPi) / 1e3, 1e-7);
}

// Every activation against the brute-force Simpson reference, which shares
// nothing with the panel layout: the "better than 1e-6" with margin.
TEST(TheoryQuadrature, EveryActivationMatchesBruteForce) {
  for (const ActivationSpec& spec : ActivationTable()) {
    if (spec.is_maxout) continue;  // not elementwise; see MaxoutSecondMoment tests
    const Activation a(spec, ActivationParams{});
    const MeanField mf(a, 0.02);
    for (double q : {0.05, 1.0, 25.0}) {
      const double phi2 = SimpsonExpectation([&](double u) { return a.Phi(u) * a.Phi(u); }, q);
      const double dphi2 = SimpsonExpectation([&](double u) { return a.DPhi(u) * a.DPhi(u); }, q);
      EXPECT_LT(RelErr(mf.ActSecondMoment(q), phi2), 1e-9) << spec.name << " q=" << q;
      EXPECT_LT(RelErr(mf.DerivSecondMoment(q), dphi2), 1e-9) << spec.name << " q=" << q;
    }
  }
}

TEST(TheoryQuadrature, MaxoutSecondMomentClosedForms) {
  // M2(1) = M2(2) = 1 (max² + min² = x² + y², symmetric); M2(3) = 1 + √3/(2π); M2(4) = 1 + √3/π
  EXPECT_EQ(MaxoutSecondMoment(1), 1.0);
  EXPECT_LT(RelErr(MaxoutSecondMoment(2), 1.0), 1e-13);
  EXPECT_LT(RelErr(MaxoutSecondMoment(3), 1 + std::sqrt(3.0) / (2 * kPi)), 1e-13);
  EXPECT_LT(RelErr(MaxoutSecondMoment(4), 1 + std::sqrt(3.0) / kPi), 1e-13);
  ActivationParams p;
  p.maxout_pieces = 3;
  const MeanField mf(Act("maxout", p), 0.02);
  EXPECT_LT(RelErr(mf.ActSecondMoment(2.5), 2.5 * (1 + std::sqrt(3.0) / (2 * kPi))), 1e-13);
  EXPECT_EQ(mf.DerivSecondMoment(2.5), 1.0);  // χ = σ_w²: one routed piece per unit
  EXPECT_EQ(mf.Chi(2.5, 0.8), 0.8);
  EXPECT_EQ(mf.SaturationFraction(2.5), 0.0);
}

// Brute-force Monte Carlo with our Rng: n draws u = √q·N(0,1); the estimate
// must be within 5 standard errors (from the sample variance) of the quadrature.
struct McEstimate {
  double mean, standard_error;
};
McEstimate MonteCarlo(const std::function<double(Rng*)>& draw, int n, uint64_t seed) {
  Rng rng(seed, Purpose::kInput, 99);
  double sum = 0, squares = 0;
  for (int i = 0; i < n; ++i) {
    const double v = draw(&rng);
    sum += v;
    squares += v * v;
  }
  const double mean = sum / n;
  const double variance = std::max(0.0, squares / n - mean * mean);
  return {mean, std::sqrt(variance / n)};
}

TEST(TheoryMonteCarlo, EveryActivationAgreesWithinFiveStandardErrors) {
  const int n = 200000;
  for (const ActivationSpec& spec : ActivationTable()) {
    ActivationParams params;
    params.maxout_pieces = 5;  // a k with no closed form here
    const Activation a(spec, params);
    const MeanField mf(a, 0.02);
    const int k = a.Pieces();
    for (double q : {0.5, 3.0}) {
      const double sd = std::sqrt(q);
      // a unit's output: φ(u), or the max of k pieces for maxout
      auto unit = [&](Rng* rng) {
        double best = sd * rng->Normal();
        for (int j = 1; j < k; ++j) best = std::max(best, sd * rng->Normal());
        return a.IsMaxout() ? best : a.Phi(best);
      };
      const McEstimate phi2 = MonteCarlo(
          [&](Rng* rng) {
            const double v = unit(rng);
            return v * v;
          },
          n, 1);
      EXPECT_LT(std::fabs(mf.ActSecondMoment(q) - phi2.mean), 5 * phi2.standard_error + 1e-12)
          << spec.name << " q=" << q;
      if (a.IsMaxout()) continue;
      const McEstimate dphi2 = MonteCarlo(
          [&](Rng* rng) {
            const double d = a.DPhi(sd * rng->Normal());
            return d * d;
          },
          n, 2);
      EXPECT_LT(std::fabs(mf.DerivSecondMoment(q) - dphi2.mean), 5 * dphi2.standard_error + 1e-12)
          << spec.name << " q=" << q;
      const double limit = a.SaturationLimit(0.02);
      const McEstimate saturated = MonteCarlo(
          [&](Rng* rng) { return std::fabs(a.DPhi(sd * rng->Normal())) < limit ? 1.0 : 0.0; }, n,
          3);
      const double p = mf.SaturationFraction(q);
      EXPECT_LT(std::fabs(p - saturated.mean), 5 * std::sqrt(p * (1 - p) / n) + 1.0 / n)
          << spec.name << " q=" << q;
    }
  }
}

// sigmoid_centred = σ − 1/2 has sigmoid's φ', so the same χ and saturation;
// E[(σ(u) − 1/2)²] = E[σ²] − E[σ] + 1/4 = E[σ²] − 1/4, as E[σ(u)] = 1/2 for u ~ N(0, q).
TEST(TheorySaturation, CentredSigmoidIsSigmoidShiftedDown) {
  const MeanField centred(Act("sigmoid_centred"), 0.02), sigmoid(Act("sigmoid"), 0.02);
  for (double q : {0.1, 1.0, 30.0}) {
    EXPECT_DOUBLE_EQ(centred.SaturationFraction(q), sigmoid.SaturationFraction(q)) << q;
    EXPECT_NEAR(centred.DerivSecondMoment(q), sigmoid.DerivSecondMoment(q), 1e-15) << q;
    EXPECT_NEAR(centred.ActSecondMoment(q), sigmoid.ActSecondMoment(q) - 0.25, 1e-12) << q;
  }
  EXPECT_GT(centred.SaturationFraction(30.0), 0.3);  // |u| > 5.29 at sd 5.5
}

TEST(TheorySaturation, ClosedFormThresholds) {
  const double tau = 0.02;
  for (double q : {0.3, 1.0, 10.0}) {
    const double sd = std::sqrt(q);
    EXPECT_DOUBLE_EQ(MeanField(Act("relu"), tau).SaturationFraction(q), 0.5);
    // sigmoid: σ'(u) = e/(1+e)², e = e^{-|u|}; σ' = τ/4 ⇔ e² - (4/τ - 2)e + 1 = 0
    const double b = 4 / tau - 2;
    const double u_sigmoid = -std::log((b - std::sqrt(b * b - 4)) / 2);
    EXPECT_NEAR(u_sigmoid, 5.29, 0.01);
    EXPECT_LT(RelErr(MeanField(Act("sigmoid"), tau).SaturationFraction(q),
                     2 * NormalCdf(-u_sigmoid / sd)),
              1e-10);
    // tanh: sech²(u) < τ ⇔ |u| > acosh(1/√τ)
    EXPECT_LT(RelErr(MeanField(Act("tanh"), tau).SaturationFraction(q),
                     2 * NormalCdf(-std::acosh(1 / std::sqrt(tau)) / sd)),
              1e-10);
    // ELU: e^u < τ ⇔ u < ln τ;  softsign: 1/(1+|u|)² < τ ⇔ |u| > 1/√τ - 1
    EXPECT_LT(
        RelErr(MeanField(Act("elu"), tau).SaturationFraction(q), NormalCdf(std::log(tau) / sd)),
        1e-10);
    EXPECT_LT(RelErr(MeanField(Act("softsign"), tau).SaturationFraction(q),
                     2 * NormalCdf(-(1 / std::sqrt(tau) - 1) / sd)),
              1e-10);
    EXPECT_EQ(MeanField(Act("identity"), tau).SaturationFraction(q), 0.0);
    // LeakyReLU: saturated on the negative side only when α < τ
    ActivationParams p;
    p.leaky_slope = 0.01;
    EXPECT_DOUBLE_EQ(MeanField(Act("leaky_relu", p), tau).SaturationFraction(q), 0.5);
    p.leaky_slope = 0.05;
    EXPECT_EQ(MeanField(Act("leaky_relu", p), tau).SaturationFraction(q), 0.0);
  }
  EXPECT_EQ(MeanField(Act("relu"), tau).SaturationFraction(0.0), 1.0);  // φ'(0) = 0
  EXPECT_EQ(MeanField(Act("tanh"), tau).SaturationFraction(0.0), 0.0);
}

TEST(TheoryQuadrature, GaussianMassKeepsTails) {
  EXPECT_NEAR(GaussianMass(-INFINITY, INFINITY, 2.0), 1.0, 1e-15);
  EXPECT_NEAR(GaussianMass(0, INFINITY, 2.0), 0.5, 1e-15);
  // P[u > 40] for N(0,1) ≈ 3.66e-350 underflows; P[u > 30] ≈ 4.906e-198 does not
  EXPECT_LT(RelErr(GaussianMass(30, INFINITY, 1.0), 0.5 * std::erfc(30 / std::sqrt(2.0))), 1e-12);
  EXPECT_EQ(GaussianMass(3, 1, 1.0), 0.0);
}

// ---- fixed point and phase ----

PhaseInfo Phase(const std::string& name, double sigma_w2, double sigma_b2 = 0, double q1 = 1.0,
                ActivationParams params = {}) {
  return AnalysePhase(MeanField(Act(name, params), 0.02), sigma_w2, sigma_b2, q1);
}

TEST(TheoryPhase, ReluHeIsMarginalAndCritical) {
  const PhaseInfo p = Phase("relu", 2.0, 0, 2.0);
  EXPECT_EQ(p.kind, FixedPointKind::kMarginal);
  EXPECT_EQ(p.q_star, 2.0);
  EXPECT_NEAR(p.chi1, 1.0, 1e-12);
  EXPECT_EQ(p.phase, "critical");
  EXPECT_TRUE(std::isinf(p.xi));
}

TEST(TheoryPhase, ReluXavierGoesToZeroOrdered) {
  const PhaseInfo p = Phase("relu", 1.0);
  EXPECT_EQ(p.kind, FixedPointKind::kZero);
  EXPECT_NEAR(p.chi1, 0.5, 1e-12);
  EXPECT_EQ(p.phase, "ordered");
  EXPECT_NEAR(p.xi, 1 / std::log(2.0), 1e-9);  // ξ = -1/ln χ₁
}

TEST(TheoryPhase, SigmoidIsOrderedWithStableFixedPoint) {
  const MeanField mf(Act("sigmoid"), 0.02);
  const PhaseInfo p = AnalysePhase(mf, 1.0, 0, 1.0);
  EXPECT_EQ(p.kind, FixedPointKind::kStable);
  EXPECT_NEAR(mf.LengthMap(p.q_star, 1.0, 0), p.q_star, 1e-10 * p.q_star);  // q* = f(q*)
  EXPECT_LT(p.chi1, 1.0 / 16);                                              // σ' <= 1/4
  EXPECT_EQ(p.phase, "ordered");
  // from the other side, the same fixed point
  EXPECT_NEAR(AnalysePhase(mf, 1.0, 0, 1e-4).q_star, p.q_star, 1e-10);
}

TEST(TheoryPhase, TanhHeIsChaotic) {
  const MeanField mf(Act("tanh"), 0.02);
  const PhaseInfo p = AnalysePhase(mf, 2.0, 0, 2.0);
  EXPECT_EQ(p.kind, FixedPointKind::kStable);
  EXPECT_NEAR(mf.LengthMap(p.q_star, 2.0, 0), p.q_star, 1e-10 * p.q_star);
  EXPECT_NEAR(p.chi1, 1.1, 0.01);
  EXPECT_EQ(p.phase, "chaotic");
  EXPECT_LT(p.xi, 0);
  EXPECT_NEAR(p.xi, -1 / std::log(p.chi1), 1e-12);
}

TEST(TheoryPhase, TanhAtUnitGainIsCriticalWithQToZero) {
  // q^l -> 0 only as ~3/(2l): a naive iteration would "converge" at tiny q.
  const PhaseInfo p = Phase("tanh", 1.0);
  EXPECT_EQ(p.kind, FixedPointKind::kZero);
  EXPECT_NEAR(p.chi1, 1.0, 1e-12);
  EXPECT_EQ(p.phase, "critical");
  // with biases the fixed point moves off 0 and the phase is ordered
  const PhaseInfo biased = Phase("tanh", 1.0, 0.05);
  EXPECT_EQ(biased.kind, FixedPointKind::kStable);
  EXPECT_GT(biased.q_star, 0.01);
  EXPECT_EQ(biased.phase, "ordered");
}

TEST(TheoryPhase, DivergingAndMarginalLinearMaps) {
  const PhaseInfo identity = Phase("identity", 2.0);
  EXPECT_EQ(identity.kind, FixedPointKind::kDiverging);
  EXPECT_TRUE(std::isinf(identity.q_star));
  EXPECT_NEAR(identity.chi1, 2.0, 1e-12);
  EXPECT_EQ(identity.phase, "chaotic");
  EXPECT_EQ(Phase("identity", 1.0).kind, FixedPointKind::kMarginal);
  // σ_w² = 1 with biases: q grows by σ_b² per layer, χ = 1
  const PhaseInfo drifting = Phase("identity", 1.0, 0.1);
  EXPECT_EQ(drifting.kind, FixedPointKind::kDiverging);
  EXPECT_EQ(drifting.phase, "critical");
  // LeakyReLU/He: χ₁ = σ_w²(1+α²)/2, just chaotic
  ActivationParams p;
  p.leaky_slope = 0.1;
  const PhaseInfo leaky = Phase("leaky_relu", 2.0, 0, 1.0, p);
  EXPECT_EQ(leaky.kind, FixedPointKind::kDiverging);
  EXPECT_NEAR(leaky.chi1, 1.01, 1e-12);
  EXPECT_EQ(leaky.phase, "chaotic");
  // Maxout: χ = σ_w² whatever q does
  ActivationParams m;
  m.maxout_pieces = 2;
  EXPECT_NEAR(Phase("maxout", 2.0 / 3, 0, 1.0, m).chi1, 2.0 / 3, 1e-15);
  EXPECT_EQ(Phase("maxout", 1.0, 0, 1.0, m).kind, FixedPointKind::kMarginal);  // M2(2) = 1
}

TEST(TheoryPhase, BiasesGiveAStableFixedPointForRelu) {
  // q = σ_w² q/2 + σ_b²: q* = σ_b²/(1 - σ_w²/2)
  const PhaseInfo p = Phase("relu", 1.0, 0.3);
  EXPECT_EQ(p.kind, FixedPointKind::kStable);
  EXPECT_NEAR(p.q_star, 0.6, 1e-12);
  EXPECT_NEAR(p.chi1, 0.5, 1e-12);
}

TEST(TheoryPhase, StartingAtZero) {
  EXPECT_EQ(Phase("tanh", 1.0, 0, 0.0).kind, FixedPointKind::kZero);
  // sigmoid(0) = 1/2, so q leaves 0 and settles at the usual fixed point
  EXPECT_NEAR(Phase("sigmoid", 1.0, 0, 0.0).q_star, Phase("sigmoid", 1.0).q_star, 1e-10);
}

// ---- whole-network predictions ----

TEST(TheoryNetwork, ReluLengthMapAndRatiosByHand) {
  RunConfig c;
  c.activation = ActivationKind::kRelu;
  c.init = InitKind::kHeNormal;
  c.gain = 1.5;         // σ_w² = 2·2.25 = 4.5
  c.bias_std = 0.5;     // σ_b² = 0.25
  c.input_scale = 2.0;  // q_x = 4
  c.depth = 5;
  const NetworkTheory t = PredictNetwork(c);
  EXPECT_DOUBLE_EQ(t.sigma_w2_hidden, 4.5);
  EXPECT_DOUBLE_EQ(t.q_x, 4.0);
  double q = 4.5 * 4 + 0.25;
  for (int l = 1; l <= 5; ++l) {
    EXPECT_LT(RelErr(t.layers[l - 1].q, q), 1e-13) << l;
    EXPECT_LT(RelErr(t.layers[l - 1].chi, 2.25), 1e-13) << l;
    // ‖δ^l‖/‖δ^L‖ = χ^{(L-l)/2}
    EXPECT_LT(RelErr(t.layers[l - 1].delta_ratio, std::pow(1.5, 5 - l)), 1e-12) << l;
    EXPECT_DOUBLE_EQ(t.layers[l - 1].saturation_frac, 0.5);
    q = 4.5 * q / 2 + 0.25;
  }
  EXPECT_LT(RelErr(t.vanishing_ratio, std::pow(1.5, 4)), 1e-12);
  EXPECT_LT(RelErr(t.decay_per_layer, 1.5), 1e-12);
}

TEST(TheoryNetwork, FirstLayerUsesInputDimAndMaxoutUsesPiecesAsFanOut) {
  RunConfig c;
  c.activation = ActivationKind::kMaxout;
  c.activation_params.maxout_pieces = 3;
  c.init = InitKind::kXavierNormal;
  c.width = 100;
  c.input_dim = 50;
  c.depth = 3;
  const NetworkTheory t = PredictNetwork(c);
  // σ_w² = 2 fan_in/(fan_in + fan_out), fan_out = width·k
  EXPECT_DOUBLE_EQ(t.layers[0].sigma_w2, 2.0 * 50 / (50 + 300));
  EXPECT_DOUBLE_EQ(t.sigma_w2_hidden, 2.0 * 100 / (100 + 300));
  const double m2 = 1 + std::sqrt(3.0) / (2 * kPi);
  EXPECT_LT(RelErr(t.layers[1].q, t.sigma_w2_hidden * m2 * t.layers[0].q), 1e-13);
  EXPECT_DOUBLE_EQ(t.layers[0].chi, 0.5);  // χ = σ_w² for maxout
}

TEST(TheoryNetwork, HeadAndDeepProducts) {
  RunConfig c;
  c.activation = ActivationKind::kSigmoid;
  c.loss = LossKind::kMse;
  c.output_dim = 10;
  c.depth = 2000;
  const NetworkTheory t = PredictNetwork(c);
  // 0.24^1999 underflows; the per-layer factor does not
  EXPECT_EQ(t.vanishing_ratio, 0.0);
  EXPECT_NEAR(t.decay_per_layer, std::sqrt(t.phase.chi1), 1e-3);
  // head: xavier σ_w² = 2·256/(256+10), linear
  const MeanField mf(Act("sigmoid"), 0.02);
  EXPECT_LT(RelErr(t.head_q, 2.0 * 256 / 266 * mf.ActSecondMoment(t.layers.back().q)), 1e-13);
}

TEST(TheoryNetwork, RejectsBadConfig) {
  RunConfig c;
  c.depth = 0;
  EXPECT_THROW(PredictNetwork(c), UsageError);
}

}  // namespace
}  // namespace gradflow
