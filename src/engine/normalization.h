// The normalisation table: what may sit between a hidden layer's linear
// output z^l and its activation φ (--norm), forward and backward side by side.
//
//   u = γ ⊙ x̂ + β,   x̂ = (z − μ) / √(σ² + ε),   ε = 1e-5 (PyTorch's default)
//   batch: μ, σ² per row (unit) over the batch's columns (samples), the
//          training-mode statistics of torch.nn.BatchNorm1d;
//   layer: μ, σ² per column (sample) over the rows (units), torch.nn.LayerNorm
//          with an elementwise affine.
// σ² is the population (biased) variance, as PyTorch normalises with. γ and β
// are per row (rows = units·pieces for maxout), 1 and 0 at initialisation.
//
// The backward pass goes exactly through the statistics: with g = γ ⊙ ∂L/∂u,
//   ∂L/∂z = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ² + ε),
// each mean over the same set μ and σ² are taken over (a row's samples for
// batch, a sample's rows for layer); ∂L/∂γ = Σ_b ∂L/∂u ⊙ x̂, ∂L/∂β = Σ_b ∂L/∂u.
// Sums are accumulated in double in a fixed order (no thread dependence).
#pragma once

#include <string>
#include <vector>

#include "base/types.h"

namespace gradflow {

// One per row of the table, in the table's order.
enum class NormKind { kNone, kBatch, kLayer };

constexpr double kNormEpsilon = 1e-5;

struct NormSpec {
  NormKind kind;
  const char* name;
  const char* description;  // for people (--help, README)
};

const std::vector<NormSpec>& NormTable();
std::vector<std::string> NormNames();
// Throws UsageError ("--norm: unknown value ... allowed: none, batch, layer").
NormKind ParseNorm(const std::string& name);
std::string NormName(NormKind kind);

// What the forward pass keeps for the backward pass.
template <typename T>
struct NormCache {
  Mat<T> xhat;     // x̂: (rows, B)
  Vec<T> inv_std;  // 1/√(σ² + ε): (rows) for batch, (B) for layer
};

// u = γ ⊙ x̂ + β from z. z, u: (rows, B); gamma, beta: (rows). kind is not kNone.
template <typename T>
void NormForward(NormKind kind, const Mat<T>& z, const Vec<T>& gamma, const Vec<T>& beta,
                 NormCache<T>* cache, Mat<T>* u);

// ∂L/∂z, ∂L/∂γ and ∂L/∂β from du = ∂L/∂u (rows, B). dz: (rows, B); dgamma, dbeta: (rows).
template <typename T>
void NormBackward(NormKind kind, const NormCache<T>& cache, const Vec<T>& gamma, const Mat<T>& du,
                  Mat<T>* dz, Vec<T>* dgamma, Vec<T>* dbeta);

}  // namespace gradflow
