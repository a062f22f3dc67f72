// Every gradient against central finite differences in float64:
// ∂L/∂W^l, ∂L/∂b^l and δ^l = ∂L/∂z^l, for every activation × every loss; and
// for the remedies (every norm × residual × activation × loss, with unequal
// widths where there is no residual) also ∂L/∂γ^l, ∂L/∂β^l and ∂L/∂a^l.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "base/rng.h"
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
                       [&](int l, const LayerGradient<double>& lg) {
                         g.delta[l] = lg.delta;
                         g.dw[l] = lg.dw;
                         g.db[l] = lg.db;
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

// ---- Remedies: norm × residual × activation × loss ----

using RemedyParam = std::tuple<std::string, std::string, std::string, bool>;

class RemedyGradientCheck : public ::testing::TestWithParam<RemedyParam> {
 protected:
  void SetUp() override {
    config_.activation = ParseActivation(std::get<0>(GetParam()));
    config_.norm = ParseNorm(std::get<1>(GetParam()));
    config_.loss = ParseLoss(std::get<2>(GetParam()));
    config_.residual = std::get<3>(GetParam());
    if (config_.residual) {
      config_.depth = 3;
      config_.width = 5;
      config_.residual_scale = 0.7;  // not 1, so a dropped scale would show
    } else {
      SetWidths({5, 4, 6}, &config_);  // every fan_in and fan_out differs
    }
    config_.input_dim = 4;
    config_.batch = 4;
    config_.output_dim = 3;
    config_.classes = 3;
    config_.bias_std = 0.3;
    config_.init = InitKind::kXavierNormal;
    config_.gain = 1.5;
    config_.dtype = DType::kFloat64;
    config_.seed = 11;
    Validate(config_);
    network_ = std::make_unique<Network<double>>(BuildNetwork<double>(config_));
    // γ and β away from 1 and 0, so their gradients and their use are exercised.
    Rng rng(5, Purpose::kBiases, 99);
    for (int l = 1; l <= network_->NumLayers(); ++l) {
      Layer<double>& layer = network_->layer(l);
      for (Eigen::Index i = 0; i < layer.gamma.size(); ++i) {
        layer.gamma(i) = 1 + 0.3 * rng.Normal();
        layer.beta(i) = 0.3 * rng.Normal();
      }
    }
    x_ = SampleInput(config_);
    const int out = config_.HasHead() ? config_.HeadUnits() : config_.LastHiddenWidth();
    targets_ = SampleLossTargets(config_.loss, out, config_.batch, config_.seed);
  }

  // The loss from scratch, not through Network::Forward: the norm's statistics
  // with Eigen's mean(), the skip sum written out. If `at` > 0, layer at's
  // linear output z (or its output a) is replaced by *z_at (*a_at).
  double ReferenceLoss(int at = 0, const MatD* z_at = nullptr, const MatD* a_at = nullptr) const {
    MatD a = x_;
    for (int l = 1; l <= network_->NumLayers(); ++l) {
      const Layer<double>& layer = network_->layer(l);
      MatD z = layer.w * a;
      z.colwise() += layer.b;
      if (l == at && z_at != nullptr) z = *z_at;
      MatD u = z;
      if (network_->HasNorm(l)) {
        const bool batch = config_.norm == NormKind::kBatch;
        for (Eigen::Index g = 0; g < (batch ? z.rows() : z.cols()); ++g) {
          const MatD group = batch ? MatD(z.row(g)) : MatD(z.col(g));
          const double mean = group.mean();
          const double var = (group.array() - mean).square().mean();
          for (Eigen::Index k = 0; k < group.size(); ++k) {
            const Eigen::Index i = batch ? g : k, j = batch ? k : g;
            u(i, j) =
                layer.gamma(i) * (z(i, j) - mean) / std::sqrt(var + kNormEpsilon) + layer.beta(i);
          }
        }
      }
      MatD h;
      network_->ActivationOf(l).Forward(u, &h);
      a = network_->HasSkip(l) ? MatD(a + config_.residual_scale * h) : h;
      if (l == at && a_at != nullptr) a = *a_at;
    }
    return LossValue(config_.loss, a, targets_);
  }

  double Numeric(double* value) const {
    const double saved = *value;
    *value = saved + kStep;
    const double plus = ReferenceLoss();
    *value = saved - kStep;
    const double minus = ReferenceLoss();
    *value = saved;
    return (plus - minus) / (2 * kStep);
  }
  // Central differences of ReferenceLoss in each entry of m (z or a of layer l).
  MatD NumericAt(int l, MatD m, bool is_z) const {
    MatD numeric(m.rows(), m.cols());
    for (Eigen::Index i = 0; i < m.size(); ++i) {
      const double saved = m.data()[i];
      m.data()[i] = saved + kStep;
      const double plus = is_z ? ReferenceLoss(l, &m) : ReferenceLoss(l, nullptr, &m);
      m.data()[i] = saved - kStep;
      const double minus = is_z ? ReferenceLoss(l, &m) : ReferenceLoss(l, nullptr, &m);
      m.data()[i] = saved;
      numeric.data()[i] = (plus - minus) / (2 * kStep);
    }
    return numeric;
  }
  // |analytic − numeric| within kTolerance relative, or 1e-8 absolute (batch
  // norm makes ∂L/∂b exactly 0: a shift of z is removed by its batch mean).
  static void ExpectClose(const MatD& analytic, const MatD& numeric, const std::string& what) {
    const double scale = std::max(analytic.norm(), numeric.norm());
    EXPECT_LT((analytic - numeric).norm(), kTolerance * scale + 1e-8)
        << what << ": analytic " << analytic.norm() << ", numeric " << numeric.norm();
  }

  RunConfig config_;
  std::unique_ptr<Network<double>> network_;
  MatD x_;
  LossTargets targets_;
};

TEST_P(RemedyGradientCheck, EveryGradientMatchesFiniteDifferences) {
  ForwardCache<double> cache;
  network_->Forward(x_, &cache);
  const double loss = LossValue(config_.loss, cache.a.back(), targets_);
  EXPECT_NEAR(loss, ReferenceLoss(), 1e-12 * std::max(1.0, std::abs(loss)))
      << "the network's forward pass differs from the reference";
  const int n = network_->NumLayers();
  std::vector<MatD> dw(n + 1), delta(n + 1), delta_post(n + 1);
  std::vector<VecD> db(n + 1), dgamma(n + 1), dbeta(n + 1);
  network_->Backward(cache, LossGradient(config_.loss, cache.a.back(), targets_),
                     [&](int l, const LayerGradient<double>& g) {
                       dw[l] = g.dw;
                       db[l] = g.db;
                       delta[l] = g.delta;
                       delta_post[l] = g.delta_post;
                       EXPECT_EQ(g.dgamma != nullptr, network_->HasNorm(l)) << "layer " << l;
                       if (g.dgamma != nullptr) {
                         dgamma[l] = *g.dgamma;
                         dbeta[l] = *g.dbeta;
                       }
                     });
  for (int l = 1; l <= n; ++l) {
    const std::string at = " of layer " + std::to_string(l);
    Layer<double>& layer = network_->layer(l);
    MatD dw_numeric(layer.w.rows(), layer.w.cols());
    for (Eigen::Index i = 0; i < layer.w.size(); ++i)
      dw_numeric.data()[i] = Numeric(&layer.w.data()[i]);
    VecD db_numeric(layer.b.size());
    for (Eigen::Index i = 0; i < layer.b.size(); ++i) db_numeric(i) = Numeric(&layer.b(i));
    ExpectClose(dw[l], dw_numeric, "dW" + at);
    ExpectClose(db[l], db_numeric, "db" + at);
    EXPECT_GT(dw[l].norm(), 0) << "a zero gradient checks nothing" << at;
    if (network_->HasNorm(l)) {
      VecD dgamma_numeric(layer.gamma.size()), dbeta_numeric(layer.beta.size());
      for (Eigen::Index i = 0; i < layer.gamma.size(); ++i) {
        dgamma_numeric(i) = Numeric(&layer.gamma(i));
        dbeta_numeric(i) = Numeric(&layer.beta(i));
      }
      ExpectClose(dgamma[l], dgamma_numeric, "dgamma" + at);
      ExpectClose(dbeta[l], dbeta_numeric, "dbeta" + at);
      EXPECT_GT(dgamma[l].norm(), 0) << at;
    }
    MatD z = layer.w * cache.a[l - 1];
    z.colwise() += layer.b;
    ExpectClose(delta[l], NumericAt(l, z, /*is_z=*/true), "delta = dL/dz" + at);
    ExpectClose(delta_post[l], NumericAt(l, cache.a[l], /*is_z=*/false), "dL/da" + at);
  }
}

std::string RemedyName(const ::testing::TestParamInfo<RemedyParam>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param) + "_" + std::get<2>(info.param) +
         (std::get<3>(info.param) ? "_residual" : "_widths");
}

INSTANTIATE_TEST_SUITE_P(NormResidualActivationLoss, RemedyGradientCheck,
                         ::testing::Combine(::testing::ValuesIn(ActivationNames()),
                                            ::testing::ValuesIn(NormNames()),
                                            ::testing::ValuesIn(LossNames()), ::testing::Bool()),
                         RemedyName);

}  // namespace
}  // namespace gradflow
