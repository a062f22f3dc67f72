#include "engine/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace gradflow {
namespace {

constexpr double kTau = 0.02;

TEST(Metrics, ForwardStatisticsOfATinyReluLayer) {
  MatD z(2, 2);  // 2 units × 2 samples
  z << 1, -1,    //
      -2, -3;
  const Activation relu(FindActivation("relu"), {});
  MatD a;
  relu.Forward(z, &a);
  LayerMetrics m;
  ComputeForwardMetrics(relu, z, a, kTau, &m);
  EXPECT_DOUBLE_EQ(m.preact_mean, -1.25);
  EXPECT_DOUBLE_EQ(m.preact_q, 3.75);
  EXPECT_DOUBLE_EQ(m.preact_std, std::sqrt(3.75 - 1.25 * 1.25));
  EXPECT_DOUBLE_EQ(m.act_mean, 0.25);
  EXPECT_DOUBLE_EQ(m.act_std, std::sqrt(0.25 - 0.0625));
  EXPECT_DOUBLE_EQ(m.saturation_frac, 0.75);     // three of four have φ' = 0
  EXPECT_DOUBLE_EQ(m.saturated_unit_frac, 0.5);  // unit 2 on every sample
  EXPECT_DOUBLE_EQ(m.dead_frac, 0.5);            // unit 2
  EXPECT_EQ(m.nonfinite, 0);
}

TEST(Metrics, SigmoidSaturationUsesTauTimesMaxDerivative) {
  // σ'(z) < 0.02·0.25 ⇔ |z| > 5.29: two of the four entries.
  MatD z(1, 4);
  z << 0, 5.2, -5.4, 7;
  const Activation sigmoid(FindActivation("sigmoid"), {});
  MatD a;
  sigmoid.Forward(z, &a);
  LayerMetrics m;
  ComputeForwardMetrics(sigmoid, z, a, kTau, &m);
  EXPECT_DOUBLE_EQ(m.saturation_frac, 0.5);
  EXPECT_DOUBLE_EQ(m.saturated_unit_frac, 0.0);  // 2 of 4 samples < 99%
  EXPECT_DOUBLE_EQ(m.dead_frac, 0.0);            // σ' > 0 everywhere
}

// The rule is |φ'| < τ·max|φ'|: GELU's negative slope at z = -1.5 (φ' = -0.127)
// and SiLU's at z = -2 (-0.091) pass gradient; φ' = -0.012 at -3 (GELU) and -6
// (SiLU) is below the limit (hand-computed in activation_test).
TEST(Metrics, NegativeSlopesOfGeluAndSiluAreNotSaturated) {
  for (const auto& [name, values] :
       {std::pair<const char*, std::vector<double>>{"gelu", {-1.5, -3, 1, 2}},
        std::pair<const char*, std::vector<double>>{"silu", {-2, -6, 0, 1}}}) {
    SCOPED_TRACE(name);
    MatD z(1, 4);
    for (int b = 0; b < 4; ++b) z(0, b) = values[b];
    const Activation activation(FindActivation(name), {});
    MatD a;
    activation.Forward(z, &a);
    LayerMetrics m;
    ComputeForwardMetrics(activation, z, a, kTau, &m);
    EXPECT_DOUBLE_EQ(m.saturation_frac, 0.25);  // only -3 / -6
    ComputeForwardMetrics(activation, Mat<float>(z.cast<float>()), Mat<float>(a.cast<float>()),
                          kTau, &m);
    EXPECT_DOUBLE_EQ(m.saturation_frac, 0.25);
  }
}

TEST(Metrics, SaturatedUnitNeedsNinetyNinePercentOfTheBatch) {
  MatD z = MatD::Constant(1, 100, -1.0);  // relu: every sample saturated
  const Activation relu(FindActivation("relu"), {});
  MatD a;
  relu.Forward(z, &a);
  LayerMetrics m;
  ComputeForwardMetrics(relu, z, a, kTau, &m);
  EXPECT_DOUBLE_EQ(m.saturated_unit_frac, 1.0);
  z(0, 0) = z(0, 1) = 1.0;  // 98 of 100 saturated: below 99%
  relu.Forward(z, &a);
  ComputeForwardMetrics(relu, z, a, kTau, &m);
  EXPECT_DOUBLE_EQ(m.saturated_unit_frac, 0.0);
  EXPECT_DOUBLE_EQ(m.dead_frac, 0.0);
}

TEST(Metrics, BackwardNormsOfATinyCase) {
  MatD delta(2, 2);  // (rows, B)
  delta << 3, 0,     //
      0, 4;
  MatD a_prev(3, 2);  // (fan_in, B)
  a_prev << 1, 2,     //
      0, 0,           //
      2, 0;
  const MatD dw = delta * a_prev.transpose();
  const VecD db = delta.rowwise().sum();
  MatD w(2, 3);
  w << 1, 2, 2, 0, 0, 0;  // ‖W‖ = 3
  LayerMetrics m;
  ComputeBackwardMetrics(delta, dw, db, a_prev, w, &m);
  EXPECT_DOUBLE_EQ(m.delta_norm, 5.0);
  EXPECT_DOUBLE_EQ(m.grad_b_norm, 5.0);
  // dW = [[3,0,6],[8,0,0]]: ‖dW‖² = 9 + 36 + 64
  EXPECT_DOUBLE_EQ(m.grad_w_norm, std::sqrt(109.0));
  // per example: ‖δ_1‖‖a_1‖ = 3·√5, ‖δ_2‖‖a_2‖ = 4·2
  EXPECT_NEAR(m.grad_w_norm_per_example, std::sqrt((45.0 + 64.0) / 2), 1e-14);
  EXPECT_DOUBLE_EQ(m.weight_norm, 3.0);
  EXPECT_DOUBLE_EQ(m.grad_to_weight, std::sqrt(109.0) / 3.0);
}

// input_same_sign_frac and grad_w_sign_agreement by hand. The four samples'
// inputs: (1, 2, 0) all >= 0; (-1, 0, -3) all <= 0; (1, -1, 2) mixed; (0, 0, 0)
// both -> 3 of 4. The batch gradient's rows (a given dw, as the function takes
// it): (1, 2, 3) -> |3 - 0|/3 = 1; (-1, 2, 0) -> |1 - 1|/3 = 0; (0, -5, -1)
// -> |0 - 2|/3 = 2/3: mean 5/9.
TEST(Metrics, SignColumnsOfATinyLayer) {
  MatD a_prev(3, 4);      // (fan_in, B)
  a_prev << 1, -1, 1, 0,  //
      2, 0, -1, 0,        //
      0, -3, 2, 0;
  MatD dw(3, 3);  // (rows, fan_in)
  dw << 1, 2, 3,  //
      -1, 2, 0,   //
      0, -5, -1;
  const MatD delta = MatD::Ones(3, 4), w = MatD::Ones(3, 3);
  const VecD db = VecD::Ones(3);
  LayerMetrics m;
  ComputeBackwardMetrics(delta, dw, db, a_prev, w, &m);
  EXPECT_DOUBLE_EQ(m.input_same_sign_frac, 0.75);
  EXPECT_DOUBLE_EQ(m.grad_w_sign_agreement, 5.0 / 9.0);
  // The same in float32, and a NaN makes its sample mixed and counts with neither sign.
  Mat<float> a_float = a_prev.cast<float>(), dw_float = dw.cast<float>();
  a_float(1, 0) = NAN;   // sample 1 is no longer all >= 0
  dw_float(0, 1) = NAN;  // row 1: (1, NaN, 3) -> 2/3
  ComputeBackwardMetrics(Mat<float>(delta.cast<float>()), dw_float, Vec<float>(db.cast<float>()),
                         a_float, Mat<float>(w.cast<float>()), &m);
  EXPECT_DOUBLE_EQ(m.input_same_sign_frac, 0.5);
  EXPECT_DOUBLE_EQ(m.grad_w_sign_agreement, (2.0 / 3 + 0 + 2.0 / 3) / 3);
}

// One sample: ∂L/∂W = δ aᵀ, so a positive input makes every row single-signed
// (agreement exactly 1 where δ_i != 0), and a mixed one does not.
TEST(Metrics, OneSampleWithPositiveInputHasSingleSignedRows) {
  MatD delta(2, 1);
  delta << 0.5, -2;
  MatD a_prev(3, 1);
  a_prev << 0.2, 0.7, 0.1;
  const MatD w = MatD::Ones(2, 3);
  const VecD db = delta.col(0);
  LayerMetrics m;
  ComputeBackwardMetrics(delta, MatD(delta * a_prev.transpose()), db, a_prev, w, &m);
  EXPECT_DOUBLE_EQ(m.input_same_sign_frac, 1.0);
  EXPECT_DOUBLE_EQ(m.grad_w_sign_agreement, 1.0);
  a_prev(1, 0) = -0.7;  // rows (+, -, +) and (-, +, -): |2 - 1|/3 each
  ComputeBackwardMetrics(delta, MatD(delta * a_prev.transpose()), db, a_prev, w, &m);
  EXPECT_DOUBLE_EQ(m.input_same_sign_frac, 0.0);
  EXPECT_DOUBLE_EQ(m.grad_w_sign_agreement, 1.0 / 3.0);
}

TEST(Metrics, NormsOfTinyGradientsDoNotUnderflow) {
  Mat<float> tiny = Mat<float>::Constant(2, 2, 1e-25f);  // squares 1e-50 underflow in float
  EXPECT_NEAR(ScaledNorm(tiny) / (2 * 1e-25), 1.0, 1e-6);
  MatD tinier = MatD::Constant(2, 2, 1e-200);  // squares 1e-400 underflow in double
  EXPECT_NEAR(ScaledNorm(tinier) / 2e-200, 1.0, 1e-12);
  MatD huge = MatD::Constant(2, 2, 1e200);
  EXPECT_NEAR(ScaledNorm(huge) / 2e200, 1.0, 1e-12);
  EXPECT_EQ(ScaledNorm(MatD(MatD::Zero(3, 3))), 0.0);
}

TEST(Metrics, NonFiniteValuesAreReportedNotHidden) {
  MatD z(1, 3);
  z << 1, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(ScaledNorm(z)));
  z(0, 1) = 0;
  EXPECT_TRUE(std::isinf(ScaledNorm(z)));
  EXPECT_EQ(CountNonfinite<double>(z), 1);
  const Activation identity = Activation::Identity();
  LayerMetrics m;
  ComputeForwardMetrics(identity, z, z, kTau, &m);
  EXPECT_EQ(m.nonfinite, 2);  // once in z, once in a
}

TEST(Metrics, SubnormalValuesAreCounted) {
  Mat<float> z(1, 4);
  z << 1e-39f, 1e-30f, 0.0f, -1e-41f;  // float's smallest normal is 1.2e-38
  EXPECT_EQ(CountSubnormal<float>(z), 2);
  EXPECT_EQ(CountSubnormal<double>(z.cast<double>()), 0);  // all normal in double
  const Activation identity = Activation::Identity();
  LayerMetrics m;
  ComputeForwardMetrics(identity, z, z, kTau, &m);
  EXPECT_EQ(m.subnormal, 4);  // twice each: in z and in a
}

// The metrics count NaN/inf and subnormals in one pass over the exponent bits;
// they must agree with CountNonfinite and CountSubnormal entry for entry, for
// every kind of value (signs, zeros, the largest subnormal, the smallest normal).
template <typename T>
void ExpectSpecialCountsMatchTheClassifiers() {
  using Limits = std::numeric_limits<T>;
  const std::vector<T> values = {T(0),
                                 -T(0),
                                 T(1),
                                 Limits::quiet_NaN(),
                                 -Limits::quiet_NaN(),
                                 Limits::infinity(),
                                 -Limits::infinity(),
                                 Limits::denorm_min(),
                                 -Limits::denorm_min(),
                                 Limits::min(),
                                 -Limits::min(),
                                 Limits::min() - Limits::denorm_min(),
                                 Limits::max(),
                                 T(-3.5)};
  Mat<T> z(3, 37);  // every value, in a stride coprime with their number
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = values[(i * 5) % values.size()];
  const Activation identity = Activation::Identity();
  LayerMetrics m;
  ComputeForwardMetrics(identity, z, z, kTau, &m);
  EXPECT_EQ(m.nonfinite, 2 * CountNonfinite<T>(z));
  EXPECT_EQ(m.subnormal, 2 * CountSubnormal<T>(z));
  EXPECT_GT(m.nonfinite, 0);
  EXPECT_GT(m.subnormal, 0);
  const Mat<T> w = Mat<T>::Ones(3, 2), a_prev = Mat<T>::Ones(2, 37);
  const Mat<T> dw = Mat<T>::Ones(3, 2);
  const Vec<T> db = Vec<T>::Ones(3);
  LayerMetrics backward;
  ComputeBackwardMetrics(z, dw, db, a_prev, w, &backward);
  EXPECT_EQ(backward.nonfinite, CountNonfinite<T>(z));
  EXPECT_EQ(backward.subnormal, CountSubnormal<T>(z));
}

TEST(Metrics, SpecialValueCountsMatchTheClassifiers) {
  ExpectSpecialCountsMatchTheClassifiers<float>();
  ExpectSpecialCountsMatchTheClassifiers<double>();
}

TEST(Metrics, MaxoutNeverSaturatesNorDies) {
  ActivationParams p;
  p.maxout_pieces = 2;
  const Activation maxout(FindActivation("maxout"), p);
  MatD z = MatD::Constant(4, 3, -100.0);
  MatD a;
  maxout.Forward(z, &a);
  LayerMetrics m;
  ComputeForwardMetrics(maxout, z, a, kTau, &m);
  EXPECT_EQ(m.saturation_frac, 0.0);
  EXPECT_EQ(m.dead_frac, 0.0);
}

}  // namespace
}  // namespace gradflow
