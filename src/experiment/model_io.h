// A gradflow model (network, input batch, loss targets, configuration) as
// safetensors tensors, for `gradflow run --save-model/--load-model` and for
// diagnosing networks exported from PyTorch.
//
// Tensors, row-major, in PyTorch's layout:
//   layers.{l}.weight  (fan_out, fan_in)   nn.Linear.weight; l = 1..L as the CSV's `layer`
//                                          column (1 next to the input; the head is last)
//   layers.{l}.bias    (fan_out)           nn.Linear.bias (write zeros for bias=False)
//   x                  (B, input_dim)      the batch, one row per sample
//   probe              (B, K)  F64         probe loss: r_b, one row per sample
//   targets            (B, K)  F64         mse targets
//   labels             (B)     I64         cross_entropy classes in [0, K)
// Weights and x are F32 or F64 as --dtype; probe and targets are F64 because
// gradflow draws and uses them in double for both dtypes. Our Mat is
// column-major (fan_out, fan_in), so weights are transposed on the way in and
// out; x's (input_dim, B) column-major storage is already (B, input_dim) row-major.
// Maxout layers have units·k rows, rows u·k .. u·k+k-1 forming unit u.
//
// __metadata__ (strings): format = "gradflow-mlp", format_version = "1",
// gradflow_version, and every RunConfig field under its option name without
// dashes ("activation", "leaky_slope", "depth", "loss", "dtype", "seed", ...).
#pragma once

#include <set>
#include <string>

#include "engine/config.h"
#include "engine/loss.h"
#include "engine/network.h"
#include "experiment/histogram.h"
#include "experiment/run.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace gradflow {

template <typename T>
struct Model {
  RunConfig config;
  Network<T> network;
  Mat<T> x;  // (input_dim, B)
  LossTargets targets;
};

// The model `gradflow run` measures for `config`, drawn from its seed exactly
// as RunExperiment draws it.
template <typename T>
Model<T> GenerateModel(const RunConfig& config);

// Tensors and metadata of `model` (layout above).
template <typename T>
SafetensorsFile ModelToSafetensors(const Model<T>& model);

// Options the user gave explicitly (command line or --config file), by long
// name: "--depth", "--activation", ...
using GivenOptions = std::set<std::string>;

// The configuration of a run on a loaded file. From the tensors (authoritative):
// depth, width (the widest hidden layer when widths differ), input_dim, the
// head's output_dim or classes, batch when the file holds x. A given option
// that contradicts them is a UsageError naming the option, its value and the
// file's. From the command line when given, else the metadata, else the
// default: activation and its parameter, loss, dtype (default: the weights'
// dtype), seed, input/input_scale/batch (used only when the file has no x).
// init/gain/bias_std are shown as the metadata says (init "file" when it says
// nothing); giving --init, --init-std, --init-scale, --gain or --bias-std is a
// UsageError because the weights come from the file. Every shape is checked.
RunConfig ResolveLoadedConfig(const SafetensorsFile& file, const RunConfig& command_line,
                              const GivenOptions& given);

// The model in `file` for a config from ResolveLoadedConfig. A missing x or
// loss tensor is drawn from config.seed as a generated run would.
template <typename T>
Model<T> ModelFromSafetensors(const SafetensorsFile& file, const RunConfig& config);

// `gradflow run` with --load-model and/or --save-model (either may be ""):
// validates, resolves the loaded config, checks memory, runs, and stages the
// model it measured for save_path in *outputs (non-null when save_path is
// given), so that the caller commits it with the run's other outputs. Errors
// in the file are UsageErrors starting with "--load-model". With histograms
// non-null, also fills it with the per-layer histograms (histogram_bins bins)
// of the model measured, at step 0.
RunResult RunWithModelFiles(const RunConfig& command_line, const GivenOptions& given,
                            const std::string& load_path, const std::string& save_path,
                            AtomicWriteSet* outputs, int histogram_bins = 0,
                            std::vector<LayerHistogram>* histograms = nullptr);

}  // namespace gradflow
