// RunConfig: everything that defines one gradflow run, with its validation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/activation.h"
#include "engine/init.h"

namespace gradflow {

struct RunConfig {
  // Network
  std::string activation = "sigmoid";
  ActivationParams activation_params;
  std::string init = "xavier_uniform";
  InitParams init_params;
  double gain = 1.0;      // multiplies every weight
  double bias_std = 0.0;  // biases ~ N(0, bias_std²); zero when 0
  int depth = 20;         // hidden layers L
  int width = 256;        // units per hidden layer N
  int input_dim = 0;      // input dimension; 0 means "= width"
  // Data
  int batch = 128;                 // samples B
  std::string input = "gaussian";  // gaussian: N(0,1); uniform: U[-√3,√3]
  double input_scale = 1.0;        // multiplies every input
  std::string loss = "probe";      // probe | mse | cross_entropy
  int output_dim = 10;             // mse head outputs
  int classes = 10;                // cross_entropy head outputs
  DType dtype = DType::kFloat32;
  uint64_t seed = 0;
  // Metrics and verdict
  double saturation_threshold = 0.02;  // τ: saturated when φ'(z) < τ·max φ'
  double vanishing_threshold = 1e-3;   // vanishing_ratio below it: "vanishing"
  double exploding_threshold = 1e3;    // vanishing_ratio above it: "exploding"
  // Execution
  int threads = 0;             // 0 means all cores
  double memory_limit_gb = 0;  // 0 means "available memory"

  int InputDim() const { return input_dim > 0 ? input_dim : width; }
  // Units of the head layer (0 when the loss has none).
  int HeadUnits() const;
  bool HasHead() const { return HeadUnits() > 0; }
};

std::vector<std::string> LossNames();
std::vector<std::string> InputNames();
std::vector<std::string> DTypeNames();
DType ParseDType(const std::string& name);  // throws UsageError naming --dtype

// Throws UsageError naming the option, the value and what is allowed.
void Validate(const RunConfig& config);

Activation MakeActivation(const RunConfig& config);

}  // namespace gradflow
