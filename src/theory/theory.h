// Mean-field theory of signal and gradient propagation at initialisation
// (Poole et al. 2016; Schoenholz et al. 2017; docs/theory.md), for
// every activation in the activation table and every init in the init table.
//
//   q^1     = σ_w² q_x + σ_b²                          (pre-activation second moment)
//   q^l     = σ_w² E_{u~N(0,q^{l-1})}[φ(u)²] + σ_b²    (length map)
//   χ(q)    = σ_w² E_{u~N(0,q)}[φ'(u)²]                (gradient gain of one layer)
//   ‖δ^l‖/‖δ^L‖ = √(Π_{m=l}^{L-1} χ_m),  χ_m = σ_w²(layer m+1) E[φ'(z^m)²]
//
// Maxout with k pieces: the k pre-activations of a unit are iid N(0, q) (distinct
// rows of W), the unit outputs their max and routes its gradient to the winner
// with φ' = 1, so E[a²] = q·M2(k) with M2(k) = E[(max of k iid N(0,1))²] and
// χ = σ_w² (one routed piece per unit). M2(1) = M2(2) = 1, M2(3) = 1 + √3/(2π).
//
// Gaussian expectations use composite Gauss–Legendre quadrature (16 nodes per
// panel) on u ∈ [-12√q, 12√q] with panel edges at 0 (the kinks of the table's
// activations), on a grid in the standard-normal variable (step 0.5) and on a
// grid in u on the activation's own scale (step 0.25 to |u| = 2, then ×1.25 to
// |u| = 1e6). Either grid alone fails somewhere: Gauss–Hermite (one smooth
// polynomial fit) loses digits at kinks and when q is large (tanh(√q s) is
// nearly a step); the merged edges keep every panel smooth on both scales.
// Relative error is below 1e-12 against every closed form we test.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/activation.h"
#include "engine/config.h"

namespace gradflow {

// E_{u~N(0,q)}[f(u)] for f smooth except at 0, with at most polynomial growth.
// q = 0 gives f(0); q must be >= 0 and finite.
double GaussianExpectation(const std::function<double(double)>& f, double q);

// P[lo <= u <= hi] for u ~ N(0, q), q > 0; lo and hi may be ±infinity.
// Uses erfc on the far side so tail masses keep their relative accuracy.
double GaussianMass(double lo, double hi, double q);

// M2(k) = E[(max_{j<k} u_j)²] for k iid standard normals u_j, k >= 1:
// ∫ x² k pdf(x) Φ(x)^{k-1} dx.
double MaxoutSecondMoment(int k);

// The single-layer statistics of one activation (bound to its parameters).
class MeanField {
 public:
  // tau: the saturation threshold τ (saturated when |φ'(u)| < τ·max|φ'|).
  MeanField(const Activation& activation, double tau);

  // The process-wide instance for (activation, τ), built once, whose
  // ActSecondMoment and DerivSecondMoment remember every q they were asked
  // for (thread-safe). A sweep asks the same questions for every depth, width
  // and seed of a configuration: depth 50 repeats depth 20's layers, and the
  // phase analysis repeats for every depth. Remembered values are the very
  // doubles the quadrature returned, so results are unchanged.
  static const MeanField& Shared(const Activation& activation, double tau);

  const Activation& activation() const { return activation_; }
  // E_{u~N(0,q)}[φ(u)²]; maxout: E[(max of k iid N(0,q))²] = q·M2(k).
  double ActSecondMoment(double q) const;
  // E_{u~N(0,q)}[φ'(u)²]; maxout: 1 (the winning piece carries the gradient).
  // q = inf (an overflowed q^l) gives the limit q -> ∞, evaluated at 1e300.
  double DerivSecondMoment(double q) const;
  // P_{u~N(0,q)}[|φ'(u)| < τ·max|φ'|]; maxout: 0 (it never saturates). q = inf as above.
  double SaturationFraction(double q) const;

  // q_next = σ_w² E[φ(u)²] + σ_b²
  double LengthMap(double q, double sigma_w2, double sigma_b2) const {
    return sigma_w2 * ActSecondMoment(q) + sigma_b2;
  }
  // χ(q) = σ_w² E[φ'(u)²]
  double Chi(double q, double sigma_w2) const { return sigma_w2 * DerivSecondMoment(q); }

 private:
  Activation activation_;
  double tau_;
  double maxout_m2_ = 1.0;         // M2(k), maxout only
  bool below_at_left_ = false;     // |φ'(u)| < τ·max|φ'| as u → -∞
  std::vector<double> crossings_;  // where "|φ'(u)| < τ·max|φ'|" flips, ascending
  struct Memo;                     // q -> value, for Shared instances only
  std::shared_ptr<Memo> memo_;
  // compute(), or what it returned for this q before (Shared instances).
  double Remembered(bool derivative, double q, const std::function<double()>& compute) const;
};

// Where the length map q -> σ_w² E[φ²](q) + σ_b² leads, starting from q^1.
enum class FixedPointKind {
  kStable,     // q^l converges to a finite q* > 0
  kZero,       // q^l -> 0 (χ₁ is the limit of χ(q) as q -> 0)
  kDiverging,  // q^l -> ∞ (χ₁ is the limit of χ(q) as q -> ∞)
  kMarginal,   // the map is the identity: every q is a fixed point, q* = q^1
};
const char* FixedPointName(FixedPointKind kind);  // stable | zero | diverging | marginal

struct PhaseInfo {
  double q_star = 0;  // the fixed point reached from q^1 (0 or inf for zero/diverging)
  FixedPointKind kind = FixedPointKind::kStable;
  double chi1 = 0;  // χ₁ = χ(q*)
  double xi = 0;  // ξ = -1/ln χ₁: > 0 vanish e-fold per ξ layers, < 0 explode per |ξ|, inf critical
  std::string phase;  // ordered (χ₁ < 1) | critical (|χ₁ - 1| <= kCriticalTolerance) | chaotic
};
constexpr double kCriticalTolerance = 1e-6;

// Iterates (in effect) the length map from q_start with σ_w², σ_b² of a deep
// hidden layer and classifies where it goes. Limits q -> 0 / ∞ are evaluated at
// q = 1e-300 / 1e300.
PhaseInfo AnalysePhase(const MeanField& mean_field, double sigma_w2, double sigma_b2,
                       double q_start);

// Predictions for one hidden layer.
struct LayerTheory {
  int layer = 0;           // 1 = next to the input
  double sigma_w2 = 0;     // σ_w² of W^l: init table's σ_w²(fan_in, fan_out) × gain²
  double q = 0;            // q^l, predicted mean of (z^l)²
  double chi = 0;          // χ_l = σ_w²(W^{l+1}) E[φ'(z^l)²] (W^{L+1}: a square hidden layer)
  double delta_ratio = 0;  // predicted ‖δ^l‖/‖δ^L‖ = √(Π_{m=l}^{L-1} χ_m)
  double saturation_frac = 0;  // P[|φ'(z^l)| < τ·max|φ'|]
};

struct NetworkTheory {
  double q_x = 0;                   // input second moment: 1 (gaussian or uniform) × input_scale²
  double sigma_b2 = 0;              // bias_std²
  double sigma_w2_hidden = 0;       // σ_w² of a (width -> width) hidden layer, × gain²
  std::vector<LayerTheory> layers;  // hidden layers 1..L
  double head_q = 0;                // predicted q of the linear head (0 when there is none)
  double vanishing_ratio = 0;       // predicted ‖δ^1‖/‖δ^L‖
  double decay_per_layer = 1;       // vanishing_ratio^(1/(L-1)), 1 when L = 1
  PhaseInfo phase;                  // of the repeated hidden layer, from q^1
};

// Predictions for the network RunConfig describes (validates it first).
NetworkTheory PredictNetwork(const RunConfig& config);

}  // namespace gradflow
