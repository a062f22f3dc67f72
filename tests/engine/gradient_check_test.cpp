// Every gradient against central finite differences in float64:
// ∂L/∂W^l, ∂L/∂b^l and δ^l = ∂L/∂z^l, for every activation × every loss.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/inputs.h"
#include "engine/loss.h"
#include "engine/network.h"

namespace gradflow {
namespace {

constexpr double kStep = 1e-6;
constexpr double kTolerance = 1e-6;

struct Gradients {
  std::vector<MatD> dw, delta;
  std::vector<VecD> db;
};

class GradientCheck : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    config_.activation = ParseActivation(std::get<0>(GetParam()));
    config_.loss = ParseLoss(std::get<1>(GetParam()));
    config_.depth = 3;
    config_.width = 5;
    config_.input_dim = 4;
    config_.batch = 4;
    config_.output_dim = 3;
    config_.classes = 3;
    config_.bias_std = 0.3;  // non-zero biases so their gradients are exercised
    config_.init = InitKind::kXavierNormal;
    config_.gain = 1.5;  // large enough that tanh/sigmoid leave their linear range
    config_.dtype = DType::kFloat64;
    config_.seed = 7;
    network_ = std::make_unique<Network<double>>(BuildNetwork<double>(config_));
    x_ = SampleInput(config_);
    kind_ = config_.loss;
    const int out = config_.HasHead() ? config_.HeadUnits() : config_.width;
    targets_ = SampleLossTargets(kind_, out, config_.batch, config_.seed);
  }

  double Loss() const {
    ForwardCache<double> cache;
    network_->Forward(x_, &cache);
    return LossValue(kind_, cache.a.back(), targets_);
  }

  // The loss with layer l's pre-activation replaced by z, run forward from there.
  double LossFromPreactivation(int l, const MatD& z) const {
    MatD a;
    network_->ActivationOf(l).Forward(z, &a);
    for (int k = l + 1; k <= network_->NumLayers(); ++k) {
      MatD next = network_->layer(k).w * a;
      next.colwise() += network_->layer(k).b;
      network_->ActivationOf(k).Forward(next, &a);
    }
    return LossValue(kind_, a, targets_);
  }

  Gradients Analytic() const {
    ForwardCache<double> cache;
    network_->Forward(x_, &cache);
    Gradients g;
    const int n = network_->NumLayers();
    g.dw.resize(n + 1);
    g.db.resize(n + 1);
    g.delta.resize(n + 1);
    network_->Backward(cache, LossGradient(kind_, cache.a.back(), targets_),
                       [&](int l, const MatD& delta, const MatD& dw, const VecD& db) {
                         g.delta[l] = delta;
                         g.dw[l] = dw;
                         g.db[l] = db;
                       });
    return g;
  }

  // Central difference of Loss() in *value.
  double Numeric(double* value) {
    const double saved = *value;
    *value = saved + kStep;
    const double plus = Loss();
    *value = saved - kStep;
    const double minus = Loss();
    *value = saved;
    return (plus - minus) / (2 * kStep);
  }

  static double RelativeError(const MatD& analytic, const MatD& numeric) {
    const double scale = std::max({analytic.norm(), numeric.norm(), 1e-12});
    return (analytic - numeric).norm() / scale;
  }

  RunConfig config_;
  std::unique_ptr<Network<double>> network_;
  MatD x_;
  LossKind kind_;
  LossTargets targets_;
};

TEST_P(GradientCheck, WeightsBiasesAndDeltasMatchFiniteDifferences) {
  const Gradients g = Analytic();
  for (int l = 1; l <= network_->NumLayers(); ++l) {
    Layer<double>& layer = network_->layer(l);
    MatD dw_numeric(layer.w.rows(), layer.w.cols());
    for (Eigen::Index i = 0; i < layer.w.rows(); ++i)
      for (Eigen::Index j = 0; j < layer.w.cols(); ++j) dw_numeric(i, j) = Numeric(&layer.w(i, j));
    MatD db_numeric(layer.b.rows(), 1);
    for (Eigen::Index i = 0; i < layer.b.rows(); ++i) db_numeric(i, 0) = Numeric(&layer.b(i));
    EXPECT_LT(RelativeError(g.dw[l], dw_numeric), kTolerance) << "dW, layer " << l;
    EXPECT_LT(RelativeError(g.db[l], db_numeric), kTolerance) << "db, layer " << l;
    EXPECT_GT(g.dw[l].norm(), 0) << "layer " << l << ": a zero gradient checks nothing";

    ForwardCache<double> cache;
    network_->Forward(x_, &cache);
    MatD z = cache.z[l];
    MatD delta_numeric(z.rows(), z.cols());
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      const double saved = z.data()[i];
      z.data()[i] = saved + kStep;
      const double plus = LossFromPreactivation(l, z);
      z.data()[i] = saved - kStep;
      const double minus = LossFromPreactivation(l, z);
      z.data()[i] = saved;
      delta_numeric.data()[i] = (plus - minus) / (2 * kStep);
    }
    EXPECT_LT(RelativeError(g.delta[l], delta_numeric), kTolerance) << "delta, layer " << l;
  }
}

std::string Name(const ::testing::TestParamInfo<GradientCheck::ParamType>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

INSTANTIATE_TEST_SUITE_P(AllActivationsAllLosses, GradientCheck,
                         ::testing::Combine(::testing::ValuesIn(ActivationNames()),
                                            ::testing::ValuesIn(LossNames())),
                         Name);

}  // namespace
}  // namespace gradflow
