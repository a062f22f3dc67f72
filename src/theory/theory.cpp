#include "theory/theory.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "base/bits.h"
#include "engine/init.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr double kInvSqrt2 = 0.70710678118654752440;

// Quadrature layout (see theory.h): truncation in standard deviations, the
// step of the grid in the standard-normal variable, the activation-scale grid
// in u (uniform to kFineLimit, then geometric to kCoarseLimit), nodes per panel.
constexpr double kTruncation = 12.0;
constexpr double kStdStep = 0.5;
constexpr double kFineStep = 0.25;
constexpr double kFineLimit = 2.0;
constexpr double kGrowth = 1.25;
constexpr double kCoarseLimit = 1e6;
constexpr int kNodes = 16;

// Where the saturation rule can flip: scanned on [-kScanLimit, kScanLimit].
// Every activation in the table is monotone in its tails beyond it.
constexpr double kScanLimit = 64.0;
constexpr double kScanStep = 1.0 / 128.0;

// The limits q -> 0 and q -> ∞ are evaluated here.
constexpr double kTinyQ = 1e-300;
constexpr double kHugeQ = 1e300;

struct GaussLegendreRule {
  double x[kNodes];  // nodes on [-1, 1]
  double w[kNodes];  // weights, summing to 2
};

// Nodes: roots of P_n by Newton's method from Tricomi's starting guesses;
// P_n and P_n' from (j+1)P_{j+1} = (2j+1)x P_j - j P_{j-1}; w = 2/((1-x²)P_n'(x)²).
GaussLegendreRule MakeGaussLegendre() {
  GaussLegendreRule rule;
  const int n = kNodes;
  for (int i = 0; i < n; ++i) {
    double x = std::cos(kPi * (i + 0.75) / (n + 0.5));
    double derivative = 1;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1, p1 = x;
      for (int j = 1; j < n; ++j) {
        const double p2 = ((2 * j + 1) * x * p1 - j * p0) / (j + 1);
        p0 = p1;
        p1 = p2;
      }
      derivative = n * (x * p1 - p0) / (x * x - 1);
      const double step = p1 / derivative;
      x -= step;
      if (std::fabs(step) < 1e-16) break;
    }
    rule.x[i] = x;
    rule.w[i] = 2.0 / ((1 - x * x) * derivative * derivative);
  }
  return rule;
}

const GaussLegendreRule& Rule() {
  static const GaussLegendreRule rule = MakeGaussLegendre();
  return rule;
}

// Panel edges in u for N(0, q), ascending (see theory.h).
std::vector<double> PanelEdges(double q) {
  const double sd = std::sqrt(q);
  const double limit = kTruncation * sd;
  std::vector<double> edges;
  const int std_steps = static_cast<int>(kTruncation / kStdStep);
  for (int i = -std_steps; i <= std_steps; ++i) edges.push_back(i * kStdStep * sd);
  auto add_symmetric = [&](double u) {
    if (u < limit) {
      edges.push_back(u);
      edges.push_back(-u);
    }
  };
  for (double u = kFineStep; u <= kFineLimit; u += kFineStep) add_symmetric(u);
  for (double u = kFineLimit * kGrowth; u < kCoarseLimit; u *= kGrowth) add_symmetric(u);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

// Standard normal upper tail 1 - Φ(x), accurate for large x.
double UpperTail(double x) { return 0.5 * std::erfc(x * kInvSqrt2); }

// True where the saturation rule holds: |φ'(u)| < τ·max|φ'|.
bool Saturated(const Activation& activation, double tau, double u) {
  return Activation::Saturated(activation.DPhi(u), activation.SaturationLimit(tau));
}

}  // namespace

double GaussianExpectation(const std::function<double(double)>& f, double q) {
  if (!(q >= 0) || !std::isfinite(q)) {
    throw std::invalid_argument(
        fmt::format("GaussianExpectation: q must be finite and >= 0, got {}", q));
  }
  if (q == 0) return f(0.0);
  const GaussLegendreRule& rule = Rule();
  const std::vector<double> edges = PanelEdges(q);
  // ∫ f(u) pdf_q(u) du = ∫ f(sd·s) pdf(s) ds, summed per panel in s = u/sd so
  // that tiny q (u ~ 1e-150) does not underflow the panel widths.
  const double sd = std::sqrt(q);
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  double total = 0;
  for (size_t p = 0; p + 1 < edges.size(); ++p) {
    const double mid = 0.5 * (edges[p] + edges[p + 1]);
    const double half = 0.5 * (edges[p + 1] - edges[p]);
    double panel = 0;
    for (int i = 0; i < kNodes; ++i) {
      const double u = mid + half * rule.x[i];
      const double s = u / sd;
      panel += rule.w[i] * f(u) * std::exp(-0.5 * s * s);
    }
    total += (half / sd) * panel;
  }
  return total * kInvSqrt2Pi;
}

double GaussianMass(double lo, double hi, double q) {
  if (!(hi > lo)) return 0;
  const double sd = std::sqrt(q);
  const double a = lo / sd, b = hi / sd;
  // Φ(b) - Φ(a), each side written with the tail that does not cancel.
  if (a >= 0) return UpperTail(a) - UpperTail(b);
  if (b <= 0) return UpperTail(-b) - UpperTail(-a);
  return 1.0 - UpperTail(-a) - UpperTail(b);
}

double MaxoutSecondMoment(int k) {
  if (k < 1)
    throw std::invalid_argument(fmt::format("MaxoutSecondMoment: k must be >= 1, got {}", k));
  if (k == 1) return 1.0;
  // density of the max: k pdf(x) Φ(x)^{k-1}; Φ^{k-1} via logs so large k does not underflow early
  return GaussianExpectation(
      [k](double x) {
        const double cdf = UpperTail(-x);
        return x * x * k * std::exp((k - 1) * std::log(cdf));
      },
      1.0);
}

MeanField::MeanField(const Activation& activation, double tau)
    : activation_(activation), tau_(tau) {
  if (activation_.IsMaxout()) {
    maxout_m2_ = MaxoutSecondMoment(activation_.Pieces());
    return;
  }
  // Scan for the points where the saturation rule flips; bisect each to
  // machine precision. 0 is a grid point, so kinks there are found exactly.
  const int steps = static_cast<int>(2 * kScanLimit / kScanStep);
  below_at_left_ = Saturated(activation_, tau_, -kScanLimit);
  bool previous = below_at_left_;
  for (int i = 1; i <= steps; ++i) {
    const double u = -kScanLimit + i * kScanStep;
    const bool current = Saturated(activation_, tau_, u);
    if (current != previous) {
      double lo = u - kScanStep, hi = u;
      for (int iteration = 0; iteration < 200 && hi - lo > 0; ++iteration) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        (Saturated(activation_, tau_, mid) == previous ? lo : hi) = mid;
      }
      crossings_.push_back(hi);
      previous = current;
    }
  }
}

struct MeanField::Memo {
  std::mutex mutex;
  std::unordered_map<uint64_t, double> act_second, deriv_second;  // bits of q -> value
};

const MeanField& MeanField::Shared(const Activation& activation, double tau) {
  using Key = std::tuple<const ActivationSpec*, double, double, int, double>;
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<MeanField>> instances;
  const ActivationParams& p = activation.params();
  const Key key{&activation.spec(), p.leaky_slope, p.elu_alpha, p.maxout_pieces, tau};
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<MeanField>& instance = instances[key];
  if (!instance) {
    instance = std::make_unique<MeanField>(activation, tau);
    instance->memo_ = std::make_shared<Memo>();
  }
  return *instance;
}

double MeanField::Remembered(bool derivative, double q,
                             const std::function<double()>& compute) const {
  if (!memo_) return compute();
  // A sweep over many σ_w meets many q: forget everything past a million each.
  constexpr size_t kMaxEntries = 1 << 20;
  auto& table = derivative ? memo_->deriv_second : memo_->act_second;
  const uint64_t bits = DoubleBits(q);
  {
    std::lock_guard<std::mutex> lock(memo_->mutex);
    const auto found = table.find(bits);
    if (found != table.end()) return found->second;
  }
  const double value = compute();  // outside the lock: quadrature is the slow part
  std::lock_guard<std::mutex> lock(memo_->mutex);
  if (table.size() >= kMaxEntries) table.clear();
  table.emplace(bits, value);
  return value;
}

double MeanField::ActSecondMoment(double q) const {
  if (!std::isfinite(q)) return q == kInf ? kInf : kNaN;
  if (activation_.IsMaxout()) return q * maxout_m2_;
  return Remembered(false, q, [this, q] {
    return GaussianExpectation(
        [this](double u) {
          const double a = activation_.Phi(u);
          return a * a;
        },
        q);
  });
}

double MeanField::DerivSecondMoment(double q) const {
  if (std::isnan(q)) return kNaN;
  if (q == kInf) q = kHugeQ;  // the limit q -> ∞ (q^l overflowed)
  if (activation_.IsMaxout()) return 1.0;
  return Remembered(true, q, [this, q] {
    return GaussianExpectation(
        [this](double u) {
          const double d = activation_.DPhi(u);
          return d * d;
        },
        q);
  });
}

double MeanField::SaturationFraction(double q) const {
  if (std::isnan(q)) return kNaN;
  if (q == kInf) q = kHugeQ;  // the limit q -> ∞
  if (activation_.IsMaxout()) return 0.0;
  if (q == 0) return Saturated(activation_, tau_, 0.0) ? 1.0 : 0.0;
  // Segments between crossings alternate; the first one starts at -∞.
  double fraction = 0;
  bool below = below_at_left_;
  double lo = -kInf;
  for (size_t i = 0; i <= crossings_.size(); ++i) {
    const double hi = i < crossings_.size() ? crossings_[i] : kInf;
    if (below) fraction += GaussianMass(lo, hi, q);
    below = !below;
    lo = hi;
  }
  return fraction;
}

const char* FixedPointName(FixedPointKind kind) {
  switch (kind) {
    case FixedPointKind::kStable:
      return "stable";
    case FixedPointKind::kZero:
      return "zero";
    case FixedPointKind::kDiverging:
      return "diverging";
    case FixedPointKind::kMarginal:
      return "marginal";
  }
  return "?";
}

PhaseInfo AnalysePhase(const MeanField& mean_field, double sigma_w2, double sigma_b2,
                       double q_start) {
  // g(q) = f(q) - q, f the length map; f is increasing in q for the table's
  // activations, so iterating from q^1 moves monotonically to the nearest root
  // of g in the direction of sign g(q^1), or to 0 / ∞ if there is none. We find
  // that root directly: scan geometrically (factor 2) in that direction, then
  // bisect on log q. This also settles slow cases (tanh, σ_w² = 1: q^l ~ 3/(2l)).
  // Quadrature carries ~1e-13·q of noise in g, so only a relative drift
  // |g(q)|/q > kDriftTolerance counts as a sign; near-zero drift is not a root
  // (otherwise tanh at σ_w² = 1 would "settle" at q ~ 1e-16, ELU/He at q ~ 1e18).
  constexpr double kDriftTolerance = 1e-9;
  auto f = [&](double q) { return mean_field.LengthMap(q, sigma_w2, sigma_b2); };
  auto drift = [&](double q) { return (f(q) - q) / q; };  // relative change per layer
  PhaseInfo info;
  double q0 = q_start;
  if (q0 == 0) {
    if (f(0) == 0) {
      info.kind = FixedPointKind::kZero;
    } else {
      q0 = f(0);  // one step off 0
    }
  }
  auto still = [&](double q) { return std::fabs(drift(q)) <= kDriftTolerance; };
  if (q0 > 0) {
    if (still(q0) && still(q0 * 1e4) && still(q0 * 1e-4)) {
      info.kind = FixedPointKind::kMarginal;  // e.g. ReLU/He, identity with σ_w² = 1, σ_b = 0
      info.q_star = q0;
    } else if (still(q0)) {
      info.kind = FixedPointKind::kStable;  // started on the fixed point
      info.q_star = q0;
    } else {
      const bool down = drift(q0) < 0;
      double previous = q0, q = q0;
      bool found = false;
      while (down ? q > kTinyQ : q < kHugeQ) {
        previous = q;
        q = down ? q / 2 : q * 2;
        const double d = drift(q);
        if (down ? d > kDriftTolerance : d < -kDriftTolerance) {
          found = true;
          break;
        }
      }
      if (!found) {
        info.kind = down ? FixedPointKind::kZero : FixedPointKind::kDiverging;
        info.q_star = down ? 0 : kInf;
      } else {
        // A root between previous (drift has the starting sign or is ~0) and q.
        double inside = previous, outside = q;
        for (int iteration = 0; iteration < 200; ++iteration) {
          const double mid = std::sqrt(inside * outside);
          if (mid == inside || mid == outside) break;
          ((drift(mid) < 0) == down ? inside : outside) = mid;
        }
        info.kind = FixedPointKind::kStable;
        info.q_star = 0.5 * (inside + outside);
      }
    }
  }
  double q_chi = info.q_star;
  if (info.kind == FixedPointKind::kZero) q_chi = kTinyQ;
  if (info.kind == FixedPointKind::kDiverging) q_chi = kHugeQ;
  info.chi1 = mean_field.Chi(q_chi, sigma_w2);
  if (std::fabs(info.chi1 - 1) <= kCriticalTolerance) {
    info.phase = "critical";
    info.xi = kInf;
  } else {
    info.phase = info.chi1 < 1 ? "ordered" : "chaotic";
    info.xi = -1.0 / std::log(info.chi1);
  }
  return info;
}

NetworkTheory PredictNetwork(const RunConfig& config) {
  Validate(config);
  const Activation activation = MakeActivation(config);
  const MeanField& mean_field = MeanField::Shared(activation, config.saturation_threshold);
  const InitSpec& init = InitSpecOf(config.init);
  const double gain2 = config.gain * config.gain;
  const int rows = config.width * activation.Pieces();

  NetworkTheory t;
  // Both input kinds have unit variance before --input-scale.
  t.q_x = config.input_scale * config.input_scale;
  t.sigma_b2 = config.bias_std * config.bias_std;
  t.sigma_w2_hidden = init.sigma_w2(config.width, rows, config.init_params) * gain2;
  const int depth = config.depth;
  t.layers.resize(depth);
  for (int l = 1; l <= depth; ++l) {
    LayerTheory& layer = t.layers[l - 1];
    layer.layer = l;
    layer.sigma_w2 = l == 1 ? init.sigma_w2(config.InputDim(), rows, config.init_params) * gain2
                            : t.sigma_w2_hidden;
    // q^1 = σ_w² q_x + σ_b²;  q^l = σ_w² E[φ(z^{l-1})²] + σ_b²
    const double incoming = l == 1 ? t.q_x : mean_field.ActSecondMoment(t.layers[l - 2].q);
    layer.q = layer.sigma_w2 * incoming + t.sigma_b2;
    layer.saturation_frac = mean_field.SaturationFraction(layer.q);
  }
  // χ_l = σ_w²(W^{l+1}) E[φ'(z^l)²]; every W^{l+1} of the hidden stack is square.
  for (LayerTheory& layer : t.layers) layer.chi = mean_field.Chi(layer.q, t.sigma_w2_hidden);
  // ‖δ^l‖/‖δ^L‖ = √(Π_{m=l}^{L-1} χ_m), summed in logs so deep products do not underflow early.
  double log_ratio = 0;
  t.layers[depth - 1].delta_ratio = 1;
  for (int l = depth - 1; l >= 1; --l) {
    log_ratio += 0.5 * std::log(t.layers[l - 1].chi);
    t.layers[l - 1].delta_ratio = std::exp(log_ratio);
  }
  t.vanishing_ratio = t.layers[0].delta_ratio;
  t.decay_per_layer = depth > 1 ? std::exp(log_ratio / (depth - 1)) : 1.0;
  if (config.HasHead()) {
    const double head_w2 =
        init.sigma_w2(config.width, config.HeadUnits(), config.init_params) * gain2;
    t.head_q = head_w2 * mean_field.ActSecondMoment(t.layers[depth - 1].q) + t.sigma_b2;
  }
  t.phase = AnalysePhase(mean_field, t.sigma_w2_hidden, t.sigma_b2, t.layers[0].q);
  return t;
}

}  // namespace gradflow
