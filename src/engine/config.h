// RunConfig: everything that defines one gradflow run, with its validation.
//
// Choices are kinds (rows of their tables), parsed once where text comes in
// (command line, config files, model metadata, sweep grids); their names are
// used only for CSV cells, messages and metadata: ActivationName(c.activation).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/activation.h"
#include "engine/init.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "engine/normalization.h"

namespace gradflow {

struct RunConfig {
  // Network
  ActivationKind activation = ActivationKind::kSigmoid;
  ActivationParams activation_params;
  InitKind init = InitKind::kXavierUniform;
  InitParams init_params;
  double gain = 1.0;      // multiplies every weight
  double bias_std = 0.0;  // biases ~ N(0, bias_std²); zero when 0
  int depth = 20;         // hidden layers L
  int width = 256;        // units per hidden layer N
  int input_dim = 0;      // input dimension; 0 means "= width"
  // Per hidden layer when they differ (--widths); then depth is its length and
  // width its largest entry. Empty: every hidden layer has `width` units.
  std::vector<int> widths;
  NormKind norm = NormKind::kNone;  // normalisation of z^l before φ, hidden layers
  bool residual = false;            // a^l = a^{l-1} + s·φ(...) for hidden layers l >= 2
  double residual_scale = 1.0;      // s
  // Data
  int batch = 128;                         // samples B
  InputKind input = InputKind::kGaussian;  // gaussian: N(0,1); uniform: U[-√3,√3]
  double input_scale = 1.0;                // multiplies every input
  LossKind loss = LossKind::kProbe;        // probe | mse | cross_entropy
  int output_dim = 10;                     // mse head outputs
  int classes = 10;                        // cross_entropy head outputs
  DType dtype = DType::kFloat32;
  uint64_t seed = 0;
  // Metrics and verdict
  double saturation_threshold = 0.02;  // τ: saturated when |φ'(z)| < τ·max|φ'|
  double vanishing_threshold = 1e-3;   // vanishing_ratio below it: "vanishing"
  double exploding_threshold = 1e3;    // vanishing_ratio above it: "exploding"
  // Execution
  int threads = 0;             // 0 means all cores
  double memory_limit_gb = 0;  // 0 means "available memory"

  int InputDim() const { return input_dim > 0 ? input_dim : width; }
  // Units of hidden layer l = 1..depth.
  int HiddenWidth(int l) const { return widths.empty() ? width : widths[l - 1]; }
  // Units the probe loss reads: the last hidden layer's.
  int LastHiddenWidth() const { return HiddenWidth(depth); }
  // No norm, no residual, equal widths: the network the mean-field theory describes.
  bool IsPlainMlp() const { return norm == NormKind::kNone && !residual && widths.empty(); }
  // Units of the head layer (0 when the loss has none).
  int HeadUnits() const;
  bool HasHead() const { return HeadUnits() > 0; }
};

std::vector<std::string> DTypeNames();
DType ParseDType(const std::string& name);  // throws UsageError naming --dtype

// "512,256,128" or "512x256x128" (as CSV cells and sweep grids write it);
// UsageError naming `option` unless every entry is an integer >= 1.
std::vector<int> ParseWidths(const std::string& text, const char* option = "--widths");
// "512x256x128"; "" for equal widths (the CSV cell and grid value).
std::string WidthsText(const RunConfig& config);
// Sets widths, depth (their count) and width (the largest); equal widths are
// stored as depth × width, so the two ways of writing a network agree.
void SetWidths(const std::vector<int>& widths, RunConfig* config);

// Throws UsageError naming the option, the value and what is allowed. The
// kinds are valid by construction; kFromFile (a loaded model) is fine here.
void Validate(const RunConfig& config);

Activation MakeActivation(const RunConfig& config);

}  // namespace gradflow
