#include "train/train_columns.h"

#include "fmt/format.h"

namespace gradflow {
namespace {

std::string Num(double v) { return FormatNumber(v); }
std::string Int(int64_t v) { return fmt::format("{}", v); }
bool IsAdam(const TrainConfig& c) { return c.optimizer.name == "adam"; }
bool IsClassification(const TrainRow& r) { return r.eval.config.loss == LossKind::kCrossEntropy; }

const std::vector<Column<TrainConfig>> kTrainConfigColumns = {
    {"task", "teacher (classification, cross_entropy) or regression (mse)",
     [](const TrainConfig& c) { return c.task; }},
    {"train_size", "training samples", [](const TrainConfig& c) { return Int(c.train_size); }},
    {"test_size", "test samples", [](const TrainConfig& c) { return Int(c.test_size); }},
    {"optimizer", "sgd or adam", [](const TrainConfig& c) { return c.optimizer.name; }},
    {"lr", "learning rate", [](const TrainConfig& c) { return Num(c.optimizer.lr); }},
    {"momentum", "sgd momentum (empty for adam)",
     [](const TrainConfig& c) { return IsAdam(c) ? "" : Num(c.optimizer.momentum); }},
    {"beta1", "adam beta1 (empty for sgd)",
     [](const TrainConfig& c) { return IsAdam(c) ? Num(c.optimizer.beta1) : ""; }},
    {"beta2", "adam beta2 (empty for sgd)",
     [](const TrainConfig& c) { return IsAdam(c) ? Num(c.optimizer.beta2) : ""; }},
    {"eps", "adam epsilon (empty for sgd)",
     [](const TrainConfig& c) { return IsAdam(c) ? Num(c.optimizer.eps) : ""; }},
    {"total_steps", "updates requested (--steps, or --epochs x floor(train_size/batch))",
     [](const TrainConfig& c) { return Int(TotalSteps(c)); }},
};

const std::vector<Column<TrainRow>> kCurveColumns = {
    {"train_loss", "mean loss over the whole training set",
     [](const TrainRow& r) { return Num(r.train_loss); }},
    {"train_accuracy", "fraction of training samples classified right (empty for regression)",
     [](const TrainRow& r) { return IsClassification(r) ? Num(r.train_accuracy) : ""; }},
    {"test_loss", "mean loss over the whole test set",
     [](const TrainRow& r) { return Num(r.test_loss); }},
    {"test_accuracy", "fraction of test samples classified right (empty for regression)",
     [](const TrainRow& r) { return IsClassification(r) ? Num(r.test_accuracy) : ""; }},
    {"eval_loss", "loss on the fixed evaluation batch (the first --batch training samples)",
     [](const TrainRow& r) { return Num(r.eval.summary.loss); }},
    {"vanishing_ratio", "delta_norm[1] / delta_norm[L] on the evaluation batch",
     [](const TrainRow& r) { return Num(r.eval.summary.vanishing_ratio); }},
    {"grad_w_vanishing_ratio", "grad_w_norm[1] / grad_w_norm[L] on the evaluation batch",
     [](const TrainRow& r) { return Num(r.eval.summary.grad_w_vanishing_ratio); }},
    {"mean_saturation", "mean saturation_frac over hidden layers",
     [](const TrainRow& r) { return Num(r.eval.summary.mean_saturation); }},
    {"first_weight_change", "weight_change of layer 1",
     [](const TrainRow& r) { return Num(r.weight_change.front()); }},
    {"last_weight_change", "weight_change of layer L, the last hidden layer",
     [](const TrainRow& r) { return Num(r.weight_change[r.eval.config.depth - 1]); }},
    {"nonfinite", "NaN/Inf count over all layers on the evaluation batch",
     [](const TrainRow& r) { return Int(r.eval.summary.nonfinite); }},
};

const std::vector<Column<TrainLayerRow>> kTrainLayerColumns = {
    {"update_ratio",
     "||dW_t||_F / ||W_{t-1}||_F, dW_t the optimiser's update at this step (empty at step 0; "
     "~1e-3 is healthy)",
     [](const TrainLayerRow& r) {
       return r.row->step == 0 ? std::string() : Num(r.row->update_ratio[r.layer]);
     }},
    {"weight_change",
     "||W_t - W_0||_F / ||W_0||_F, how far the layer's weights moved since step 0 (updates "
     "smaller than float32 rounding do not count)",
     [](const TrainLayerRow& r) { return Num(r.row->weight_change[r.layer]); }},
};

// The first column of both CSVs; not listed by `gradflow list --columns`,
// whose text names it.
const std::vector<Column<TrainRow>> kStepColumns = {
    {"step", "optimiser updates done; 0 = the network at initialisation",
     [](const TrainRow& r) { return Int(r.step); }},
};

}  // namespace

const std::vector<Column<TrainConfig>>& TrainConfigColumns() { return kTrainConfigColumns; }
const std::vector<Column<TrainRow>>& CurveColumns() { return kCurveColumns; }
const std::vector<Column<TrainLayerRow>>& TrainLayerColumns() { return kTrainLayerColumns; }

std::string TrainLayerCsvHeader() {
  return CsvLine()
      .AddNames(kStepColumns)
      .AddNames(ConfigColumns())
      .AddNames(LayerColumns())
      .AddNames(kTrainLayerColumns)
      .AddNames(kTrainConfigColumns)
      .Text();
}

std::string TrainLayerCsvRows(const TrainResult& result) {
  std::string rows;
  for (const TrainRow& row : result.rows) {
    const CsvLine prefix =
        CsvLine().AddValues(kStepColumns, row).AddValues(ConfigColumns(), row.eval.config);
    for (size_t l = 0; l < row.eval.layers.size(); ++l) {
      rows += CsvLine(prefix)
                  .AddValues(LayerColumns(), row.eval.layers[l])
                  .AddValues(kTrainLayerColumns, TrainLayerRow{&row, l})
                  .AddValues(kTrainConfigColumns, result.config)
                  .Text();
    }
  }
  return rows;
}

std::string CurveCsvHeader() {
  return CsvLine()
      .AddNames(kStepColumns)
      .AddNames(kCurveColumns)
      .AddNames(ConfigColumns())
      .AddNames(kTrainConfigColumns)
      .Text();
}

std::string CurveCsvRows(const TrainResult& result) {
  std::string rows;
  for (const TrainRow& row : result.rows) {
    rows += CsvLine()
                .AddValues(kStepColumns, row)
                .AddValues(kCurveColumns, row)
                .AddValues(ConfigColumns(), row.eval.config)
                .AddValues(kTrainConfigColumns, result.config)
                .Text();
  }
  return rows;
}

}  // namespace gradflow
