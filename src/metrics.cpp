#include "metrics.h"

#include <cmath>
#include <limits>
#include <vector>

namespace gradflow {

template <typename T>
double ScaledNorm(const T* values, Eigen::Index n) {
  double scale = 0;
  bool infinite = false;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double v = std::fabs(static_cast<double>(values[i]));
    if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
    if (std::isinf(v)) infinite = true;
    if (v > scale) scale = v;
  }
  if (infinite) return std::numeric_limits<double>::infinity();
  if (scale == 0) return 0;
  double sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = static_cast<double>(values[i]) / scale;
    sum += r * r;
  }
  return scale * std::sqrt(sum);
}

template <typename T>
int64_t CountNonfinite(const Mat<T>& m) {
  int64_t count = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) count += std::isfinite(m.data()[i]) ? 0 : 1;
  return count;
}

namespace {

// Population mean and standard deviation (two passes, in double).
template <typename T>
void MeanStd(const Mat<T>& m, double* mean, double* std, double* second_moment = nullptr) {
  const double n = static_cast<double>(m.size());
  double sum = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) sum += static_cast<double>(m.data()[i]);
  *mean = sum / n;
  double squares = 0, centred = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const double v = static_cast<double>(m.data()[i]);
    squares += v * v;
    centred += (v - *mean) * (v - *mean);
  }
  *std = std::sqrt(centred / n);
  if (second_moment) *second_moment = squares / n;
}

// Euclidean norm of each column, in double: (B).
template <typename T>
std::vector<double> ColumnNorms(const Mat<T>& m) {
  std::vector<double> out(m.cols());
  for (Eigen::Index b = 0; b < m.cols(); ++b) out[b] = ScaledNorm(m.col(b).data(), m.rows());
  return out;
}

}  // namespace

template <typename T>
void ComputeForwardMetrics(const Activation& activation, const Mat<T>& z, const Mat<T>& a,
                           double tau, LayerMetrics* m) {
  MeanStd(z, &m->preact_mean, &m->preact_std, &m->preact_q);
  MeanStd(a, &m->act_mean, &m->act_std);
  m->nonfinite = CountNonfinite(z) + CountNonfinite(a);
  if (activation.IsMaxout()) {
    m->saturation_frac = m->saturated_unit_frac = m->dead_frac = 0;
    return;
  }
  const double limit = tau * activation.MaxDPhi();
  const Eigen::Index units = z.rows(), batch = z.cols();
  std::vector<int64_t> saturated_count(units, 0), zero_count(units, 0);
  int64_t saturated_total = 0;
  for (Eigen::Index b = 0; b < batch; ++b) {
    for (Eigen::Index i = 0; i < units; ++i) {
      const double d = activation.DPhi(static_cast<double>(z(i, b)));
      if (d < limit) ++saturated_count[i];
      if (d == 0) ++zero_count[i];
    }
  }
  int64_t saturated_units = 0, dead_units = 0;
  for (Eigen::Index i = 0; i < units; ++i) {
    saturated_total += saturated_count[i];
    if (saturated_count[i] >= 0.99 * static_cast<double>(batch)) ++saturated_units;
    if (zero_count[i] == batch) ++dead_units;
  }
  m->saturation_frac = static_cast<double>(saturated_total) / static_cast<double>(z.size());
  m->saturated_unit_frac = static_cast<double>(saturated_units) / static_cast<double>(units);
  m->dead_frac = static_cast<double>(dead_units) / static_cast<double>(units);
}

template <typename T>
void ComputeBackwardMetrics(const Mat<T>& delta, const Mat<T>& dw, const Vec<T>& db,
                            const Mat<T>& a_prev, const Mat<T>& w, LayerMetrics* m) {
  m->delta_norm = ScaledNorm(delta);
  m->grad_w_norm = ScaledNorm(dw);
  m->grad_b_norm = ScaledNorm(db);
  m->weight_norm = ScaledNorm(w);
  m->grad_to_weight = m->grad_w_norm / m->weight_norm;
  // Per example ‖δ_b a_bᵀ‖_F = ‖δ_b‖·‖a_b‖ exactly; the root mean square of
  // those is a scaled norm / √B, so tiny gradients do not underflow.
  std::vector<double> per_example = ColumnNorms(delta);
  const std::vector<double> act_norms = ColumnNorms(a_prev);
  for (size_t b = 0; b < per_example.size(); ++b) per_example[b] *= act_norms[b];
  m->grad_w_norm_per_example = ScaledNorm(per_example.data(), per_example.size()) /
                               std::sqrt(static_cast<double>(per_example.size()));
  m->nonfinite += CountNonfinite(delta);
}

#define GRADFLOW_INSTANTIATE(T)                                                                   \
  template double ScaledNorm<T>(const T*, Eigen::Index);                                          \
  template int64_t CountNonfinite<T>(const Mat<T>&);                                              \
  template void ComputeForwardMetrics<T>(const Activation&, const Mat<T>&, const Mat<T>&, double, \
                                         LayerMetrics*);                                          \
  template void ComputeBackwardMetrics<T>(const Mat<T>&, const Mat<T>&, const Vec<T>&,            \
                                          const Mat<T>&, const Mat<T>&, LayerMetrics*);
GRADFLOW_INSTANTIATE(float)
GRADFLOW_INSTANTIATE(double)
#undef GRADFLOW_INSTANTIATE

}  // namespace gradflow
