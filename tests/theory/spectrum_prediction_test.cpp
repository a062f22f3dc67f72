// The spectrum predictions against closed forms.
#include "theory/spectrum_prediction.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"
#include "theory/theory.h"

namespace gradflow {
namespace {

using testing_util::Config;

TEST(SpectrumPrediction, ReluHeIsCriticalWithVarianceTwiceTheDepth) {
  const SpectrumPrediction p = PredictSpectrum(Config("relu", "he_normal", 7, 64, 1));
  ASSERT_TRUE(p.mean_sq && p.var_sq);
  EXPECT_NEAR(*p.mean_sq, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(*p.var_sq, 14.0);  // L / p, p = 1/2
  ASSERT_EQ(p.layer_mean_sq.size(), 7u);
  for (double m : p.layer_mean_sq) EXPECT_NEAR(m, 1.0, 1e-12);
}

TEST(SpectrumPrediction, OrthogonalWeights) {
  const SpectrumPrediction linear = PredictSpectrum(Config("identity", "orthogonal", 9, 32, 1));
  ASSERT_TRUE(linear.var_sq);
  EXPECT_EQ(*linear.var_sq, 0.0);  // L (1/p - 1), p = 1: exact isometry
  RunConfig relu = Config("relu", "orthogonal", 9, 32, 1);
  relu.gain = std::sqrt(2.0);  // σ_w² = 2: critical
  const SpectrumPrediction r = PredictSpectrum(relu);
  ASSERT_TRUE(r.var_sq);
  EXPECT_NEAR(*r.var_sq, 9.0, 1e-9);  // L (2 - 1)
}

TEST(SpectrumPrediction, MeanIsTheProductOfLayerGainsAndVarianceOnlyWhereKnown) {
  // ReLU/Xavier: σ_w² = 1, p = 1/2: m1 = 2^-L, not critical: no variance.
  const SpectrumPrediction relu = PredictSpectrum(Config("relu", "xavier_normal", 5, 64, 1));
  EXPECT_NEAR(*relu.mean_sq, std::pow(0.5, 5), 1e-14);
  EXPECT_FALSE(relu.var_sq);
  // tanh: the product of σ_w² E[φ'(z^l)²] over the predicted q^l.
  const RunConfig tanh_config = Config("tanh", "xavier_normal", 4, 64, 1);
  const SpectrumPrediction tanh = PredictSpectrum(tanh_config);
  const NetworkTheory theory = PredictNetwork(tanh_config);
  const MeanField mf(MakeActivation(tanh_config), tanh_config.saturation_threshold);
  double product = 1;
  for (const LayerTheory& layer : theory.layers)
    product *= layer.sigma_w2 * mf.DerivSecondMoment(layer.q);
  EXPECT_NEAR(*tanh.mean_sq, product, 1e-14);
  EXPECT_FALSE(tanh.var_sq);
  // A non-square first layer: no variance formula; the mean counts min(N, d) values.
  RunConfig wide_input = Config("relu", "he_normal", 3, 16, 1);
  wide_input.input_dim = 8;
  const SpectrumPrediction w = PredictSpectrum(wide_input);
  EXPECT_FALSE(w.var_sq);
  EXPECT_NEAR(*w.mean_sq, 16.0 / 8.0, 1e-12);
}

}  // namespace
}  // namespace gradflow
