// Optimisers for `gradflow train`: plain/momentum SGD and Adam, as in PyTorch.
//
//   sgd:   v ← μ·v + g;            Δ = −lr·v             (μ = --momentum; v starts at 0, so
//                                                          the first step is −lr·g)
//   adam:  m ← β1·m + (1−β1)·g;    v ← β2·v + (1−β2)·g²
//          m̂ = m/(1−β1^t);         v̂ = v/(1−β2^t);       Δ = −lr·m̂/(√v̂ + ε)
//
// Each parameter tensor (a layer's W or b) has a "slot" holding its state;
// the state has the parameter's scalar type T, as in PyTorch. Every element is
// updated on its own (arithmetic in double, rounded to T), so updates do not
// depend on the thread count. Adam rescales every parameter by its own
// gradient history, which is why it partly hides vanishing gradients: a layer
// whose gradients are 1e-6 still moves by about lr per step.
#pragma once

#include <string>
#include <vector>

#include "base/types.h"

namespace gradflow {

struct OptimizerConfig {
  std::string name = "sgd";  // sgd | adam
  double lr = 0.05;          // learning rate
  double momentum = 0.0;     // sgd: μ in [0, 1)
  double beta1 = 0.9;        // adam: first-moment decay in [0, 1)
  double beta2 = 0.999;      // adam: second-moment decay in [0, 1)
  double eps = 1e-8;         // adam: ε > 0 added to √v̂
};

std::vector<std::string> OptimizerNames();
// The learning rate used when --lr is not given: 0.05 for sgd, 0.001 for adam.
double DefaultLearningRate(const std::string& optimizer);
// Throws UsageError naming the option, the value and what is allowed.
void ValidateOptimizer(const OptimizerConfig& config);

template <typename T>
class Optimizer {
 public:
  explicit Optimizer(const OptimizerConfig& config);

  // Starts the next step: t ← t + 1 (Adam's bias correction uses t).
  void BeginStep() { ++step_; }
  int64_t step() const { return step_; }

  // value ← value + Δ for one parameter tensor, Δ computed from its gradient
  // and the state of `slot`; writes Δ to *delta. grad, value: same shape.
  void Update(int slot, const Mat<T>& grad, Mat<T>* value, Mat<T>* delta);
  void Update(int slot, const Vec<T>& grad, Vec<T>* value, Vec<T>* delta);

 private:
  // The update on n contiguous elements.
  void UpdateRaw(int slot, const T* grad, T* value, T* delta, Eigen::Index n);

  OptimizerConfig config_;
  bool is_adam_;
  int64_t step_ = 0;
  std::vector<Vec<T>> first_;   // per slot: sgd velocity v, or adam m
  std::vector<Vec<T>> second_;  // per slot: adam v (unused for sgd)
};

}  // namespace gradflow
