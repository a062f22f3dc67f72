#include "train/train_report.h"

#include <cmath>

#include "experiment/run_report.h"
#include "fmt/format.h"

namespace gradflow {
namespace {

bool IsClassification(const TrainConfig& c) { return ParseTask(c.task) == TaskKind::kTeacher; }

std::string Percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

// "−46.4%" style relative change from `before` to `after`.
std::string RelativeChange(double before, double after) {
  if (!(before != 0) || !std::isfinite(before) || !std::isfinite(after)) return "n/a";
  return fmt::format("{:+.1f}%", 100.0 * (after - before) / std::fabs(before));
}

}  // namespace

std::string FormatTrainHeader(const TrainConfig& c) {
  const RunConfig& r = c.run;
  const std::string param = MakeActivation(r).ParamString();
  const bool classes = IsClassification(c);
  const std::string task =
      classes ? fmt::format("teacher, {} classes (chance {})", r.classes, Percent(1.0 / r.classes))
              : fmt::format("regression, {} outputs", r.output_dim);
  const std::string optimizer =
      c.optimizer.name == "adam"
          ? fmt::format("adam lr {:g} beta1 {:g} beta2 {:g} eps {:g}", c.optimizer.lr,
                        c.optimizer.beta1, c.optimizer.beta2, c.optimizer.eps)
          : fmt::format("sgd lr {:g} momentum {:g}", c.optimizer.lr, c.optimizer.momentum);
  const int64_t steps = TotalSteps(c);
  std::string text = fmt::format(
      "gradflow train: {}{}, init {}, depth {}, width {}{}; task {}; {}; batch {}, {} steps "
      "({:.3g} epochs of {} samples), test {} samples; {}, seed {}\n",
      ActivationName(r.activation), param.empty() ? "" : "(" + param + ")", InitName(r.init),
      r.depth, r.width, ArchitectureText(r), task, optimizer, r.batch, steps,
      static_cast<double>(steps) / StepsPerEpoch(c), c.train_size, c.test_size, DTypeName(r.dtype),
      r.seed);
  text += fmt::format("{:>7} {:>11} {:>11} {:>9} {:>10} {:>11} {:>11}\n", "step", "train_loss",
                      "test_loss", classes ? "test_acc" : "", "vanishing", "wchange[1]",
                      fmt::format("wchange[{}]", r.depth));
  return text;
}

std::string FormatTrainProgress(const TrainConfig& c, const TrainRow& row) {
  return fmt::format("{:>7} {:>11.5g} {:>11.5g} {:>9} {:>10.2e} {:>11.2e} {:>11.2e}\n", row.step,
                     row.train_loss, row.test_loss,
                     IsClassification(c) ? Percent(row.test_accuracy) : "",
                     row.eval.summary.vanishing_ratio, row.weight_change.front(),
                     row.weight_change[c.run.depth - 1]);
}

std::string FormatTrainSummary(const TrainResult& result) {
  const TrainConfig& c = result.config;
  const int depth = c.run.depth;
  std::string text;
  if (result.rows.empty()) return text;
  const TrainRow& first = result.rows.front();
  const TrainRow& last = result.rows.back();
  text += fmt::format("\nper layer at step {} (metrics on the evaluation batch):\n", last.step);
  text += fmt::format("{:>5} {:>6} {:>14} {:>13} {:>16} {:>16}\n", "layer", "kind", "weight_change",
                      "update_ratio", "delta_norm@0", fmt::format("delta_norm@{}", last.step));
  for (size_t l = 0; l < last.eval.layers.size(); ++l) {
    const LayerMetrics& m = last.eval.layers[l];
    text += fmt::format("{:>5} {:>6} {:>14.3e} {:>13} {:>16.3e} {:>16.3e}\n", m.layer, m.kind,
                        last.weight_change[l],
                        last.step == 0 ? "-" : fmt::format("{:.3e}", last.update_ratio[l]),
                        first.eval.layers[l].delta_norm, m.delta_norm);
  }
  // Who learned: the first layer against the last hidden layer.
  const double w_first = last.weight_change.front();
  const double w_last = last.weight_change[depth - 1];
  text += fmt::format(
      "\nlearning: after {} steps layer 1 moved {:.3g} of its initial norm, layer {} (last "
      "hidden) {:.3g}",
      result.steps_done, w_first, depth, w_last);
  if (depth > 1 && w_first > 0 && w_last > 0 && std::isfinite(w_first) && std::isfinite(w_last)) {
    const double ratio = w_last / w_first;
    text += ratio >= 1 ? fmt::format(": the first layer learned {:.3g}x less", ratio)
                       : fmt::format(": the first layer learned {:.3g}x more", 1.0 / ratio);
  }
  text += "\n";
  text +=
      fmt::format("loss: train {:.5g} -> {:.5g} ({}), test {:.5g} -> {:.5g} ({})", first.train_loss,
                  last.train_loss, RelativeChange(first.train_loss, last.train_loss),
                  first.test_loss, last.test_loss, RelativeChange(first.test_loss, last.test_loss));
  if (IsClassification(c)) {
    text += fmt::format("; test accuracy {} -> {} (chance {})", Percent(first.test_accuracy),
                        Percent(last.test_accuracy), Percent(1.0 / c.run.classes));
  }
  text += "\n";
  text += fmt::format(
      "gradients: vanishing_ratio delta[1]/delta[{}] {:.3g} at step 0, {:.3g} at "
      "step {}\n",
      depth, first.eval.summary.vanishing_ratio, last.eval.summary.vanishing_ratio, last.step);
  if (result.diverged) {
    text += fmt::format("STOPPED after {} of {} steps: {}\n", result.steps_done, TotalSteps(c),
                        result.stop_reason);
  }
  text += fmt::format("time: {:.2f} s\n", result.seconds);
  return text;
}

}  // namespace gradflow
