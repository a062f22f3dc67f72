#include "engine/metrics.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "base/parallel.h"

namespace gradflow {
namespace {

// Flat arrays are reduced in chunks of this many values; matrices in chunks of
// kChunk columns. Per-chunk results are combined in chunk order, so every
// statistic has the same bits at any thread count.
constexpr Eigen::Index kFlatChunk = 1 << 14;

// Two-pass scaled norm of n values (pass 1: largest magnitude, NaN, inf; pass 2:
// Σ (x/scale)²), for sums of squares outside double's comfortable range.
template <typename T>
double SequentialScaledNorm(const T* values, Eigen::Index n) {
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

// Count, mean and sum of squared deviations of one chunk, combined across
// chunks with Chan et al.'s formula (no E[x²] − mean² cancellation).
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)): 8 accumulators in a fixed order.
double CombineLanes(const double (&lane)[8]) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

struct Moments {
  double n = 0, mean = 0, m2 = 0, sum_squares = 0;

  // Of n contiguous values, in two passes (mean, then squared deviations).
  // Each sum runs in 8 interleaved accumulators combined in a fixed order: the
  // same bits every time, and 8 independent add chains instead of one (a
  // single chain was most of a small sweep's statistics time).
  template <typename T>
  static Moments Of(const T* values, Eigen::Index n) {
    constexpr int kLanes = 8;
    Moments m;
    m.n = static_cast<double>(n);
    double sum[kLanes] = {};
    Eigen::Index i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) sum[j] += static_cast<double>(values[i + j]);
    for (int j = 0; i < n; ++i, ++j) sum[j] += static_cast<double>(values[i]);
    m.mean = CombineLanes(sum) / m.n;
    double deviation[kLanes] = {}, square[kLanes] = {};
    auto add = [&](int j, double v) {
      deviation[j] += (v - m.mean) * (v - m.mean);
      square[j] += v * v;
    };
    i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) add(j, static_cast<double>(values[i + j]));
    for (int j = 0; i < n; ++i, ++j) add(j, static_cast<double>(values[i]));
    m.m2 = CombineLanes(deviation);
    m.sum_squares = CombineLanes(square);
    return m;
  }
  void Add(const Moments& other) {
    const double total = n + other.n;
    const double delta = other.mean - mean;
    m2 += other.m2 + delta * delta * n * other.n / total;
    mean += delta * other.n / total;
    sum_squares += other.sum_squares;
    n = total;
  }
  double Std() const { return std::sqrt(m2 / n); }
  double SecondMoment() const { return sum_squares / n; }
};

// Σ x² in double with 8 independent accumulators (a fixed order, so the same
// bits every time, and one the compiler can vectorise).
template <typename T>
double SumOfSquares(const T* values, Eigen::Index n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      const double v = static_cast<double>(values[i + j]);
      acc[j] += v * v;
    }
  }
  for (; i < n; ++i) {
    const double v = static_cast<double>(values[i]);
    acc[0] += v * v;
  }
  return CombineLanes(acc);
}

// Euclidean norm of each column, in double: (B).
template <typename T>
std::vector<double> ColumnNorms(const Mat<T>& m) {
  std::vector<double> out(m.cols());
  ForEachChunk(
      m.cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        for (Eigen::Index b = start; b < start + size; ++b) {
          out[b] = ScaledNorm(m.col(b).data(), m.rows());
        }
      },
      4.0 * static_cast<double>(m.size()));
  return out;
}

// NaN/±inf and subnormal entries of a matrix, counted in one pass from the
// exponent bits (all ones: not finite; all zeros with a nonzero fraction:
// subnormal), which the compiler vectorises; CountNonfinite and
// CountSubnormal took two passes with a classification call per entry.
struct SpecialCounts {
  int64_t nonfinite = 0, subnormal = 0;
};

template <typename T>
SpecialCounts CountSpecial(const Eigen::Ref<const Mat<T>>& m) {
  using Bits = std::conditional_t<std::is_same_v<T, float>, uint32_t, uint64_t>;
  constexpr int kFractionBits = std::numeric_limits<T>::digits - 1;
  constexpr Bits kFraction = (Bits(1) << kFractionBits) - 1;
  constexpr Bits kExponent = ~(Bits(1) << (8 * sizeof(T) - 1)) & ~kFraction;
  SpecialCounts counts;
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    const T* column = m.col(j).data();
    int64_t nonfinite = 0, subnormal = 0;
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      Bits bits;
      std::memcpy(&bits, column + i, sizeof(T));
      const Bits exponent = bits & kExponent;
      nonfinite += exponent == kExponent;
      subnormal += exponent == 0 && (bits & kFraction) != 0;
    }
    counts.nonfinite += nonfinite;
    counts.subnormal += subnormal;
  }
  return counts;
}

// Fraction of columns (samples) of a whose entries all have one sign: all
// >= 0 or all <= 0 (a NaN makes its column mixed). a: (fan_in, B)
template <typename T>
double SameSignColumnFraction(const Mat<T>& a) {
  const Eigen::Index chunks = (a.cols() + kChunk - 1) / kChunk;
  std::vector<int64_t> same(static_cast<size_t>(chunks), 0);
  ForEachChunk(
      a.cols(), kChunk,
      [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
        for (Eigen::Index b = start; b < start + size; ++b) {
          // Counted without branches, so the loop vectorises: one sign when
          // there is no NaN and no positive or no negative entry.
          const T* column = a.col(b).data();
          int32_t positive = 0, negative = 0, nan = 0;
          for (Eigen::Index i = 0; i < a.rows(); ++i) {
            positive += column[i] > T(0) ? 1 : 0;
            negative += column[i] < T(0) ? 1 : 0;
            nan += column[i] != column[i] ? 1 : 0;
          }
          same[c] += nan == 0 && (positive == 0 || negative == 0) ? 1 : 0;
        }
      },
      static_cast<double>(a.size()));
  int64_t total = 0;
  for (int64_t s : same) total += s;
  return static_cast<double>(total) / static_cast<double>(a.cols());
}

// mean over rows i of |#(g_ij > 0) − #(g_ij < 0)| / cols: 1 when every row of g
// is single-signed, near 0 for random signs. g: (rows, fan_in)
template <typename T>
double RowSignAgreement(const Mat<T>& g) {
  const Eigen::Index rows = g.rows(), cols = g.cols();
  std::vector<int64_t> balance(static_cast<size_t>(rows), 0);  // #positive − #negative per row
  ForEachChunk(
      rows, kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        for (Eigen::Index j = 0; j < cols; ++j) {
          const T* column = g.col(j).data();
          for (Eigen::Index i = start; i < start + size; ++i)
            balance[i] += (column[i] > T(0) ? 1 : 0) - (column[i] < T(0) ? 1 : 0);
        }
      },
      static_cast<double>(g.size()));
  int64_t sum = 0;
  for (int64_t b : balance) sum += b < 0 ? -b : b;
  return static_cast<double>(sum) / (static_cast<double>(rows) * static_cast<double>(cols));
}

}  // namespace

template <typename T>
double ScaledNorm(const T* values, Eigen::Index n) {
  // Fast path: Σ x² in double, in fixed chunks combined in order. Float
  // squares cannot overflow or underflow double; for double data the result is
  // trusted only well inside double's range, else the two-pass scaled norm.
  const Eigen::Index chunks = (n + kFlatChunk - 1) / kFlatChunk;
  std::vector<double> chunk_sum(static_cast<size_t>(chunks));
  ForEachChunk(
      n, kFlatChunk,
      [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
        chunk_sum[c] = SumOfSquares(values + start, size);
      },
      2.0 * static_cast<double>(n));
  double sum = 0;
  for (double s : chunk_sum) sum += s;
  if (std::isnan(sum)) return sum;
  if (sum > 1e-280 && sum < 1e280) return std::sqrt(sum);
  return SequentialScaledNorm(values, n);  // 0, inf, or outside the comfortable range
}

template <typename T>
int64_t CountNonfinite(const Eigen::Ref<const Mat<T>>& m) {
  int64_t count = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) count += std::isfinite(m(i, j)) ? 0 : 1;
  return count;
}

template <typename T>
int64_t CountSubnormal(const Eigen::Ref<const Mat<T>>& m) {
  int64_t count = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      count += std::fpclassify(m(i, j)) == FP_SUBNORMAL ? 1 : 0;
  return count;
}

template <typename T>
void ComputeForwardMetrics(const Activation& activation, const Mat<T>& z, const Mat<T>& a,
                           const Mat<T>& dphi, double tau, LayerMetrics* m) {
  const Eigen::Index rows = z.rows(), batch = z.cols();
  const Eigen::Index chunks = (batch + kChunk - 1) / kChunk;
  const bool elementwise = !activation.IsMaxout();
  const double limit = activation.SaturationLimit(tau);
  std::vector<Moments> z_moments(chunks), a_moments(chunks);
  std::vector<int64_t> nonfinite(chunks, 0), subnormal(chunks, 0);
  // Per chunk, per row: samples with |φ'| < limit, and with φ' = 0.
  std::vector<std::vector<int32_t>> saturated(chunks), zero(chunks);
  ForEachChunk(
      batch, kChunk,
      [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
        // Whole columns of a column-major matrix are contiguous.
        z_moments[c] = Moments::Of(z.data() + start * z.rows(), size * z.rows());
        a_moments[c] = Moments::Of(a.data() + start * a.rows(), size * a.rows());
        const SpecialCounts in_z = CountSpecial<T>(z.middleCols(start, size));
        const SpecialCounts in_a = CountSpecial<T>(a.middleCols(start, size));
        nonfinite[c] = in_z.nonfinite + in_a.nonfinite;
        subnormal[c] = in_z.subnormal + in_a.subnormal;
        if (!elementwise) return;
        saturated[c].assign(rows, 0);
        zero[c].assign(rows, 0);
        for (Eigen::Index b = start; b < start + size; ++b) {
          const T* d = dphi.col(b).data();
          for (Eigen::Index r = 0; r < rows; ++r) {
            saturated[c][r] += Activation::Saturated(static_cast<double>(d[r]), limit) ? 1 : 0;
            zero[c][r] += d[r] == T(0) ? 1 : 0;
          }
        }
      },
      16.0 * static_cast<double>(z.size()));
  Moments zm = z_moments[0], am = a_moments[0];
  m->nonfinite = nonfinite[0];
  m->subnormal = subnormal[0];
  for (Eigen::Index c = 1; c < chunks; ++c) {
    zm.Add(z_moments[c]);
    am.Add(a_moments[c]);
    m->nonfinite += nonfinite[c];
    m->subnormal += subnormal[c];
  }
  m->preact_mean = zm.mean;
  m->preact_std = zm.Std();
  m->preact_q = zm.SecondMoment();
  m->act_mean = am.mean;
  m->act_std = am.Std();
  if (!elementwise) {  // maxout: the winning piece has φ' = 1
    m->saturation_frac = m->saturated_unit_frac = m->dead_frac = 0;
    return;
  }
  int64_t saturated_total = 0, saturated_units = 0, dead_units = 0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    int64_t unit_saturated = 0, unit_zero = 0;
    for (Eigen::Index c = 0; c < chunks; ++c) {
      unit_saturated += saturated[c][r];
      unit_zero += zero[c][r];
    }
    saturated_total += unit_saturated;
    if (unit_saturated >= 0.99 * static_cast<double>(batch)) ++saturated_units;
    if (unit_zero == batch) ++dead_units;
  }
  m->saturation_frac = static_cast<double>(saturated_total) / static_cast<double>(z.size());
  m->saturated_unit_frac = static_cast<double>(saturated_units) / static_cast<double>(rows);
  m->dead_frac = static_cast<double>(dead_units) / static_cast<double>(rows);
}

template <typename T>
void ComputeForwardMetrics(const Activation& activation, const Mat<T>& z, const Mat<T>& a,
                           double tau, LayerMetrics* m) {
  Mat<T> recomputed_a, dphi;
  activation.Forward(z, &recomputed_a, &dphi);
  ComputeForwardMetrics(activation, z, a, dphi, tau, m);
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
  m->grad_w_norm_per_example =
      SequentialScaledNorm(per_example.data(), static_cast<Eigen::Index>(per_example.size())) /
      std::sqrt(static_cast<double>(per_example.size()));
  m->input_same_sign_frac = SameSignColumnFraction(a_prev);
  m->grad_w_sign_agreement = RowSignAgreement(dw);
  const SpecialCounts in_delta = CountSpecial<T>(delta);
  m->nonfinite += in_delta.nonfinite;
  m->subnormal += in_delta.subnormal;
}

#define GRADFLOW_INSTANTIATE(T)                                                                   \
  template double ScaledNorm<T>(const T*, Eigen::Index);                                          \
  template int64_t CountNonfinite<T>(const Eigen::Ref<const Mat<T>>&);                            \
  template int64_t CountSubnormal<T>(const Eigen::Ref<const Mat<T>>&);                            \
  template void ComputeForwardMetrics<T>(const Activation&, const Mat<T>&, const Mat<T>&, double, \
                                         LayerMetrics*);                                          \
  template void ComputeForwardMetrics<T>(const Activation&, const Mat<T>&, const Mat<T>&,         \
                                         const Mat<T>&, double, LayerMetrics*);                   \
  template void ComputeBackwardMetrics<T>(const Mat<T>&, const Mat<T>&, const Vec<T>&,            \
                                          const Mat<T>&, const Mat<T>&, LayerMetrics*);
GRADFLOW_INSTANTIATE(float)
GRADFLOW_INSTANTIATE(double)
#undef GRADFLOW_INSTANTIATE

}  // namespace gradflow
