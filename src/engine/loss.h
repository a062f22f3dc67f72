// Losses on the network's output and the random targets they use.
//
//   probe:          Loss = (1/B) Σ_b r_bᵀ a_b,  r_b ~ N(0, I) per sample
//                   (the random projection whose gradients match mean-field theory)
//   mse:            Loss = (1/(B·K)) Σ_{k,b} (y_kb − t_kb)²,  t ~ N(0, 1)  (torch MSELoss)
//   cross_entropy:  Loss = (1/B) Σ_b [log Σ_k e^{y_kb} − y_{c_b} b],  c_b uniform
//                   (torch CrossEntropyLoss)
// Output matrices are (K, B): one column per sample.
#pragma once

#include <string>
#include <vector>

#include "base/types.h"
#include "engine/config.h"

namespace gradflow {

enum class LossKind { kProbe, kMse, kCrossEntropy };

LossKind ParseLoss(const std::string& name);  // throws UsageError naming --loss

struct LossTargets {
  MatD probe;               // probe: r, (K, B)
  MatD targets;             // mse: t, (K, B)
  std::vector<int> labels;  // cross_entropy: c_b in [0, K), B of them
};

// Draws what `kind` needs for `units` outputs and `batch` samples: the probe
// from stream (seed, kProbe), targets and labels from (seed, kTargets).
LossTargets SampleLossTargets(LossKind kind, int units, int batch, uint64_t seed);

// Loss value, accumulated in double. out: (K, B)
template <typename T>
double LossValue(LossKind kind, const Mat<T>& out, const LossTargets& targets);
// ∂Loss/∂out, computed in double and rounded to T. (K, B)
template <typename T>
Mat<T> LossGradient(LossKind kind, const Mat<T>& out, const LossTargets& targets);

}  // namespace gradflow
