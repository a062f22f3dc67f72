#include "experiment/activation_cost.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "base/format.h"
#include "base/parallel.h"
#include "base/rng.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "engine/network.h"
#include "experiment/run.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

using Clock = std::chrono::steady_clock;

// The fastest of `repeats` calls of f, in seconds.
template <typename F>
double FastestSeconds(int repeats, F&& f) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

// Standard normal values from the seed's input stream, in T. (rows, cols)
template <typename T>
Mat<T> NormalMatrix(Eigen::Index rows, Eigen::Index cols, uint64_t seed, uint64_t index) {
  Rng rng(seed, Purpose::kInput, index);
  Mat<T> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.Normal());
  return m;
}

// φ alone and φ with φ' over `elements` N(0, 1) values, per element, in ns.
// Through Activation::Forward, as the network calls it (maxout: the values are
// its pieces, 1024 rows of k pieces per column).
template <typename T>
void TimeElementwise(const Activation& activation, const ActivationCostOptions& o,
                     ActivationCostRow* row) {
  const Eigen::Index rows = 1024;
  const Eigen::Index cols = std::max<Eigen::Index>(1, o.elements / rows);
  const Mat<T> z = NormalMatrix<T>(rows, cols, o.seed, 1);
  Mat<T> a, dphi;
  activation.Forward(z, &a, &dphi);  // warm: allocated once, pages touched
  const double n = static_cast<double>(z.size());
  row->phi_ns = 1e9 * FastestSeconds(o.repeats, [&] { activation.Forward(z, &a); }) / n;
  row->phi_dphi_ns = 1e9 * FastestSeconds(o.repeats, [&] { activation.Forward(z, &a, &dphi); }) / n;
}

// The whole pass and its two parts, on the network `run` builds for this
// activation (probe loss, no head).
template <typename T>
void TimePass(const RunConfig& config, const ActivationCostOptions& o, ActivationCostRow* row) {
  const Network<T> network = BuildNetwork<T>(config);
  const Mat<T> x = SampleInput(config).cast<T>();
  const LossTargets targets =
      SampleLossTargets(config.loss, config.width, config.batch, config.seed);
  RunWorkspace workspace;
  MeasureNetwork(config, network, x, targets, nullptr, &workspace);  // warm
  row->pass_ms = 1e3 * FastestSeconds(o.pass_repeats, [&] {
                   MeasureNetwork(config, network, x, targets, nullptr, &workspace);
                 });
  // The pass's own z^l and a^l, so the activation sees the values it sees in the pass.
  ForwardCache<T> cache;
  network.Forward(x, &cache);
  const Activation& activation = network.activation();
  const Mat<T> da = NormalMatrix<T>(config.width, config.batch, o.seed, 2);  // ∂L/∂a^l (units, B)
  Mat<T> a, dphi, delta, product, dw, da_below;
  row->activation_ms = 1e3 * FastestSeconds(o.pass_repeats, [&] {
                         for (int l = 1; l <= network.NumLayers(); ++l) {
                           activation.Forward(cache.z[l], &a, &dphi);
                           activation.BackwardFromDerivative(dphi, da, &delta);
                         }
                       });
  row->gemm_ms = 1e3 * FastestSeconds(o.pass_repeats, [&] {
                   for (int l = 1; l <= network.NumLayers(); ++l) {
                     const Mat<T>& w = network.layer(l).w;
                     MultiplyChunked(w, cache.a[l - 1], &product);                       // z = W a
                     MultiplyByTransposeChunked(cache.dphi[l], cache.a[l - 1], &dw);     // δ aᵀ
                     if (l > 1) MultiplyTransposedChunked(w, cache.dphi[l], &da_below);  // Wᵀ δ
                   }
                 });
}

template <typename T>
ActivationCostRow MeasureOne(const ActivationSpec& spec, const ActivationCostOptions& o) {
  ActivationCostRow row;
  row.activation = spec.name;
  row.dtype = std::is_same_v<T, float> ? DType::kFloat32 : DType::kFloat64;
  const Activation activation(spec, ActivationParams{});
  TimeElementwise<T>(activation, o, &row);
  if (o.pass) {
    RunConfig config;
    config.activation = spec.kind;
    config.depth = o.depth;
    config.width = o.width;
    config.batch = o.batch;
    config.seed = o.seed;
    config.dtype = row.dtype;
    config.loss = LossKind::kProbe;
    TimePass<T>(config, o, &row);
  }
  return row;
}

std::string Num(double v) { return FormatNumber(v); }
// A share of the pass, or empty when the pass was not timed.
std::string Share(double part_ms, double pass_ms) {
  return pass_ms > 0 ? FormatNumber(part_ms / pass_ms) : std::string();
}
std::string IfTimed(double ms) { return ms > 0 ? FormatNumber(ms) : std::string(); }

const std::vector<Column<ActivationCostRow>> kColumns = {
    {"activation", "activation name (default parameter)",
     [](const ActivationCostRow& r) { return r.activation; }},
    {"dtype", "float32 or float64",
     [](const ActivationCostRow& r) { return std::string(DTypeName(r.dtype)); }},
    {"phi_ns", "ns per element of phi alone (fastest of --repeats)",
     [](const ActivationCostRow& r) { return Num(r.phi_ns); }},
    {"phi_dphi_ns", "ns per element of phi and phi' in one pass, as the network runs them",
     [](const ActivationCostRow& r) { return Num(r.phi_dphi_ns); }},
    {"pass_ms",
     "one whole run pass (forward, loss, backward, metrics) at --depth/--width/--batch, ms; "
     "empty with --no-pass",
     [](const ActivationCostRow& r) { return IfTimed(r.pass_ms); }},
    {"activation_ms",
     "the pass's activation work timed on its own: phi and phi' forward and delta = phi' * da "
     "backward in every layer, ms",
     [](const ActivationCostRow& r) { return IfTimed(r.activation_ms); }},
    {"gemm_ms", "the pass's matrix products timed on their own: W a, delta a^T, W^T delta, ms",
     [](const ActivationCostRow& r) { return IfTimed(r.gemm_ms); }},
    {"activation_share", "activation_ms / pass_ms",
     [](const ActivationCostRow& r) { return Share(r.activation_ms, r.pass_ms); }},
    {"gemm_share", "gemm_ms / pass_ms",
     [](const ActivationCostRow& r) { return Share(r.gemm_ms, r.pass_ms); }},
};

}  // namespace

std::vector<ActivationCostRow> MeasureActivationCost(
    const ActivationCostOptions& options, const std::function<void(int, int)>& progress) {
  std::vector<ActivationCostRow> rows;
  const int total = 2 * static_cast<int>(ActivationTable().size());
  for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
    for (const ActivationSpec& spec : ActivationTable()) {
      rows.push_back(dtype == DType::kFloat32 ? MeasureOne<float>(spec, options)
                                              : MeasureOne<double>(spec, options));
      if (progress) progress(static_cast<int>(rows.size()), total);
    }
  }
  return rows;
}

const std::vector<Column<ActivationCostRow>>& ActivationCostColumns() { return kColumns; }

std::string ActivationCostCsv(const std::vector<ActivationCostRow>& rows) {
  std::string text = CsvLine().AddNames(kColumns).Text();
  for (const ActivationCostRow& row : rows) text += CsvLine().AddValues(kColumns, row).Text();
  return text;
}

}  // namespace gradflow
