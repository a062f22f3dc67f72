// A TrainResult built by hand (no training), so report and CSV tests can expect exact text.
#pragma once

#include "train/train.h"

namespace gradflow::testing_util {

// relu/he_normal, depth 2, width 8, 4 classes, batch 16, 10 sgd steps on 64 training
// samples: logged steps 0 and 10, each with 2 hidden layers and the head.
inline TrainResult HandMadeTrainResult() {
  TrainResult r;
  TrainConfig& c = r.config;
  c.run.activation = ParseActivation("relu");
  c.run.init = ParseInit("he_normal");
  c.run.depth = 2;
  c.run.width = 8;
  c.run.batch = 16;
  c.run.classes = 4;
  c.run.loss = ParseLoss("cross_entropy");
  c.train_size = 64;
  c.test_size = 32;
  c.steps = 10;
  c.optimizer.lr = 0.1;
  const double train_loss[] = {1.4, 0.7}, test_loss[] = {1.5, 1.2}, accuracy[] = {0.25, 0.5};
  const double vanishing[] = {0.5, 0.25};
  for (int i = 0; i < 2; ++i) {
    TrainRow row;
    row.step = i * 10;
    row.eval.config = c.run;
    for (int l = 1; l <= 3; ++l) {
      LayerMetrics m;
      m.layer = l;
      m.kind = l == 3 ? "head" : "hidden";
      m.delta_norm = 0.5 * l;
      row.eval.layers.push_back(m);
    }
    row.eval.summary.vanishing_ratio = vanishing[i];
    row.eval.summary.verdict = "healthy";
    row.weight_change =
        i == 0 ? std::vector<double>{0, 0, 0} : std::vector<double>{1e-4, 1e-2, 5e-3};
    row.update_ratio = i == 0 ? std::vector<double>{} : std::vector<double>{1e-5, 1e-3, 2e-3};
    row.train_loss = train_loss[i];
    row.test_loss = test_loss[i];
    row.train_accuracy = accuracy[i];
    row.test_accuracy = accuracy[i];
    r.rows.push_back(row);
  }
  r.steps_done = 10;
  return r;
}

// A small teacher-task training config: relu/he_normal, depth 3, width 32, 4 classes,
// batch 64, one thread, 300 sgd steps at lr 0.1 (tests change what they need).
inline TrainConfig SmallTrain() {
  TrainConfig t;
  t.run.activation = ParseActivation("relu");
  t.run.init = ParseInit("he_normal");
  t.run.depth = 3;
  t.run.width = 32;
  t.run.input_dim = 32;
  t.run.classes = 4;
  t.run.batch = 64;
  t.run.threads = 1;
  t.train_size = 2048;
  t.test_size = 512;
  t.optimizer.lr = 0.1;
  t.steps = 300;
  return t;
}

}  // namespace gradflow::testing_util
