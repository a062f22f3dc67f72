#include "engine/activation.h"

#include <cmath>

#include "base/parallel.h"
#include "base/suggest.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

// Rough operations per element of φ and φ' (an exp or erfc and a division),
// for deciding whether a layer is worth several threads.
constexpr double kTranscendentalCost = 40;

using P = ActivationParams;

constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// σ(z) = 1/(1+e^{-z}), evaluated without overflow on either side.
double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
// σ'(z) = σ(z)σ(-z) = e^{-|z|}/(1+e^{-|z|})², exact in the tails (no 1 - σ cancellation).
double SigmoidDerivative(double z) {
  const double e = std::exp(-std::fabs(z));
  return e / ((1.0 + e) * (1.0 + e));
}
// Φ(z), the standard normal CDF.
double NormalCdf(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }
double NormalPdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

double One(const P&) { return 1.0; }

// sup φ' of SiLU: φ'' = 0 at one z in (2, 3); golden-section search, once.
double SiluMaxDerivative(const P&) {
  static const double value = [] {
    auto dphi = [](double z) { return Sigmoid(z) + z * Sigmoid(z) * Sigmoid(-z); };
    double lo = 0.0, hi = 5.0;
    const double r = 0.6180339887498949;
    for (int i = 0; i < 200; ++i) {
      const double m1 = hi - r * (hi - lo), m2 = lo + r * (hi - lo);
      if (dphi(m1) < dphi(m2))
        lo = m1;
      else
        hi = m2;
    }
    return dphi(0.5 * (lo + hi));
  }();
  return value;
}

// The parameters, each pointed to by its row.
const ActivationParameter kLeakySlope{
    "--leaky-slope", "leaky_slope",   "leaky_relu: slope for z < 0",
    kAnyFinite,      &P::leaky_slope, nullptr};
const ActivationParameter kEluAlpha{"--elu-alpha", "elu_alpha",   "elu: alpha",
                                    0.0,           &P::elu_alpha, nullptr};
const ActivationParameter kMaxoutPieces{
    "--maxout-pieces", "maxout_pieces",  "maxout: linear pieces per unit", 1.0,
    nullptr,           &P::maxout_pieces};

using K = ActivationKind;

const std::vector<ActivationSpec> kTable = {
    {K::kSigmoid, "sigmoid", "1/(1+exp(-z))", "s(z)(1-s(z)), at most 1/4", nullptr,
     [](double z, const P&) { return Sigmoid(z); },
     [](double z, const P&) { return SigmoidDerivative(z); }, [](const P&) { return 0.25; }, false,
     false, false},
    // tanh'(z) = sech²(z) = 4e^{-2|z|}/(1+e^{-2|z|})², exact in the tails.
    {K::kTanh, "tanh", "tanh(z)", "1 - tanh(z)^2", nullptr,
     [](double z, const P&) { return std::tanh(z); },
     [](double z, const P&) {
       const double e = std::exp(-2.0 * std::fabs(z));
       return 4.0 * e / ((1.0 + e) * (1.0 + e));
     },
     One, false, false, false},
    {K::kRelu, "relu", "max(0, z)", "1 if z > 0 else 0", nullptr,
     [](double z, const P&) { return z > 0 ? z : 0.0; },
     [](double z, const P&) { return z > 0 ? 1.0 : 0.0; }, One, true, true, false},
    {K::kLeakyRelu, "leaky_relu", "z if z > 0 else alpha*z", "1 if z > 0 else alpha", &kLeakySlope,
     [](double z, const P& p) { return z > 0 ? z : p.leaky_slope * z; },
     [](double z, const P& p) { return z > 0 ? 1.0 : p.leaky_slope; },
     [](const P& p) { return std::max(1.0, p.leaky_slope); }, true, true, false},
    {K::kElu, "elu", "z if z > 0 else alpha*(exp(z)-1)", "1 if z > 0 else alpha*exp(z)", &kEluAlpha,
     [](double z, const P& p) { return z > 0 ? z : p.elu_alpha * std::expm1(z); },
     [](double z, const P& p) { return z > 0 ? 1.0 : p.elu_alpha * std::exp(z); },
     [](const P& p) { return std::max(1.0, p.elu_alpha); }, true, false, false},
    {K::kMaxout, "maxout", "max over k pieces of (W_j a + b_j)",
     "1 for the winning piece, 0 for the others", &kMaxoutPieces,
     [](double z, const P&) { return z; }, [](double, const P&) { return 1.0; }, One, false, true,
     true},
    {K::kSoftplus, "softplus", "log(1+exp(z))", "sigmoid(z)", nullptr,
     [](double z, const P&) {
       return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
     },
     [](double z, const P&) { return Sigmoid(z); }, One, false, false, false},
    {K::kSoftsign, "softsign", "z/(1+|z|)", "1/(1+|z|)^2", nullptr,
     [](double z, const P&) { return z / (1.0 + std::fabs(z)); },
     [](double z, const P&) {
       const double d = 1.0 + std::fabs(z);
       return 1.0 / (d * d);
     },
     One, true, false, false},
    {K::kSelu, "selu", "lambda*(z if z > 0 else alpha*(exp(z)-1)), lambda=1.0507, alpha=1.6733",
     "lambda if z > 0 else lambda*alpha*exp(z)", nullptr,
     [](double z, const P&) { return kSeluLambda * (z > 0 ? z : kSeluAlpha * std::expm1(z)); },
     [](double z, const P&) { return kSeluLambda * (z > 0 ? 1.0 : kSeluAlpha * std::exp(z)); },
     [](const P&) { return kSeluLambda * kSeluAlpha; }, true, false, false},
    // GELU (erf form): φ'' = φ_N(z)(2 - z²) vanishes at z = √2, the maximum of φ'.
    {K::kGelu, "gelu", "z*Phi(z), Phi the standard normal CDF", "Phi(z) + z*pdf(z)", nullptr,
     [](double z, const P&) { return z * NormalCdf(z); },
     [](double z, const P&) { return NormalCdf(z) + z * NormalPdf(z); },
     [](const P&) {
       const double r = std::sqrt(2.0);
       return NormalCdf(r) + r * NormalPdf(r);
     },
     false, false, false},
    {K::kSilu, "silu", "z*sigmoid(z)", "s(z)(1 + z(1-s(z)))", nullptr,
     [](double z, const P&) { return z * Sigmoid(z); },
     [](double z, const P&) { return Sigmoid(z) + z * Sigmoid(z) * Sigmoid(-z); },
     SiluMaxDerivative, false, false, false},
    {K::kIdentity, "identity", "z", "1", nullptr, [](double z, const P&) { return z; },
     [](double, const P&) { return 1.0; }, One, false, true, false},
};

}  // namespace

const std::vector<ActivationSpec>& ActivationTable() { return kTable; }

const ActivationSpec& ActivationSpecOf(ActivationKind kind) {
  return kTable.at(static_cast<size_t>(kind));
}

std::vector<const ActivationParameter*> ActivationParameters() {
  std::vector<const ActivationParameter*> parameters;
  for (const ActivationSpec& spec : kTable) {
    if (spec.parameter != nullptr) parameters.push_back(spec.parameter);
  }
  return parameters;
}

std::vector<std::string> ActivationNames() {
  std::vector<std::string> names;
  for (const ActivationSpec& spec : kTable) names.push_back(spec.name);
  return names;
}

ActivationKind ParseActivation(const std::string& name) {
  for (const ActivationSpec& spec : kTable) {
    if (name == spec.name) return spec.kind;
  }
  RequireOneOf("--activation", name, ActivationNames());
  throw;  // unreachable: RequireOneOf throws for unknown names
}

std::string ActivationName(ActivationKind kind) { return ActivationSpecOf(kind).name; }

const ActivationSpec& FindActivation(const std::string& name) {
  return ActivationSpecOf(ParseActivation(name));
}

Activation::Activation(const ActivationSpec& spec, const ActivationParams& params)
    : spec_(&spec), params_(params), max_dphi_(spec.max_dphi(params)) {}

Activation Activation::Identity() { return Activation(ActivationKind::kIdentity, {}); }

std::string Activation::ParamString() const {
  return spec_->parameter != nullptr ? spec_->parameter->CsvText(params_) : "";
}

template <typename T>
void Activation::Forward(const Mat<T>& z, Mat<T>* a, Mat<T>* dphi) const {
  const int k = Pieces();
  const Eigen::Index rows = z.rows(), units = rows / k;
  a->resize(units, z.cols());
  if (dphi) dphi->resize(rows, z.cols());
  ForEachChunk(
      z.cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        for (Eigen::Index b = start; b < start + size; ++b) {
          const T* in = z.col(b).data();
          T* out = a->col(b).data();
          T* derivative = dphi ? dphi->col(b).data() : nullptr;
          if (spec_->is_maxout) {
            // a_i = max_j z_{i·k+j}; the first of equal maxima wins.
            for (Eigen::Index i = 0; i < units; ++i) {
              int winner = 0;
              for (int j = 1; j < k; ++j) {
                if (in[i * k + j] > in[i * k + winner]) winner = j;
              }
              out[i] = in[i * k + winner];
              if (derivative) {
                for (int j = 0; j < k; ++j) derivative[i * k + j] = j == winner ? T(1) : T(0);
              }
            }
            continue;
          }
          for (Eigen::Index r = 0; r < rows; ++r) {
            const double value = static_cast<double>(in[r]);
            out[r] = static_cast<T>(Phi(value));
            if (derivative) derivative[r] = static_cast<T>(DPhi(value));
          }
        }
      },
      kTranscendentalCost * static_cast<double>(z.size()));
}

template <typename T>
void Activation::BackwardFromDerivative(const Mat<T>& dphi, const Mat<T>& da, Mat<T>* delta) const {
  const int k = Pieces();
  delta->resize(dphi.rows(), dphi.cols());
  ForEachChunk(
      dphi.cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        if (k == 1) {
          delta->middleCols(start, size).array() =
              dphi.middleCols(start, size).array() * da.middleCols(start, size).array();
          return;
        }
        for (Eigen::Index b = start; b < start + size; ++b) {
          for (Eigen::Index r = 0; r < dphi.rows(); ++r) (*delta)(r, b) = dphi(r, b) * da(r / k, b);
        }
      },
      static_cast<double>(dphi.size()));
}

template <typename T>
void Activation::Backward(const Mat<T>& z, const Mat<T>& da, Mat<T>* delta) const {
  Mat<T> a, dphi;
  Forward(z, &a, &dphi);
  BackwardFromDerivative(dphi, da, delta);
}

template void Activation::Forward<float>(const Mat<float>&, Mat<float>*, Mat<float>*) const;
template void Activation::Forward<double>(const Mat<double>&, Mat<double>*, Mat<double>*) const;
template void Activation::BackwardFromDerivative<float>(const Mat<float>&, const Mat<float>&,
                                                        Mat<float>*) const;
template void Activation::BackwardFromDerivative<double>(const Mat<double>&, const Mat<double>&,
                                                         Mat<double>*) const;
template void Activation::Backward<float>(const Mat<float>&, const Mat<float>&, Mat<float>*) const;
template void Activation::Backward<double>(const Mat<double>&, const Mat<double>&,
                                           Mat<double>*) const;

}  // namespace gradflow
