#include "engine/optimizer.h"

#include <cmath>

#include "base/error.h"
#include "base/suggest.h"
#include "fmt/format.h"

namespace gradflow {

std::vector<std::string> OptimizerNames() { return {"sgd", "adam"}; }

double DefaultLearningRate(const std::string& optimizer) {
  return optimizer == "adam" ? 1e-3 : 5e-2;
}

namespace {

void RequireUnitInterval(const char* option, double value) {
  if (!(value >= 0 && value < 1)) {
    throw UsageError(fmt::format("{} must be in [0, 1), got {}", option, value));
  }
}

}  // namespace

void ValidateOptimizer(const OptimizerConfig& c) {
  RequireOneOf("--optimizer", c.name, OptimizerNames());
  if (!(c.lr > 0 && std::isfinite(c.lr))) {
    throw UsageError(fmt::format("--lr must be a finite number > 0, got {}", c.lr));
  }
  RequireUnitInterval("--momentum", c.momentum);
  RequireUnitInterval("--beta1", c.beta1);
  RequireUnitInterval("--beta2", c.beta2);
  if (!(c.eps > 0 && std::isfinite(c.eps))) {
    throw UsageError(fmt::format("--eps must be a finite number > 0, got {}", c.eps));
  }
}

template <typename T>
Optimizer<T>::Optimizer(const OptimizerConfig& config)
    : config_(config), is_adam_(config.name == "adam") {
  ValidateOptimizer(config);
}

template <typename T>
void Optimizer<T>::Update(int slot, const Mat<T>& grad, Mat<T>* value, Mat<T>* delta) {
  delta->resize(grad.rows(), grad.cols());
  UpdateRaw(slot, grad.data(), value->data(), delta->data(), grad.size());
}

template <typename T>
void Optimizer<T>::Update(int slot, const Vec<T>& grad, Vec<T>* value, Vec<T>* delta) {
  delta->resize(grad.size());
  UpdateRaw(slot, grad.data(), value->data(), delta->data(), grad.size());
}

template <typename T>
void Optimizer<T>::UpdateRaw(int slot, const T* grad, T* value, T* delta, Eigen::Index n) {
  if (static_cast<int>(first_.size()) <= slot) {
    first_.resize(slot + 1);
    second_.resize(slot + 1);
  }
  Vec<T>& first = first_[slot];
  if (first.size() != n) first = Vec<T>::Zero(n);
  const double lr = config_.lr;
  if (!is_adam_) {
    const double mu = config_.momentum;
    for (Eigen::Index i = 0; i < n; ++i) {
      // v ← μ·v + g;  Δ = −lr·v
      const double v = mu * static_cast<double>(first[i]) + static_cast<double>(grad[i]);
      first[i] = static_cast<T>(v);
      delta[i] = static_cast<T>(-lr * v);
      value[i] += delta[i];
    }
    return;
  }
  Vec<T>& second = second_[slot];
  if (second.size() != n) second = Vec<T>::Zero(n);
  const double b1 = config_.beta1, b2 = config_.beta2, eps = config_.eps;
  const double t = static_cast<double>(step_ < 1 ? 1 : step_);
  // Bias corrections 1 − β^t, from the current step t ≥ 1.
  const double correction1 = 1.0 - std::pow(b1, t);
  const double correction2 = 1.0 - std::pow(b2, t);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double g = static_cast<double>(grad[i]);
    // m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
    const double m = b1 * static_cast<double>(first[i]) + (1.0 - b1) * g;
    const double v = b2 * static_cast<double>(second[i]) + (1.0 - b2) * g * g;
    first[i] = static_cast<T>(m);
    second[i] = static_cast<T>(v);
    // Δ = −lr·m̂/(√v̂ + ε)
    delta[i] = static_cast<T>(-lr * (m / correction1) / (std::sqrt(v / correction2) + eps));
    value[i] += delta[i];
  }
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace gradflow
