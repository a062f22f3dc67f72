#include "engine/loss.h"

#include <cmath>

#include "base/rng.h"
#include "base/suggest.h"
#include "engine/sample_cache.h"

namespace gradflow {

namespace {

const std::vector<LossSpec> kTable = {
    {LossKind::kProbe, "probe", "random projection r.a of the last hidden layer, matches theory",
     nullptr},
    {LossKind::kMse, "mse", "mean squared error of a linear head against N(0,1) targets",
     "--output-dim"},
    {LossKind::kCrossEntropy, "cross_entropy",
     "softmax cross-entropy of a linear head, random labels", "--classes"},
};

}  // namespace

const std::vector<LossSpec>& LossTable() { return kTable; }

const LossSpec& LossSpecOf(LossKind kind) { return kTable.at(static_cast<size_t>(kind)); }

std::vector<std::string> LossNames() {
  std::vector<std::string> names;
  for (const LossSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

LossKind ParseLoss(const std::string& name) {
  for (const LossSpec& spec : kTable) {
    if (name == spec.name) return spec.kind;
  }
  RequireOneOf("--loss", name, LossNames());
  throw;  // unreachable: RequireOneOf throws for unknown names
}

std::string LossName(LossKind kind) { return LossSpecOf(kind).name; }

LossTargets SampleLossTargets(LossKind kind, int units, int batch, uint64_t seed,
                              SampleCache* cache) {
  LossTargets t;
  // (units, batch) standard normals, sample by sample, from stream (seed, purpose).
  auto normals = [&](Purpose purpose) {
    return SampleCache::FindOrDraw<double>(cache, SampleCache::LossKey(purpose, seed, units, batch),
                                           [&] {
                                             Rng rng(seed, purpose);
                                             MatD m(units, batch);
                                             for (int b = 0; b < batch; ++b)
                                               for (int k = 0; k < units; ++k)
                                                 m(k, b) = rng.Normal();
                                             return m;
                                           });
  };
  if (kind == LossKind::kProbe) {
    t.probe = normals(Purpose::kProbe);
  } else if (kind == LossKind::kMse) {
    t.targets = normals(Purpose::kTargets);
  } else {
    Rng rng(seed, Purpose::kTargets);
    for (int b = 0; b < batch; ++b) t.labels.push_back(static_cast<int>(rng.UniformInt(units)));
  }
  return t;
}

namespace {

// log Σ_k e^{y_k} for one column, shifted by the max so nothing overflows.
double LogSumExp(const VecD& y) {
  const double m = y.maxCoeff();
  return m + std::log((y.array() - m).exp().sum());
}

}  // namespace

template <typename T>
double LossValue(LossKind kind, const Mat<T>& out_t, const LossTargets& targets) {
  const MatD out = out_t.template cast<double>();
  const double batch = static_cast<double>(out.cols());
  switch (kind) {
    case LossKind::kProbe:
      return (targets.probe.array() * out.array()).sum() / batch;
    case LossKind::kMse:
      return (out - targets.targets).squaredNorm() / (batch * static_cast<double>(out.rows()));
    case LossKind::kCrossEntropy: {
      double total = 0;
      for (Eigen::Index b = 0; b < out.cols(); ++b) {
        total += LogSumExp(out.col(b)) - out(targets.labels[b], b);
      }
      return total / batch;
    }
  }
  return 0;
}

template <typename T>
Mat<T> LossGradient(LossKind kind, const Mat<T>& out_t, const LossTargets& targets) {
  const MatD out = out_t.template cast<double>();
  const double batch = static_cast<double>(out.cols());
  MatD grad;
  switch (kind) {
    case LossKind::kProbe:  // ∂/∂a_b = r_b / B
      grad = targets.probe / batch;
      break;
    case LossKind::kMse:  // ∂/∂y = 2(y − t)/(B·K)
      grad = 2.0 * (out - targets.targets) / (batch * static_cast<double>(out.rows()));
      break;
    case LossKind::kCrossEntropy:  // ∂/∂y_b = (softmax(y_b) − onehot(c_b)) / B
      grad.resize(out.rows(), out.cols());
      for (Eigen::Index b = 0; b < out.cols(); ++b) {
        const VecD column = out.col(b);
        grad.col(b) = (column.array() - LogSumExp(column)).exp();
        grad(targets.labels[b], b) -= 1.0;
      }
      grad /= batch;
      break;
  }
  return grad.cast<T>();
}

template double LossValue<float>(LossKind, const Mat<float>&, const LossTargets&);
template double LossValue<double>(LossKind, const Mat<double>&, const LossTargets&);
template Mat<float> LossGradient<float>(LossKind, const Mat<float>&, const LossTargets&);
template Mat<double> LossGradient<double>(LossKind, const Mat<double>&, const LossTargets&);

}  // namespace gradflow
