// `gradflow train`: trains the student network on the teacher task and logs,
// at chosen steps, the same per-layer metrics as `gradflow run` plus how much
// each layer has actually learned.
//
// Step t is the network after t optimiser updates; step 0 is the untrained
// network. At a logged step t:
//   - per-layer metrics come from MeasureNetwork on the FIXED evaluation batch:
//     the first --batch samples of the training set, in generated order (so
//     steps are comparable; the same size as a mini-batch, so norms are too);
//   - update_ratio^l  = ‖ΔW^l_t‖_F / ‖W^l_{t−1}‖_F, ΔW^l_t the optimiser's
//     update at step t (CS231n's healthy value: about 1e-3); none at step 0;
//   - weight_change^l = ‖W^l_t − W^l_0‖_F / ‖W^l_0‖_F, how far the layer has
//     moved since initialisation (weights only, not biases; in float32 an
//     update below W's rounding step is lost and does not count);
//   - train loss/accuracy over the whole training set, test loss/accuracy over
//     the whole test set (forward passes in chunks of 1024 samples).
// Mini-batches: each epoch e (from 0) shuffles the training set with a
// Fisher–Yates permutation from stream (seed, kBatches, e) and cuts it into
// floor(train_size / batch) batches; the remainder is left out of that epoch.
// Training stops early when a mini-batch loss or a logged loss is NaN/Inf; the
// rows up to the last finite step are kept and the stop reason says where the
// NaN/Inf started.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/loss.h"
#include "engine/network.h"
#include "engine/optimizer.h"
#include "engine/teacher_task.h"
#include "experiment/histogram.h"
#include "experiment/run.h"

namespace gradflow {

struct TrainConfig {
  RunConfig run;                 // network, inputs, dtype, seed, threads; run.batch = mini-batch
  std::string task = "teacher";  // teacher (cross_entropy) | regression (mse)
  int train_size = 8192;         // training samples
  int test_size = 2048;          // test samples
  OptimizerConfig optimizer;
  int64_t steps = 500;            // updates, used when epochs == 0
  int64_t epochs = 0;             // > 0: steps = epochs · floor(train_size / batch)
  int64_t log_every = 0;          // > 0: log steps 0, K, 2K, ..., last
  std::string log_steps = "log";  // when log_every == 0: "log" or a list "0,10,100"
  int histogram_bins = 0;         // > 0: per-layer histograms at every logged step
};

// Throws UsageError naming the option, the value and what is allowed
// (the network options too, through Validate(RunConfig)).
void Validate(const TrainConfig& config);
// config with run.loss set to the task's loss (cross_entropy or mse).
TrainConfig WithTaskLoss(TrainConfig config);

int64_t StepsPerEpoch(const TrainConfig& config);  // floor(train_size / batch)
// epochs * StepsPerEpoch, or steps; saturates at INT64_MAX instead of wrapping.
int64_t TotalSteps(const TrainConfig& config);
// Validate refuses more updates than this (10^12: weeks even at a microsecond
// each), so no step count or product of counts comes near overflow.
constexpr int64_t kMaxTrainSteps = 1'000'000'000'000;
// 0, then the Fibonacci numbers 1, 2, 3, 5, 8, 13, ... below `last` (ratio →
// 1.618, so log-spaced), then `last`.
std::vector<int64_t> LogSpacedSteps(int64_t last);
// The logged steps, sorted, unique, always with 0 and the last step.
std::vector<int64_t> LogSchedule(const TrainConfig& config);

// The random permutation of 0..n-1 for epoch `epoch` (Fisher–Yates).
std::vector<int> EpochPermutation(int n, uint64_t seed, int64_t epoch);

// One logged step.
struct TrainRow {
  int64_t step = 0;
  RunResult eval;                          // metrics on the fixed evaluation batch
  std::vector<double> update_ratio;        // per layer; meaningless when step == 0
  std::vector<double> weight_change;       // per layer
  double train_loss = 0;                   // mean loss over the training set
  double train_accuracy = 0;               // classification only
  double test_loss = 0;                    // mean loss over the test set
  double test_accuracy = 0;                // classification only
  std::vector<LayerHistogram> histograms;  // on the evaluation batch, when asked for
};

struct TrainResult {
  TrainConfig config;
  std::vector<TrainRow> rows;  // one per logged step
  int64_t steps_done = 0;      // updates applied (the last finite step)
  bool diverged = false;       // stopped on NaN/Inf
  std::string stop_reason;     // why it stopped early ("" when it finished)
  double seconds = 0;          // wall time (the report only; never in CSV)
};

// Validates, checks the memory estimate, sets the thread count, trains.
// on_row (may be empty) is called after each logged step, for progress.
TrainResult Train(TrainConfig config,
                  const std::function<void(const TrainResult&, const TrainRow&)>& on_row = {});

// One optimiser step on a mini-batch: forward, loss, then backward with each
// layer's W and b updated inside the gradient visitor (safe: Backward takes
// ∂Loss/∂a^{l-1} from W^l before visiting layer l). Returns the mini-batch
// loss before the update; when it is NaN/Inf nothing is updated. Fills
// update_ratio[l-1] = ‖ΔW^l‖/‖W^l before the update‖. x: (input_dim, B).
template <typename T>
double TrainStep(LossKind kind, const Mat<T>& x, const LossTargets& truth, Network<T>* network,
                 Optimizer<T>* optimizer, ForwardCache<T>* cache,
                 std::vector<double>* update_ratio);

// Bytes training holds at its peak (network, W_0, optimiser state, data,
// evaluation forward caches).
double EstimateTrainBytes(const TrainConfig& config);

}  // namespace gradflow
