#include "engine/activation.h"

#include <algorithm>
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

// sup |φ'| of SiLU: φ'' = 0 at one z in (2, 3), the maximum 1.0998; the
// minimum, −0.0998 near z = −2.4, is smaller in size. Golden-section search, once.
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

// The scalar φ and φ' of each row, in double: the reference for theory and
// tests, and the double-precision blocks below (inlined, so the same bits).
double SigmoidPhi(double z, const P&) { return Sigmoid(z); }
double SigmoidDPhi(double z, const P&) { return SigmoidDerivative(z); }
// σ(z) − 1/2 = tanh(z/2)/2: the same curve as sigmoid, centred on 0 (no
// cancellation near z = 0); its slope is σ'(z), at most 1/4.
double SigmoidCentredPhi(double z, const P&) { return 0.5 * std::tanh(0.5 * z); }
double TanhPhi(double z, const P&) { return std::tanh(z); }
// tanh'(z) = sech²(z) = 4e^{-2|z|}/(1+e^{-2|z|})², exact in the tails.
double TanhDPhi(double z, const P&) {
  const double e = std::exp(-2.0 * std::fabs(z));
  return 4.0 * e / ((1.0 + e) * (1.0 + e));
}
double ReluPhi(double z, const P&) { return z > 0 ? z : 0.0; }
double ReluDPhi(double z, const P&) { return z > 0 ? 1.0 : 0.0; }
double LeakyReluPhi(double z, const P& p) { return z > 0 ? z : p.leaky_slope * z; }
double LeakyReluDPhi(double z, const P& p) { return z > 0 ? 1.0 : p.leaky_slope; }
double EluPhi(double z, const P& p) { return z > 0 ? z : p.elu_alpha * std::expm1(z); }
double EluDPhi(double z, const P& p) { return z > 0 ? 1.0 : p.elu_alpha * std::exp(z); }
double IdentityPhi(double z, const P&) { return z; }
double IdentityDPhi(double, const P&) { return 1.0; }
double SoftplusPhi(double z, const P&) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}
double SoftsignPhi(double z, const P&) { return z / (1.0 + std::fabs(z)); }
double SoftsignDPhi(double z, const P&) {
  const double d = 1.0 + std::fabs(z);
  return 1.0 / (d * d);
}
double SeluPhi(double z, const P&) {
  return kSeluLambda * (z > 0 ? z : kSeluAlpha * std::expm1(z));
}
double SeluDPhi(double z, const P&) {
  return kSeluLambda * (z > 0 ? 1.0 : kSeluAlpha * std::exp(z));
}
double GeluPhi(double z, const P&) { return z * NormalCdf(z); }
double GeluDPhi(double z, const P&) { return NormalCdf(z) + z * NormalPdf(z); }
double SiluPhi(double z, const P&) { return z * Sigmoid(z); }
double SiluDPhi(double z, const P&) { return Sigmoid(z) + z * Sigmoid(z) * Sigmoid(-z); }

// ---------------------------------------------------------------- blocks
// a = φ(z) and, unless dphi is null, φ'(z) over n contiguous values in one
// pass. Double blocks call the scalar functions above directly (the compiler
// inlines them: no indirect call per element, and the same bits as before).
// Float blocks of the common activations are Eigen array expressions in
// float, vectorised (Eigen's exp, expm1 and tanh), one exp per element where
// the scalar version had two; their error against the double reference is
// bounded in activation_test (BlocksMatchTheDoubleReference). The rarer
// smooth ones (softplus, gelu, silu) go through double for their float blocks
// too: φ' of gelu and silu crosses 0, where float's cancellation would cost
// many ulp.

using Eigen::Index;
template <typename T>
using Values = Eigen::Array<T, Eigen::Dynamic, 1>;
template <typename T>
using In = Eigen::Map<const Values<T>>;
template <typename T>
using Out = Eigen::Map<Values<T>>;

// Values per piece of a block: its temporaries live on the stack, in L1.
constexpr Index kPiece = 256;

// A piece-sized temporary on the stack. Kernels choose between two sides
// with `select` only over such materialised arrays: Eigen 3.4's select is not
// vectorised, and over an expression (exp, tanh, a cast) it evaluates that
// side lazily behind a branch per element, which mispredicts on the random
// signs of z (about 6 ns per element for sigmoid, measured); over plain
// arrays the compiler turns it into vector blends.
struct Piece {
  alignas(64) float values[kPiece];
  Out<float> Of(Index n) { return Out<float>(values, n); }
};

template <double (*phi)(double, const P&), double (*dphi)(double, const P&), typename T>
void ScalarBlock(const T* z, Index n, const P& p, T* a, T* derivative) {
  for (Index i = 0; i < n; ++i) {
    const double value = static_cast<double>(z[i]);
    a[i] = static_cast<T>(phi(value, p));
    if (derivative) derivative[i] = static_cast<T>(dphi(value, p));
  }
}

// Calls Kernel::Apply(z, a, derivative or nullptr, scratch, p) on pieces of at
// most kPiece values.
template <typename Kernel>
void FloatBlock(const float* z, Index n, const P& p, float* a, float* derivative) {
  alignas(64) float scratch[kPiece];
  for (Index start = 0; start < n; start += kPiece) {
    const Index m = std::min(kPiece, n - start);
    Kernel::Apply(In<float>(z + start, m), Out<float>(a + start, m),
                  derivative ? derivative + start : nullptr, Out<float>(scratch, m), p);
  }
}

// σ(z) from e = e^{-|z|} (never overflows): 1/(1+e) for z >= 0, e/(1+e) below;
// σ'(z) = e/(1+e)², exact in both tails (a(1−a) would round to 0 for z > 17).
struct SigmoidKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> e, const P&) {
    e = (-z.abs()).exp();
    a = (1.0f + e).inverse();
    if (derivative) Out<float>(derivative, z.size()) = e / (1.0f + e).square();
    Piece below_piece;
    Out<float> below = below_piece.Of(z.size());
    below = e * a;
    a = (z >= 0.0f).select(a, below);
  }
};

// tanh|z| = (1−e)/(1+e) and tanh'(z) = 4e/(1+e)², e = e^{-2|z|}, one exp for
// both (1 − a² would round to 0 for |z| > 9). Below |z| = 0.625 (e > 0.28)
// 1 − e cancels, so there a is Eigen's float tanh (a rational approximation
// that is less accurate further out). NaN stays NaN.
struct TanhKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> e, const P&) {
    e = (-2.0f * z.abs()).exp();
    Piece near_piece, far_piece;
    Out<float> near_zero = near_piece.Of(z.size()), far = far_piece.Of(z.size());
    near_zero = z.tanh();
    far = (1.0f - e) / (1.0f + e);  // tanh|z|, then its sign (z.sign() is scalar)
    far = (z < 0.0f).select(-far, far);
    far = (z == z).select(far, z);
    a = (z.abs() < 0.625f).select(near_zero, far);
    if (derivative) Out<float>(derivative, z.size()) = 4.0f * e / (1.0f + e).square();
  }
};

// σ(z) − 1/2 = tanh(z/2)/2 and σ'(z) = tanh'(z/2)/4, through the tanh kernel
// (halving and quartering are exact in binary).
struct SigmoidCentredKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> e, const P& p) {
    Piece half_piece;
    Out<float> half = half_piece.Of(z.size());
    half = 0.5f * z;
    TanhKernel::Apply(In<float>(half.data(), z.size()), a, derivative, e, p);
    a *= 0.5f;
    if (derivative) Out<float>(derivative, z.size()) *= 0.25f;
  }
};

struct ReluKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float>, const P&) {
    a = (z > 0.0f).select(z, 0.0f);
    if (derivative) Out<float>(derivative, z.size()) = (z > 0.0f).cast<float>();
  }
};

// The negative side as α·z in double, rounded once, as the scalar function does.
struct LeakyReluKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> e, const P& p) {
    const float slope = static_cast<float>(p.leaky_slope);
    Out<float> negative = e;
    negative = (z.cast<double>() * p.leaky_slope).cast<float>();
    a = (z > 0.0f).select(z, negative);
    if (derivative)
      Out<float>(derivative, z.size()) =
          (z > 0.0f).select(1.0f, Values<float>::Constant(z.size(), slope));
  }
};

// scale·(z for z > 0, α(e^z − 1) below) and scale·(1, α e^z): ELU (scale 1)
// and SELU (λ, α fixed). expm1 keeps φ exact near 0⁻; φ' takes its own exp, as
// α + φ would cancel to 0 in the tail.
template <bool kSelu>
struct ExponentialLinearKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> e, const P& p) {
    const float alpha = static_cast<float>(kSelu ? kSeluAlpha : p.elu_alpha);
    const float scale = static_cast<float>(kSelu ? kSeluLambda : 1.0);
    // Only z <= 0 is used: the other side is set to 0 so it cannot overflow
    // (a select, not min, so NaN stays NaN).
    e = (z > 0.0f).select(0.0f, z);
    Piece positive_piece, negative_piece;
    Out<float> positive = positive_piece.Of(z.size()), negative = negative_piece.Of(z.size());
    positive = scale * z;
    negative = (scale * alpha) * e.expm1();
    a = (z > 0.0f).select(positive, negative);
    if (derivative) {
      negative = (scale * alpha) * e.exp();
      Out<float>(derivative, z.size()) = (z > 0.0f).select(scale, negative);
    }
  }
};

struct SoftsignKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float> d, const P&) {
    d = 1.0f + z.abs();
    a = z / d;
    if (derivative) Out<float>(derivative, z.size()) = d.square().inverse();
  }
};

struct IdentityKernel {
  static void Apply(In<float> z, Out<float> a, float* derivative, Out<float>, const P&) {
    a = z;
    if (derivative) Out<float>(derivative, z.size()).setOnes();
  }
};

// ---------------------------------------------------------------- maxout
// One column of maxout: a_i = max_j z_{i·k+j}, the first of equal maxima
// wins (a NaN first piece stays the winner, as no comparison beats it), and
// φ' is 1 for the winner, 0 for the other pieces. Written without branches and
// with k a constant for the common piece counts, so the compiler vectorises
// it (the branchy loop over a runtime k was about 10% of a maxout sweep).
template <int K, bool kDerivative, typename T>
void MaxoutUnits(const T* z, Index units, int k_runtime, T* a, T* derivative) {
  const int k = K > 0 ? K : k_runtime;
  for (Index i = 0; i < units; ++i) {
    const T* pieces = z + i * k;
    T best = pieces[0];
    int winner = 0;
    for (int j = 1; j < k; ++j) {
      const bool greater = pieces[j] > best;
      best = greater ? pieces[j] : best;
      winner = greater ? j : winner;
    }
    a[i] = best;
    if constexpr (kDerivative) {
      for (int j = 0; j < k; ++j) derivative[i * k + j] = winner == j ? T(1) : T(0);
    }
  }
}

template <bool kDerivative, typename T>
void MaxoutColumn(const T* z, Index units, int k, T* a, T* derivative) {
  switch (k) {
    case 2:
      return MaxoutUnits<2, kDerivative>(z, units, k, a, derivative);
    case 3:
      return MaxoutUnits<3, kDerivative>(z, units, k, a, derivative);
    case 4:
      return MaxoutUnits<4, kDerivative>(z, units, k, a, derivative);
    default:
      return MaxoutUnits<0, kDerivative>(z, units, k, a, derivative);
  }
}

// z: (units·k) values of one sample; a: (units); derivative: (units·k) or null.
template <typename T>
void MaxoutForward(const T* z, Index units, int k, T* a, T* derivative) {
  if (derivative) {
    MaxoutColumn<true>(z, units, k, a, derivative);
  } else {
    MaxoutColumn<false>(z, units, k, a, derivative);
  }
}

// δ_{i·k+j} = φ'_{i·k+j} · (∂L/∂a)_i for one sample, no division per element.
template <int K, typename T>
void MaxoutBackwardUnits(const T* dphi, const T* da, Index units, int k_runtime, T* delta) {
  const int k = K > 0 ? K : k_runtime;
  for (Index i = 0; i < units; ++i) {
    for (int j = 0; j < k; ++j) delta[i * k + j] = dphi[i * k + j] * da[i];
  }
}

template <typename T>
void MaxoutBackward(const T* dphi, const T* da, Index units, int k, T* delta) {
  if (k == 2) return MaxoutBackwardUnits<2>(dphi, da, units, k, delta);
  MaxoutBackwardUnits<0>(dphi, da, units, k, delta);
}

// A row's float and double blocks.
#define GRADFLOW_SCALAR_BLOCKS(phi, dphi) \
  &ScalarBlock<phi, dphi, float>, &ScalarBlock<phi, dphi, double>
#define GRADFLOW_FLOAT_BLOCKS(kernel, phi, dphi) \
  &FloatBlock<kernel>, &ScalarBlock<phi, dphi, double>

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
    {K::kSigmoid, "sigmoid", "1/(1+exp(-z))", "s(z)(1-s(z)), at most 1/4", nullptr, SigmoidPhi,
     SigmoidDPhi, [](const P&) { return 0.25; }, false, false, false,
     GRADFLOW_FLOAT_BLOCKS(SigmoidKernel, SigmoidPhi, SigmoidDPhi)},
    // Zero-centred sigmoid: the post's second complaint removed, the first kept.
    {K::kSigmoidCentred, "sigmoid_centred", "1/(1+exp(-z)) - 1/2 = tanh(z/2)/2",
     "s(z)(1-s(z)), at most 1/4", nullptr, SigmoidCentredPhi, SigmoidDPhi,
     [](const P&) { return 0.25; }, false, false, false,
     GRADFLOW_FLOAT_BLOCKS(SigmoidCentredKernel, SigmoidCentredPhi, SigmoidDPhi)},
    {K::kTanh, "tanh", "tanh(z)", "1 - tanh(z)^2", nullptr, TanhPhi, TanhDPhi, One, false, false,
     false, GRADFLOW_FLOAT_BLOCKS(TanhKernel, TanhPhi, TanhDPhi)},
    {K::kRelu, "relu", "max(0, z)", "1 if z > 0 else 0", nullptr, ReluPhi, ReluDPhi, One, true,
     true, false, GRADFLOW_FLOAT_BLOCKS(ReluKernel, ReluPhi, ReluDPhi)},
    {K::kLeakyRelu, "leaky_relu", "z if z > 0 else alpha*z", "1 if z > 0 else alpha", &kLeakySlope,
     LeakyReluPhi, LeakyReluDPhi,
     [](const P& p) { return std::max(1.0, std::fabs(p.leaky_slope)); }, true, true, false,
     GRADFLOW_FLOAT_BLOCKS(LeakyReluKernel, LeakyReluPhi, LeakyReluDPhi)},
    {K::kElu, "elu", "z if z > 0 else alpha*(exp(z)-1)", "1 if z > 0 else alpha*exp(z)", &kEluAlpha,
     EluPhi, EluDPhi, [](const P& p) { return std::max(1.0, p.elu_alpha); }, true, false, false,
     GRADFLOW_FLOAT_BLOCKS(ExponentialLinearKernel<false>, EluPhi, EluDPhi)},
    // Not elementwise: Activation::Forward takes each unit's max; no blocks.
    {K::kMaxout, "maxout", "max over k pieces of (W_j a + b_j)",
     "1 for the winning piece, 0 for the others", &kMaxoutPieces, IdentityPhi, IdentityDPhi, One,
     false, true, true, nullptr, nullptr},
    {K::kSoftplus, "softplus", "log(1+exp(z))", "sigmoid(z)", nullptr, SoftplusPhi, SigmoidPhi, One,
     false, false, false, GRADFLOW_SCALAR_BLOCKS(SoftplusPhi, SigmoidPhi)},
    {K::kSoftsign, "softsign", "z/(1+|z|)", "1/(1+|z|)^2", nullptr, SoftsignPhi, SoftsignDPhi, One,
     true, false, false, GRADFLOW_FLOAT_BLOCKS(SoftsignKernel, SoftsignPhi, SoftsignDPhi)},
    {K::kSelu, "selu", "lambda*(z if z > 0 else alpha*(exp(z)-1)), lambda=1.0507, alpha=1.6733",
     "lambda if z > 0 else lambda*alpha*exp(z)", nullptr, SeluPhi, SeluDPhi,
     [](const P&) { return kSeluLambda * kSeluAlpha; }, true, false, false,
     GRADFLOW_FLOAT_BLOCKS(ExponentialLinearKernel<true>, SeluPhi, SeluDPhi)},
    // GELU (erf form): φ'' = φ_N(z)(2 - z²) vanishes at z = ±√2: the maximum of φ'
    // (1.1285) and its minimum (−0.1285), so sup |φ'| is the maximum.
    {K::kGelu, "gelu", "z*Phi(z), Phi the standard normal CDF", "Phi(z) + z*pdf(z)", nullptr,
     GeluPhi, GeluDPhi,
     [](const P&) {
       const double r = std::sqrt(2.0);
       return NormalCdf(r) + r * NormalPdf(r);
     },
     false, false, false, GRADFLOW_SCALAR_BLOCKS(GeluPhi, GeluDPhi)},
    {K::kSilu, "silu", "z*sigmoid(z)", "s(z)(1 + z(1-s(z)))", nullptr, SiluPhi, SiluDPhi,
     SiluMaxDerivative, false, false, false, GRADFLOW_SCALAR_BLOCKS(SiluPhi, SiluDPhi)},
    {K::kIdentity, "identity", "z", "1", nullptr, IdentityPhi, IdentityDPhi, One, false, true,
     false, GRADFLOW_FLOAT_BLOCKS(IdentityKernel, IdentityPhi, IdentityDPhi)},
};

#undef GRADFLOW_SCALAR_BLOCKS
#undef GRADFLOW_FLOAT_BLOCKS

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
    : spec_(&spec), params_(params), max_abs_dphi_(spec.max_abs_dphi(params)) {}

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
  const ActivationBlock<T> block = Block<T>();
  ForEachChunk(
      z.cols(), kChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) {
        if (!spec_->is_maxout) {
          // Columns are contiguous, and a has z's shape: one block per chunk.
          block(z.col(start).data(), rows * size, params_, a->col(start).data(),
                dphi ? dphi->col(start).data() : nullptr);
          return;
        }
        for (Eigen::Index b = start; b < start + size; ++b) {
          MaxoutForward(z.col(b).data(), units, k, a->col(b).data(),
                        dphi ? dphi->col(b).data() : nullptr);
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
          MaxoutBackward(dphi.col(b).data(), da.col(b).data(), da.rows(), k, delta->col(b).data());
        }
      },
      kValuePass * static_cast<double>(dphi.size()));
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
