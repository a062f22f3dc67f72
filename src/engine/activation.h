// The activation table: one row per activation function.
//
// Each row gives the name, φ and φ' as text (for --help, `gradflow list` and
// the README), φ and φ' as scalar functions in double precision (the
// reference, for theory and tests), φ and φ' together over blocks of float
// and of double values (what the network runs), the supremum of |φ'| (the
// saturation rule is |φ'(z)| < τ·max|φ'|), its parameter and whether
// φ or φ' has a kink at 0 (the theory module's quadrature splits there).
// Adding an activation is one row in activation.cpp, its ActivationKind, and
// its test; a parameterised one also a field in ActivationParams, and its
// parameter row gives the CLI option, validation, CSV cell and model metadata.
//
// Maxout is the one activation that is not elementwise: a unit is the max of
// k linear pieces, so its layer has k·units pre-activation rows (rows
// unit·k .. unit·k+k-1 belong to one unit, as torch's z.view(B, N, k).max(-1))
// and the gradient routes to the winning piece.
#pragma once

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "base/types.h"
#include "engine/parameter.h"

namespace gradflow {

// One per row of the table, in the table's order.
enum class ActivationKind {
  kSigmoid,
  kSigmoidCentred,
  kTanh,
  kRelu,
  kLeakyRelu,
  kElu,
  kMaxout,
  kSoftplus,
  kSoftsign,
  kSelu,
  kGelu,
  kSilu,
  kIdentity,
};

struct ActivationParams {
  double leaky_slope = 0.01;  // --leaky-slope: LeakyReLU's negative-side slope α
  double elu_alpha = 1.0;     // --elu-alpha: ELU's negative-side scale α
  int maxout_pieces = 2;      // --maxout-pieces: linear pieces per maxout unit k
};

using ActivationParameter = ParameterSpec<ActivationParams>;

// a[i] = φ(z[i]) for i < n, and derivative[i] = φ'(z[i]) unless derivative is
// null: one pass over a contiguous block, in the working precision.
template <typename T>
using ActivationBlock = void (*)(const T* z, Eigen::Index n, const ActivationParams& p, T* a,
                                 T* derivative);

struct ActivationSpec {
  ActivationKind kind;
  const char* name;
  const char* formula;                   // φ(z), for people
  const char* derivative;                // φ'(z), for people
  const ActivationParameter* parameter;  // its parameter, or nullptr
  double (*phi)(double z, const ActivationParams& p);
  double (*dphi)(double z, const ActivationParams& p);
  double (*max_abs_dphi)(const ActivationParams& p);  // sup over z of |φ'(z)|
  bool kink_at_zero;                                  // φ' or φ'' jumps at 0
  bool piecewise_linear;                              // φ is linear on each side of its kinks
  bool is_maxout;
  // φ and φ' over blocks (null for maxout, which is not elementwise).
  ActivationBlock<float> block_float;
  ActivationBlock<double> block_double;
};

// All rows, in the order they are listed to users (= ActivationKind order).
const std::vector<ActivationSpec>& ActivationTable();
const ActivationSpec& ActivationSpecOf(ActivationKind kind);
// The parameters of all rows that have one, in table order.
std::vector<const ActivationParameter*> ActivationParameters();

std::vector<std::string> ActivationNames();
// Throws UsageError ("--activation: unknown value ... did you mean ... allowed") if unknown.
ActivationKind ParseActivation(const std::string& name);
std::string ActivationName(ActivationKind kind);
// The row called `name`; throws as ParseActivation.
const ActivationSpec& FindActivation(const std::string& name);

// An activation bound to its parameters.
class Activation {
 public:
  Activation(const ActivationSpec& spec, const ActivationParams& params);
  Activation(ActivationKind kind, const ActivationParams& params)
      : Activation(ActivationSpecOf(kind), params) {}
  static Activation Identity();

  const ActivationSpec& spec() const { return *spec_; }
  const std::string name() const { return spec_->name; }
  double Phi(double z) const { return spec_->phi(z, params_); }
  double DPhi(double z) const { return spec_->dphi(z, params_); }
  double MaxAbsDPhi() const { return max_abs_dphi_; }
  // The saturation rule: a (unit, sample) pair passes almost no gradient when
  // |φ'(z)| < τ·max|φ'|. The absolute value matters: GELU and SiLU have φ' < 0
  // for negative z, and a negative slope still passes gradient.
  double SaturationLimit(double tau) const { return tau * max_abs_dphi_; }
  static bool Saturated(double dphi, double limit) { return std::fabs(dphi) < limit; }
  // Linear pieces per unit: k for maxout, 1 otherwise.
  int Pieces() const { return spec_->is_maxout ? params_.maxout_pieces : 1; }
  bool IsMaxout() const { return spec_->is_maxout; }
  // The parameter's value as written in CSV ("" when it has none).
  std::string ParamString() const;
  const ActivationParams& params() const { return params_; }

  // The row's block function for T (null for maxout).
  template <typename T>
  ActivationBlock<T> Block() const {
    if constexpr (std::is_same_v<T, float>) {
      return spec_->block_float;
    } else {
      return spec_->block_double;
    }
  }

  // a = φ(z), and dphi = φ'(z) if asked for (maxout: 1 on each unit's winning
  // piece, 0 on the others), in one pass over z, in parallel column chunks.
  // z: (units·pieces, B) -> a: (units, B), dphi: (units·pieces, B)
  template <typename T>
  void Forward(const Mat<T>& z, Mat<T>* a, Mat<T>* dphi = nullptr) const;
  // δ = dphi ⊙ da, the backward pass from the derivative Forward saved;
  // for maxout δ_r = dphi_r · da_{r/k}, so da goes to the winning piece.
  // dphi: (units·pieces, B), da: (units, B) -> delta: (units·pieces, B)
  template <typename T>
  void BackwardFromDerivative(const Mat<T>& dphi, const Mat<T>& da, Mat<T>* delta) const;
  // The same from z, recomputing φ'(z).
  template <typename T>
  void Backward(const Mat<T>& z, const Mat<T>& da, Mat<T>* delta) const;

 private:
  const ActivationSpec* spec_;
  ActivationParams params_;
  double max_abs_dphi_;
};

}  // namespace gradflow
