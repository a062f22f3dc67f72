#include "engine/normalization.h"

#include <cmath>

#include "base/suggest.h"

namespace gradflow {
namespace {

const std::vector<NormSpec> kTable = {
    {NormKind::kNone, "none", "no normalisation: phi(z)"},
    {NormKind::kBatch, "batch",
     "batch norm: each unit normalised over the batch (training-mode statistics), then "
     "gamma * . + beta"},
    {NormKind::kLayer, "layer",
     "layer norm: each sample normalised over the layer's units, then gamma * . + beta"},
};

// The statistics' groups: rows (one per unit) for batch norm, columns (one
// per sample) for layer norm; z(i, j) is in group i or j accordingly.
bool PerRow(NormKind kind) { return kind == NormKind::kBatch; }

}  // namespace

const std::vector<NormSpec>& NormTable() { return kTable; }

std::vector<std::string> NormNames() {
  std::vector<std::string> names;
  for (const NormSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

NormKind ParseNorm(const std::string& name) {
  for (const NormSpec& spec : kTable) {
    if (name == spec.name) return spec.kind;
  }
  RequireOneOf("--norm", name, NormNames());
  throw;  // unreachable: RequireOneOf throws for unknown names
}

std::string NormName(NormKind kind) { return kTable.at(static_cast<size_t>(kind)).name; }

template <typename T>
void NormForward(NormKind kind, const Mat<T>& z, const Vec<T>& gamma, const Vec<T>& beta,
                 NormCache<T>* cache, Mat<T>* u) {
  const Eigen::Index rows = z.rows(), cols = z.cols();
  const bool per_row = PerRow(kind);
  const Eigen::Index groups = per_row ? rows : cols;
  const double count = static_cast<double>(per_row ? cols : rows);
  // μ and σ² per group, in double, by two passes in column-major order.
  VecD mean = VecD::Zero(groups), var = VecD::Zero(groups);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) mean(per_row ? i : j) += z(i, j);
  mean /= count;
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double centred = z(i, j) - mean(per_row ? i : j);
      var(per_row ? i : j) += centred * centred;
    }
  var /= count;
  // inv_std = 1/√(σ² + ε)   (groups)
  VecD inv_std(groups);
  for (Eigen::Index g = 0; g < groups; ++g) inv_std(g) = 1.0 / std::sqrt(var(g) + kNormEpsilon);
  cache->inv_std = inv_std.cast<T>();
  // x̂ = (z − μ)·inv_std;  u = γ ⊙ x̂ + β   (rows, B)
  cache->xhat.resize(rows, cols);
  u->resize(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      const Eigen::Index g = per_row ? i : j;
      const double xhat = (z(i, j) - mean(g)) * inv_std(g);
      cache->xhat(i, j) = static_cast<T>(xhat);
      (*u)(i, j) = static_cast<T>(static_cast<double>(gamma(i)) * xhat + beta(i));
    }
}

template <typename T>
void NormBackward(NormKind kind, const NormCache<T>& cache, const Vec<T>& gamma, const Mat<T>& du,
                  Mat<T>* dz, Vec<T>* dgamma, Vec<T>* dbeta) {
  const Mat<T>& xhat = cache.xhat;
  const Eigen::Index rows = du.rows(), cols = du.cols();
  const bool per_row = PerRow(kind);
  const Eigen::Index groups = per_row ? rows : cols;
  const double count = static_cast<double>(per_row ? cols : rows);
  // mean(g) and mean(g ⊙ x̂) per group, g = γ ⊙ du; ∂L/∂γ, ∂L/∂β per row.
  VecD mean_g = VecD::Zero(groups), mean_gx = VecD::Zero(groups);
  VecD sum_dgamma = VecD::Zero(rows), sum_dbeta = VecD::Zero(rows);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      const Eigen::Index g = per_row ? i : j;
      const double d = du(i, j), x = xhat(i, j);
      mean_g(g) += gamma(i) * d;
      mean_gx(g) += gamma(i) * d * x;
      sum_dgamma(i) += d * x;
      sum_dbeta(i) += d;
    }
  mean_g /= count;
  mean_gx /= count;
  // ∂L/∂z = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) · inv_std   (rows, B)
  dz->resize(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      const Eigen::Index g = per_row ? i : j;
      const double grad = static_cast<double>(gamma(i)) * du(i, j);
      (*dz)(i, j) = static_cast<T>((grad - mean_g(g) - xhat(i, j) * mean_gx(g)) *
                                   static_cast<double>(cache.inv_std(g)));
    }
  *dgamma = sum_dgamma.cast<T>();
  *dbeta = sum_dbeta.cast<T>();
}

template void NormForward<float>(NormKind, const Mat<float>&, const Vec<float>&, const Vec<float>&,
                                 NormCache<float>*, Mat<float>*);
template void NormForward<double>(NormKind, const Mat<double>&, const Vec<double>&,
                                  const Vec<double>&, NormCache<double>*, Mat<double>*);
template void NormBackward<float>(NormKind, const NormCache<float>&, const Vec<float>&,
                                  const Mat<float>&, Mat<float>*, Vec<float>*, Vec<float>*);
template void NormBackward<double>(NormKind, const NormCache<double>&, const Vec<double>&,
                                   const Mat<double>&, Mat<double>*, Vec<double>*, Vec<double>*);

}  // namespace gradflow
