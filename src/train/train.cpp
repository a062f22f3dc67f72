#include "train/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/format.h"
#include "base/parallel.h"
#include "base/rng.h"
#include "engine/memory_estimate.h"
#include "engine/network.h"
#include "fmt/format.h"

namespace gradflow {

namespace {

constexpr int kEvalChunk = 1024;  // samples per forward pass when evaluating a whole set

// "nan", "inf" or "-inf" for a non-finite loss (any NaN prints as "nan").
std::string LossText(double loss) { return std::isnan(loss) ? "nan" : FormatNumber(loss); }

void RequirePositive(const char* option, int64_t value) {
  if (value < 1) throw UsageError(fmt::format("{} must be >= 1, got {}", option, value));
}

// Parses "log" or a comma-separated list of steps; throws UsageError naming --log-steps.
std::vector<int64_t> ParseLogSteps(const std::string& text, int64_t last) {
  if (text == "log") return LogSpacedSteps(last);
  std::vector<int64_t> steps;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || value < 0) {
      throw UsageError(fmt::format(
          "--log-steps: '{}' is not a step number; use 'log' or a comma-separated list of steps "
          "such as 0,10,100",
          item));
    }
    if (value > last) {
      throw UsageError(fmt::format("--log-steps: step {} is after the last step {}", value, last));
    }
    // Increasing, so a repeated or misordered step is a typo, not a silent merge.
    if (!steps.empty() && value <= steps.back()) {
      throw UsageError(fmt::format(
          "--log-steps: step {} comes after step {}; list each step once, in increasing order",
          value, steps.back()));
    }
    steps.push_back(value);
  }
  if (steps.empty()) throw UsageError("--log-steps: empty; use 'log' or a list such as 0,10,100");
  return steps;
}

}  // namespace

TrainConfig WithTaskLoss(TrainConfig config) {
  config.run.loss = TaskLoss(ParseTask(config.task));
  return config;
}

int64_t StepsPerEpoch(const TrainConfig& c) {
  return c.run.batch > 0 ? c.train_size / c.run.batch : 0;
}

int64_t TotalSteps(const TrainConfig& c) {
  if (c.epochs <= 0) return c.steps;
  int64_t total = 0;
  // Saturates instead of wrapping (4611686018427387904 epochs of 4 steps is
  // 0 in 64 bits); Validate refuses such a count with a message.
  if (__builtin_mul_overflow(c.epochs, StepsPerEpoch(c), &total)) {
    return std::numeric_limits<int64_t>::max();
  }
  return total;
}

std::vector<int64_t> LogSpacedSteps(int64_t last) {
  std::vector<int64_t> steps = {0};
  // Fibonacci: 1, 2, 3, 5, 8, ...
  for (int64_t a = 1, b = 2; a < last; b += a, a = b - a) steps.push_back(a);
  if (last > 0) steps.push_back(last);
  return steps;
}

std::vector<int64_t> LogSchedule(const TrainConfig& c) {
  const int64_t last = TotalSteps(c);
  std::vector<int64_t> steps;
  if (c.log_every > 0) {
    for (int64_t s = 0; s < last; s += c.log_every) steps.push_back(s);
  } else {
    steps = ParseLogSteps(c.log_steps, last);
  }
  steps.push_back(0);
  steps.push_back(last);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

void Validate(const TrainConfig& c) {
  const TaskKind kind = ParseTask(c.task);
  Validate(WithTaskLoss(c).run);
  ValidateOptimizer(c.optimizer);
  RequirePositive("--train-size", c.train_size);
  RequirePositive("--test-size", c.test_size);
  if (c.run.batch > c.train_size) {
    throw UsageError(
        fmt::format("--batch ({}) must be <= --train-size ({})", c.run.batch, c.train_size));
  }
  if (c.epochs < 0) throw UsageError(fmt::format("--epochs must be >= 1, got {}", c.epochs));
  if (c.epochs == 0) RequirePositive("--steps", c.steps);
  if (c.epochs > 0 && StepsPerEpoch(c) > 0 && c.epochs > kMaxTrainSteps / StepsPerEpoch(c)) {
    throw UsageError(fmt::format(
        "--epochs {} with {} steps per epoch (--train-size / --batch) is more than {} steps",
        c.epochs, StepsPerEpoch(c), kMaxTrainSteps));
  }
  if (c.epochs == 0 && c.steps > kMaxTrainSteps) {
    throw UsageError(fmt::format("--steps {} is more than {}", c.steps, kMaxTrainSteps));
  }
  if (c.log_every < 0) {
    throw UsageError(fmt::format("--log-every must be >= 1, got {}", c.log_every));
  }
  if (kind == TaskKind::kRegression && c.run.output_dim < 1) {
    throw UsageError(fmt::format("--output-dim must be >= 1, got {}", c.run.output_dim));
  }
  ParseLogSteps(c.log_every > 0 ? "log" : c.log_steps, TotalSteps(c));
}

std::vector<int> EpochPermutation(int n, uint64_t seed, int64_t epoch) {
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed, Purpose::kBatches, static_cast<uint64_t>(epoch));
  // Fisher–Yates: for i = n−1 .. 1, swap order[i] with order[j], j uniform in [0, i].
  for (int i = n - 1; i > 0; --i) {
    std::swap(order[i], order[rng.UniformInt(static_cast<uint64_t>(i) + 1)]);
  }
  return order;
}

double EstimateTrainBytes(const TrainConfig& config) {
  const TrainConfig c = WithTaskLoss(config);
  RunConfig eval = c.run;
  // The evaluation forward passes hold a cache for kEvalChunk samples.
  eval.batch = std::max(c.run.batch, std::min(kEvalChunk, std::max(c.train_size, c.test_size)));
  const double scalar = c.run.dtype == DType::kFloat32 ? 4.0 : 8.0;
  const double pieces = MakeActivation(c.run).Pieces();
  double params = 0;
  double fan_in = c.run.InputDim();
  const int layers = c.run.depth + 1;
  for (int l = 1; l <= layers; ++l) {
    const bool head = l > c.run.depth;
    const double rows = head ? c.run.HeadUnits() : c.run.HiddenWidth(l) * pieces;
    params += rows * fan_in + rows + (head || c.run.norm == NormKind::kNone ? 0 : 2 * rows);
    fan_in = head ? 0 : c.run.HiddenWidth(l);
  }
  // W_0, the update Δ and up to two optimiser state tensors per parameter.
  const double extra_params = scalar * params * 4;
  // Inputs (double) and regression targets (double) of both sets, plus the
  // mini-batch copies.
  const double samples = static_cast<double>(c.train_size) + c.test_size + c.run.batch;
  const double data = 8.0 * samples * (c.run.InputDim() + c.run.HeadUnits());
  return EstimateRunBytes(eval) + extra_params + data;
}

namespace {

// Mean loss and accuracy of `network` over a whole data set.
template <typename T>
void EvaluateSet(const Network<T>& network, LossKind kind, const Dataset& data, double* loss,
                 double* accuracy) {
  ForwardCache<T> cache;
  double total = 0;
  int64_t correct = 0;
  const int n = data.size();
  for (int start = 0; start < n; start += kEvalChunk) {
    const int count = std::min(kEvalChunk, n - start);
    const Dataset chunk = data.Slice(start, count);
    network.Forward(chunk.x.cast<T>(), &cache);
    const Mat<T>& out = cache.a[network.NumLayers()];  // (K, count)
    total += LossValue(kind, out, chunk.truth) * count;
    if (kind == LossKind::kCrossEntropy) {
      for (int s = 0; s < count; ++s) {
        Eigen::Index best;
        out.col(s).maxCoeff(&best);
        if (best == chunk.truth.labels[s]) ++correct;
      }
    }
  }
  *loss = total / n;
  *accuracy = kind == LossKind::kCrossEntropy ? static_cast<double>(correct) / n
                                              : std::numeric_limits<double>::quiet_NaN();
}

// Where a forward pass of `network` on x first holds NaN/Inf, as a clause
// for the stop message.
template <typename T>
std::string WhereNonfinite(const Network<T>& network, const Mat<T>& x) {
  ForwardCache<T> cache;
  network.Forward(x, &cache);
  for (int l = 1; l <= network.NumLayers(); ++l) {
    // z^l, φ's input (the norm's output u^l; z^l again without a norm) and a^l.
    if (CountNonfinite<T>(cache.z[l]) + CountNonfinite<T>(cache.PhiInput(l)) +
            CountNonfinite<T>(cache.a[l]) >
        0) {
      return fmt::format(
          "; in its forward pass NaN/Inf first appear in layer {} (see the "
          "nonfinite column)",
          l);
    }
  }
  return "; its forward pass is finite, so the loss itself overflowed";
}

}  // namespace

template <typename T>
double TrainStep(LossKind kind, const Mat<T>& x, const LossTargets& truth, Network<T>* network,
                 Optimizer<T>* optimizer, ForwardCache<T>* cache,
                 std::vector<double>* update_ratio) {
  network->Forward(x, cache);
  const Mat<T>& out = cache->a[network->NumLayers()];
  const double loss = LossValue(kind, out, truth);
  if (!std::isfinite(loss)) return loss;
  update_ratio->resize(network->NumLayers());
  Mat<T> dw_step;  // ΔW^l   (rows, fan_in)
  Vec<T> db_step;  // Δb^l, Δγ^l, Δβ^l   (rows)
  optimizer->BeginStep();
  // Slots: W^l, b^l, then γ^l, β^l of every normed layer after all of them.
  const int first_norm_slot = 2 * network->NumLayers();
  network->Backward(*cache, LossGradient(kind, out, truth), [&](int l, const LayerGradient<T>& g) {
    Layer<T>& layer = network->layer(l);
    const double w_norm = ScaledNorm(layer.w);
    optimizer->Update(2 * (l - 1), g.dw, &layer.w, &dw_step);
    optimizer->Update(2 * (l - 1) + 1, g.db, &layer.b, &db_step);
    if (g.dgamma != nullptr) {
      optimizer->Update(first_norm_slot + 2 * (l - 1), *g.dgamma, &layer.gamma, &db_step);
      optimizer->Update(first_norm_slot + 2 * (l - 1) + 1, *g.dbeta, &layer.beta, &db_step);
    }
    // ‖ΔW_t‖ / ‖W_{t−1}‖
    (*update_ratio)[l - 1] = ScaledNorm(dw_step) / w_norm;
  });
  return loss;
}

namespace {

template <typename T>
void TrainTyped(const std::function<void(const TrainResult&, const TrainRow&)>& on_row,
                TrainResult* result) {
  const TrainConfig& tc = result->config;
  const RunConfig& c = tc.run;
  const LossKind loss_kind = c.loss;
  const TaskData data = MakeTaskData(c, ParseTask(tc.task), tc.train_size, tc.test_size);
  Network<T> network = BuildNetwork<T>(c);
  const int num_layers = network.NumLayers();
  std::vector<Mat<T>> initial_w;  // W^l_0
  for (int l = 1; l <= num_layers; ++l) initial_w.push_back(network.layer(l).w);
  Optimizer<T> optimizer(tc.optimizer);

  // The fixed evaluation batch: the first B training samples.
  const Dataset eval = data.train.Slice(0, c.batch);
  const Mat<T> eval_x = eval.x.cast<T>();
  const std::vector<int64_t> schedule = LogSchedule(tc);
  size_t next_log = 0;
  std::vector<double> update_ratio(num_layers, std::numeric_limits<double>::quiet_NaN());

  // Logs step `step`; returns false when a logged loss is NaN/Inf.
  auto log = [&](int64_t step) {
    TrainRow row;
    row.step = step;
    // Histograms, if asked for, from the metrics' own pass.
    std::optional<HistogramObserver> observer;
    if (tc.histogram_bins > 0) observer.emplace(tc.histogram_bins, step);
    row.eval = MeasureNetwork(c, network, eval_x, eval.truth, observer ? &*observer : nullptr);
    if (observer) row.histograms = observer->Take();
    row.update_ratio = update_ratio;
    for (int l = 1; l <= num_layers; ++l) {
      const Mat<T> moved = network.layer(l).w - initial_w[l - 1];
      // ‖W_t − W_0‖ / ‖W_0‖
      row.weight_change.push_back(ScaledNorm(moved) / ScaledNorm(initial_w[l - 1]));
    }
    EvaluateSet(network, loss_kind, data.train, &row.train_loss, &row.train_accuracy);
    EvaluateSet(network, loss_kind, data.test, &row.test_loss, &row.test_accuracy);
    result->rows.push_back(std::move(row));
    const TrainRow& logged = result->rows.back();
    if (on_row) on_row(*result, logged);
    while (next_log < schedule.size() && schedule[next_log] <= step) ++next_log;
    const double losses[] = {logged.eval.summary.loss, logged.train_loss, logged.test_loss};
    const char* names[] = {"evaluation-batch", "training-set", "test-set"};
    for (int i = 0; i < 3; ++i) {
      if (!std::isfinite(losses[i])) {
        result->diverged = true;
        result->stop_reason = fmt::format("the {} loss at step {} is {}{}", names[i], step,
                                          LossText(losses[i]), WhereNonfinite(network, eval_x));
        return false;
      }
    }
    return true;
  };

  if (!log(0)) return;
  const int64_t total_steps = TotalSteps(tc);
  const int64_t per_epoch = StepsPerEpoch(tc);
  std::vector<int> order;
  std::vector<int> indices(c.batch);
  ForwardCache<T> cache;
  for (int64_t step = 1; step <= total_steps; ++step) {
    const int64_t epoch = (step - 1) / per_epoch;
    const int64_t position = (step - 1) % per_epoch;
    if (position == 0) order = EpochPermutation(tc.train_size, c.seed, epoch);
    std::copy(order.begin() + position * c.batch, order.begin() + (position + 1) * c.batch,
              indices.begin());
    const Dataset batch = data.train.Gather(indices);
    const Mat<T> batch_x = batch.x.cast<T>();
    const double loss =
        TrainStep(loss_kind, batch_x, batch.truth, &network, &optimizer, &cache, &update_ratio);
    if (!std::isfinite(loss)) {
      // Keep the state that produced it (its own logged row), then say why.
      if (result->rows.back().step != step - 1) log(step - 1);
      result->diverged = true;
      result->stop_reason = fmt::format("the mini-batch loss of step {} is {}{}", step,
                                        LossText(loss), WhereNonfinite(network, batch_x));
      return;
    }
    result->steps_done = step;
    if (next_log < schedule.size() && schedule[next_log] == step && !log(step)) return;
  }
}

}  // namespace

TrainResult Train(TrainConfig config,
                  const std::function<void(const TrainResult&, const TrainRow&)>& on_row) {
  config = WithTaskLoss(config);
  Validate(config);
  CheckMemoryEstimate(EstimateTrainBytes(config), config.run, "this training run");
  SetThreads(config.run.threads);
  TrainResult result;
  result.config = config;
  const auto start = std::chrono::steady_clock::now();
  if (config.run.dtype == DType::kFloat32) {
    TrainTyped<float>(on_row, &result);
  } else {
    TrainTyped<double>(on_row, &result);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

template double TrainStep<float>(LossKind, const Mat<float>&, const LossTargets&, Network<float>*,
                                 Optimizer<float>*, ForwardCache<float>*, std::vector<double>*);
template double TrainStep<double>(LossKind, const Mat<double>&, const LossTargets&,
                                  Network<double>*, Optimizer<double>*, ForwardCache<double>*,
                                  std::vector<double>*);

}  // namespace gradflow
