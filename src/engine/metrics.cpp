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

// Eight double accumulators as two 4-wide vectors (GCC/Clang vector
// extensions, which compile to AVX where there is AVX): lane j sums the
// values at positions ≡ j (mod 8), exactly as a scalar loop over 8 arrays
// would, in the same order and so to the same bits. Written out because
// GCC's vectoriser kept the scalar form of Moments' second pass (16 sums)
// scalar: a third of a small sweep's statistics time.
using Double4 = double __attribute__((vector_size(32)));

// values[0..3] as doubles.
template <typename T>
Double4 Load4(const T* values) {
  if constexpr (std::is_same_v<T, float>) {
    using Float4 = float __attribute__((vector_size(16)));
    Float4 f;
    std::memcpy(&f, values, sizeof f);
    return __builtin_convertvector(f, Double4);
  } else {
    Double4 d;
    std::memcpy(&d, values, sizeof d);
    return d;
  }
}

// Lanes 0–3 from lo and 4–7 from hi.
void StoreLanes(Double4 lo, Double4 hi, double (&lane)[8]) {
  std::memcpy(lane, &lo, sizeof lo);
  std::memcpy(lane + 4, &hi, sizeof hi);
}

struct Moments {
  double n = 0, mean = 0, m2 = 0, sum_squares = 0;

  // Of n contiguous values, in two passes (mean, then squared deviations).
  // Each sum runs in 8 interleaved accumulators combined in a fixed order: the
  // same bits every time, and 8 independent add chains instead of one (a
  // single chain was most of a small sweep's statistics time). The values
  // past the last multiple of 8 go to lanes 0, 1, ... in turn.
  template <typename T>
  static Moments Of(const T* values, Eigen::Index n) {
    Moments m;
    m.n = static_cast<double>(n);
    Double4 sum_lo{}, sum_hi{};
    Eigen::Index i = 0;
    for (; i + 8 <= n; i += 8) {
      sum_lo += Load4(values + i);
      sum_hi += Load4(values + i + 4);
    }
    double sum[8];
    StoreLanes(sum_lo, sum_hi, sum);
    for (int j = 0; i < n; ++i, ++j) sum[j] += static_cast<double>(values[i]);
    m.mean = CombineLanes(sum) / m.n;
    const double mean = m.mean;
    const Double4 mean4 = {mean, mean, mean, mean};
    Double4 deviation_lo{}, deviation_hi{}, square_lo{}, square_hi{};
    i = 0;
    for (; i + 8 <= n; i += 8) {
      const Double4 lo = Load4(values + i), hi = Load4(values + i + 4);
      deviation_lo += (lo - mean4) * (lo - mean4);
      deviation_hi += (hi - mean4) * (hi - mean4);
      square_lo += lo * lo;
      square_hi += hi * hi;
    }
    double deviation[8], square[8];
    StoreLanes(deviation_lo, deviation_hi, deviation);
    StoreLanes(square_lo, square_hi, square);
    for (int j = 0; i < n; ++i, ++j) {
      const double v = static_cast<double>(values[i]);
      deviation[j] += (v - mean) * (v - mean);
      square[j] += v * v;
    }
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

// Σ x² of each of N arrays of n values, in double, each in 8 lanes (a fixed
// order, so the same bits every time; the values past the last multiple of 8
// go to lane 0). Each lane is a chain of dependent FMAs, so one array keeps
// the FMA units a quarter busy; N arrays in one loop run N chains side by side
// (a gradient and its weights, say) at the cost of one.
template <int N, typename T>
void SumsOfSquares(const T* const (&values)[N], Eigen::Index n, double (&out)[N]) {
  Double4 lo[N] = {}, hi[N] = {};
  Eigen::Index i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < N; ++k) {
      const Double4 x_lo = Load4(values[k] + i), x_hi = Load4(values[k] + i + 4);
      lo[k] += x_lo * x_lo;
      hi[k] += x_hi * x_hi;
    }
  }
  for (int k = 0; k < N; ++k) {
    double acc[8];
    StoreLanes(lo[k], hi[k], acc);
    for (Eigen::Index tail = i; tail < n; ++tail) {
      const double v = static_cast<double>(values[k][tail]);
      acc[0] += v * v;
    }
    out[k] = CombineLanes(acc);
  }
}

// Euclidean norms of N arrays of n values each, in double. Fast path: Σ x²
// in fixed chunks combined in order. Float squares cannot overflow or
// underflow double; for double data the sum is trusted only well inside
// double's range, else the two-pass scaled norm.
template <int N, typename T>
void ScaledNorms(const T* const (&values)[N], Eigen::Index n, double (&norms)[N]) {
  double sum[N] = {};
  if (n <= kFlatChunk) {  // one chunk: no chunk table to allocate
    SumsOfSquares<N>(values, n, sum);
  } else {
    const Eigen::Index chunks = (n + kFlatChunk - 1) / kFlatChunk;
    std::vector<double> chunk_sum(static_cast<size_t>(chunks) * N);
    ForEachChunk(
        n, kFlatChunk,
        [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
          const T* chunk[N];
          double out[N];
          for (int k = 0; k < N; ++k) chunk[k] = values[k] + start;
          SumsOfSquares<N>(chunk, size, out);
          for (int k = 0; k < N; ++k) chunk_sum[c * N + k] = out[k];
        },
        kValuePass * N * static_cast<double>(n));
    for (Eigen::Index c = 0; c < chunks; ++c)
      for (int k = 0; k < N; ++k) sum[k] += chunk_sum[c * N + k];
  }
  for (int k = 0; k < N; ++k) {
    if (std::isnan(sum[k])) {
      norms[k] = sum[k];
    } else if (sum[k] > 1e-280 && sum[k] < 1e280) {
      norms[k] = std::sqrt(sum[k]);
    } else {  // 0, inf, or outside the comfortable range
      norms[k] = SequentialScaledNorm(values[k], n);
    }
  }
}

// Euclidean norm of each column of x and of y, in double: (B) each. Their
// columns are paired (two chains at once) where they have the same length.
template <typename T>
void ColumnNorms(const Mat<T>& x, const Mat<T>& y, std::vector<double>* x_norms,
                 std::vector<double>* y_norms) {
  x_norms->resize(x.cols());
  y_norms->resize(y.cols());
  ForEachChunk(
      x.cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        for (Eigen::Index b = start; b < start + size; ++b) {
          if (x.rows() == y.rows()) {
            const T* const columns[2] = {x.col(b).data(), y.col(b).data()};
            double norms[2];
            ScaledNorms<2>(columns, x.rows(), norms);
            (*x_norms)[b] = norms[0];
            (*y_norms)[b] = norms[1];
          } else {
            (*x_norms)[b] = ScaledNorm(x.col(b).data(), x.rows());
            (*y_norms)[b] = ScaledNorm(y.col(b).data(), y.rows());
          }
        }
      },
      kValuePass * static_cast<double>(x.size() + y.size()));
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

// CountSpecial over chunks of kChunk columns, on the worker threads when the
// matrix is large (counts add up the same in any order).
template <typename T>
SpecialCounts CountSpecialChunked(const Mat<T>& m) {
  const Eigen::Index chunks = (m.cols() + kChunk - 1) / kChunk;
  std::vector<SpecialCounts> counts(static_cast<size_t>(chunks));
  ForEachChunk(
      m.cols(), kChunk,
      [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
        counts[c] = CountSpecial<T>(m.middleCols(start, size));
      },
      kValuePass * static_cast<double>(m.size()));
  SpecialCounts total;
  for (const SpecialCounts& c : counts) {
    total.nonfinite += c.nonfinite;
    total.subnormal += c.subnormal;
  }
  return total;
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
      kValuePass * static_cast<double>(a.size()));
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
      kValuePass * static_cast<double>(g.size()));
  int64_t sum = 0;
  for (int64_t b : balance) sum += b < 0 ? -b : b;
  return static_cast<double>(sum) / (static_cast<double>(rows) * static_cast<double>(cols));
}

}  // namespace

template <typename T>
double ScaledNorm(const T* values, Eigen::Index n) {
  const T* const arrays[1] = {values};
  double norm[1];
  ScaledNorms<1>(arrays, n, norm);
  return norm[0];
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
      6 * kValuePass * static_cast<double>(z.size()));
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
  // ∂L/∂W and W have one shape: their sums of squares run side by side.
  const T* const weight_shaped[2] = {dw.data(), w.data()};
  double weight_norms[2];
  ScaledNorms<2>(weight_shaped, dw.size(), weight_norms);
  m->grad_w_norm = weight_norms[0];
  m->weight_norm = weight_norms[1];
  m->grad_b_norm = ScaledNorm(db);
  m->grad_to_weight = m->grad_w_norm / m->weight_norm;
  // Per example ‖δ_b a_bᵀ‖_F = ‖δ_b‖·‖a_b‖ exactly; the root mean square of
  // those is a scaled norm / √B, so tiny gradients do not underflow.
  std::vector<double> per_example, act_norms;
  ColumnNorms(delta, a_prev, &per_example, &act_norms);
  for (size_t b = 0; b < per_example.size(); ++b) per_example[b] *= act_norms[b];
  m->grad_w_norm_per_example =
      SequentialScaledNorm(per_example.data(), static_cast<Eigen::Index>(per_example.size())) /
      std::sqrt(static_cast<double>(per_example.size()));
  m->input_same_sign_frac = SameSignColumnFraction(a_prev);
  m->grad_w_sign_agreement = RowSignAgreement(dw);
  const SpecialCounts in_delta = CountSpecialChunked(delta);
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
