#include "experiment/spectrum.h"

#ifndef GRADFLOW_OPENBLAS
#include <Eigen/SVD>
#endif
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "base/error.h"
#include "base/parallel.h"
#include "engine/inputs.h"
#include "engine/memory_estimate.h"
#include "fmt/format.h"

namespace gradflow {

#ifdef GRADFLOW_OPENBLAS
// LAPACK's divide-and-conquer SVD, which OpenBLAS carries. The trailing size_t
// is the hidden length of the Fortran string argument jobz.
extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda,
                        double* s, double* u, const int* ldu, double* vt, const int* ldvt,
                        double* work, const int* lwork, int* iwork, int* info, size_t jobz_len);

// Values only (jobz 'N': the bidiagonal's values by the dqds algorithm, to
// high relative accuracy). Through LAPACK rather than Eigen's BDCSVD because
// BDCSVD's templates were this library's most expensive file to compile (57 s
// of a 620 CPU-second build, 118 s under the sanitizers); OpenBLAS runs it on
// the calling thread (base/parallel keeps OpenBLAS at one thread), so the
// values do not depend on the thread count.
VecD SingularValues(const MatD& m) {
  if (m.size() == 0) return VecD();
  if (!m.allFinite()) {  // LAPACK's result on NaN/Inf input is unspecified
    return VecD::Constant(std::min(m.rows(), m.cols()), std::numeric_limits<double>::quiet_NaN());
  }
  constexpr Eigen::Index kIntMax = std::numeric_limits<int>::max();
  if (m.rows() > kIntMax / 8 || m.cols() > kIntMax / 8) {
    throw UsageError(
        fmt::format("a {}x{} Jacobian is too large for LAPACK's 32-bit sizes", m.rows(), m.cols()));
  }
  MatD a = m;  // (rows, cols), overwritten by dgesdd
  const int rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  VecD s(std::min(rows, cols));
  std::vector<int> iwork(8 * static_cast<size_t>(s.size()));
  int info = 0, lwork = -1, ld_unused = 1;
  double work_size = 0;
  dgesdd_("N", &rows, &cols, a.data(), &rows, s.data(), nullptr, &ld_unused, nullptr, &ld_unused,
          &work_size, &lwork, iwork.data(), &info, 1);
  if (info == 0) {
    lwork = static_cast<int>(work_size);
    std::vector<double> work(static_cast<size_t>(lwork));
    dgesdd_("N", &rows, &cols, a.data(), &rows, s.data(), nullptr, &ld_unused, nullptr, &ld_unused,
            work.data(), &lwork, iwork.data(), &info, 1);
  }
  if (info < 0) throw std::logic_error(fmt::format("dgesdd rejected argument {}", -info));
  if (info > 0) s.setConstant(std::numeric_limits<double>::quiet_NaN());  // did not converge
  return s;
}
#else
VecD SingularValues(const MatD& m) {
  if (m.size() == 0) return VecD();
  Eigen::BDCSVD<MatD> svd(m);  // values only: no U, no V
  return svd.singularValues();
}
#endif

SpectrumStats SummariseSpectra(const std::vector<VecD>& singular_values) {
  SpectrumStats stats;
  double sum_sq = 0, var_sum = 0, condition_sum = 0;
  int64_t in_band = 0, jacobians = 0;
  stats.max = 0;
  stats.min = std::numeric_limits<double>::infinity();
  for (const VecD& s : singular_values) {
    if (s.size() == 0) continue;
    ++jacobians;
    // Moments of s² of this Jacobian: mean, then the variance about it (two
    // passes, so a tight spectrum near 1 keeps its small variance exactly).
    const double mean = s.array().square().mean();
    const double var = (s.array().square() - mean).square().mean();
    sum_sq += s.array().square().sum();
    var_sum += var;
    const double hi = s.maxCoeff(), lo = s.minCoeff();
    stats.max = std::max(stats.max, hi);
    stats.min = std::min(stats.min, lo);
    condition_sum += lo > 0 ? hi / lo : std::numeric_limits<double>::infinity();
    in_band += (s.array() >= 0.5 && s.array() <= 2.0).count();
    stats.count += s.size();
  }
  if (stats.count == 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {0, nan, nan, nan, nan, nan, nan};
  }
  stats.mean_sq = sum_sq / static_cast<double>(stats.count);
  stats.var_sq = var_sum / static_cast<double>(jacobians);
  stats.condition = condition_sum / static_cast<double>(jacobians);
  stats.isometry_frac = static_cast<double>(in_band) / static_cast<double>(stats.count);
  return stats;
}

namespace {

// P D W of layer l at sample s: W's rows scaled by φ'(z^l) of that sample,
// then each maxout unit's pieces summed (φ' is 1 on the winner, 0 elsewhere).
// w: (units·pieces, fan_in) in double; dphi: (units·pieces, S).
// Returns (units, fan_in).
template <typename T>
MatD LayerJacobian(const MatD& w, const Mat<T>& dphi, Eigen::Index s, int pieces) {
  const MatD scaled = dphi.col(s).template cast<double>().asDiagonal() * w;
  if (pieces == 1) return scaled;
  const Eigen::Index units = scaled.rows() / pieces;
  MatD out = MatD::Zero(units, scaled.cols());
  for (Eigen::Index u = 0; u < units; ++u) {
    for (int k = 0; k < pieces; ++k) out.row(u) += scaled.row(u * pieces + k);
  }
  return out;
}

// J = J^L of one sample (units_L, d), from the double weights w[l-1] and the
// forward cache of all samples; on_layer(l, P^l D^l W^l) for each layer if set.
template <typename T>
MatD SampleJacobian(const Network<T>& network, const std::vector<MatD>& w, int hidden_layers,
                    const ForwardCache<T>& cache, Eigen::Index s,
                    const std::function<void(int, const MatD&)>& on_layer) {
  MatD jacobian;
  for (int l = 1; l <= hidden_layers; ++l) {
    const MatD layer = LayerJacobian(w[l - 1], cache.dphi[l], s, network.ActivationOf(l).Pieces());
    if (on_layer) on_layer(l, layer);
    if (l == 1) {
      jacobian = layer;  // J^1 = P D W^1 · I
    } else {
      MatD next;
      MultiplyChunked(layer, jacobian, &next);  // (units_l, d) = (units_l, units_{l-1}) · J^{l-1}
      jacobian.swap(next);
    }
  }
  return jacobian;
}

template <typename T>
std::vector<MatD> DoubleWeights(const Network<T>& network, int hidden_layers) {
  std::vector<MatD> w;
  w.reserve(hidden_layers);
  for (int l = 1; l <= hidden_layers; ++l) w.push_back(network.layer(l).w.template cast<double>());
  return w;
}

template <typename T>
SpectrumResult SpectrumTyped(const RunConfig& config, bool per_layer,
                             const std::function<void(int)>& on_sample) {
  const Network<T> network = BuildNetwork<T>(config);
  const Mat<T> x = SampleInput(config).template cast<T>();  // (d, S)
  ForwardCache<T> cache;
  network.Forward(x, &cache);
  const int hidden = config.depth;
  const std::vector<MatD> w = DoubleWeights(network, hidden);

  SpectrumResult result;
  result.config = config;
  const Eigen::Index samples = x.cols();
  result.values.resize(samples);
  if (per_layer) result.layer_values.assign(hidden, std::vector<VecD>(samples));

  // One sample per chunk: each sample's numbers come from its own
  // single-threaded work, so any thread count gives the same bits. An
  // exception may not leave an OpenMP region: keep the first, rethrow after.
  std::mutex mutex;
  std::exception_ptr error;
  int done = 0;
  const double width = config.width, d = config.InputDim();
  const double work = 2.0 * hidden * width * width * d * static_cast<double>(samples);
  ForEachChunk(
      samples, 1,
      [&](Eigen::Index s, Eigen::Index, Eigen::Index) {
        try {
          std::function<void(int, const MatD&)> on_layer;
          if (per_layer) {
            on_layer = [&](int l, const MatD& layer) {
              result.layer_values[l - 1][s] = SingularValues(layer);
            };
          }
          result.values[s] = SingularValues(SampleJacobian(network, w, hidden, cache, s, on_layer));
          std::lock_guard<std::mutex> lock(mutex);
          ++done;
          if (on_sample) on_sample(done);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
        }
      },
      work);
  if (error) std::rethrow_exception(error);

  result.stats = SummariseSpectra(result.values);
  for (const std::vector<VecD>& layer : result.layer_values) {
    result.layer_stats.push_back(SummariseSpectra(layer));
  }
  return result;
}

}  // namespace

template <typename T>
std::vector<MatD> InputOutputJacobians(const Network<T>& network, int hidden_layers,
                                       const Mat<T>& x,
                                       std::vector<std::vector<MatD>>* layer_jacobians) {
  ForwardCache<T> cache;
  network.Forward(x, &cache);
  const std::vector<MatD> w = DoubleWeights(network, hidden_layers);
  std::vector<MatD> out;
  if (layer_jacobians != nullptr) layer_jacobians->assign(x.cols(), {});
  for (Eigen::Index s = 0; s < x.cols(); ++s) {
    std::function<void(int, const MatD&)> on_layer;
    if (layer_jacobians != nullptr) {
      on_layer = [&](int, const MatD& layer) { (*layer_jacobians)[s].push_back(layer); };
    }
    out.push_back(SampleJacobian(network, w, hidden_layers, cache, s, on_layer));
  }
  return out;
}

double EstimateSpectrumBytes(const RunConfig& config, int threads) {
  const double bytes_t = config.dtype == DType::kFloat32 ? 4 : 8;
  const double pieces = MakeActivation(config).Pieces();
  const double width = config.width, d = config.InputDim(), samples = config.batch;
  const double rows = width * pieces;
  // Weights in the run's dtype and in double.
  const double weights = (rows * d + (config.depth - 1.0) * rows * width) * (bytes_t + 8);
  // Forward cache of every sample: z, a and φ' of each layer, and the inputs in double.
  const double cache = config.depth * samples * (2 * rows + width) * bytes_t + d * samples * 8;
  // Per sample in flight: J^{l-1}, J^l, the layer's P D W and its scaled copy,
  // and the SVD's copy and work space (about two more matrices of J's size).
  const double wide = std::max(width, d);
  const double per_sample = (4 * width * d + 2 * rows * wide) * 8;
  return weights + cache + std::max(1, threads) * per_sample;
}

SpectrumResult RunSpectrum(const RunConfig& input, bool per_layer,
                           const std::function<void(int)>& on_sample) {
  RunConfig config = input;
  config.loss = LossKind::kProbe;  // the Jacobian is of the hidden layers: no head
  Validate(config);
  if (!config.IsPlainMlp()) {
    throw UsageError(fmt::format(
        "spectrum measures plain MLPs of equal widths; --norm {}{}{} is not supported here "
        "(use gradflow run for those networks)",
        NormName(config.norm), config.residual ? ", --residual" : "",
        config.widths.empty() ? "" : ", --widths " + WidthsText(config)));
  }
  SetThreads(config.threads);
  CheckMemoryEstimate(EstimateSpectrumBytes(config, Threads()), config, "this spectrum");
  return config.dtype == DType::kFloat32 ? SpectrumTyped<float>(config, per_layer, on_sample)
                                         : SpectrumTyped<double>(config, per_layer, on_sample);
}

template std::vector<MatD> InputOutputJacobians<float>(const Network<float>&, int,
                                                       const Mat<float>&,
                                                       std::vector<std::vector<MatD>>*);
template std::vector<MatD> InputOutputJacobians<double>(const Network<double>&, int,
                                                        const Mat<double>&,
                                                        std::vector<std::vector<MatD>>*);

}  // namespace gradflow
