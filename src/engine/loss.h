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

namespace gradflow {

class SampleCache;

// One per row of the loss table, in the table's order.
enum class LossKind { kProbe, kMse, kCrossEntropy };

struct LossSpec {
  LossKind kind;
  const char* name;
  const char* description;  // for people (`gradflow list --json`)
  // The option that sizes its linear head layer ("--output-dim", "--classes"),
  // or nullptr when the loss reads the last hidden layer directly (probe).
  const char* head_option;
};

// All rows, in the order they are listed to users (= LossKind order).
const std::vector<LossSpec>& LossTable();
const LossSpec& LossSpecOf(LossKind kind);
std::vector<std::string> LossNames();
// Throws UsageError ("--loss: unknown value ... did you mean ... allowed") if unknown.
LossKind ParseLoss(const std::string& name);
std::string LossName(LossKind kind);

struct LossTargets {
  MatD probe;               // probe: r, (K, B)
  MatD targets;             // mse: t, (K, B)
  std::vector<int> labels;  // cross_entropy: c_b in [0, K), B of them
};

// Draws what `kind` needs for `units` outputs and `batch` samples: the probe
// from stream (seed, kProbe), targets and labels from (seed, kTargets). With
// a cache, a probe or targets drawn before are taken from it.
LossTargets SampleLossTargets(LossKind kind, int units, int batch, uint64_t seed,
                              SampleCache* cache = nullptr);

// Loss value, accumulated in double. out: (K, B)
template <typename T>
double LossValue(LossKind kind, const Mat<T>& out, const LossTargets& targets);
// ∂Loss/∂out, computed in double and rounded to T. (K, B)
template <typename T>
Mat<T> LossGradient(LossKind kind, const Mat<T>& out, const LossTargets& targets);

}  // namespace gradflow
