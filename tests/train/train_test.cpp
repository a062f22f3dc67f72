// The training loop: one step against finite differences, learning on the
// teacher task, vanishing-gradient learning, determinism, schedules, NaN stop.
#include "train/train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "base/error.h"
#include "base/parallel.h"
#include "fmt/format.h"
#include "train/hand_made_train.h"
#include "train/train_columns.h"
#include "train/train_report.h"

namespace gradflow {
namespace {

// A small float64 net for gradient checks: tanh (smooth), non-zero biases.
RunConfig TinyConfig(const std::string& loss) {
  RunConfig c;
  c.activation = ActivationKind::kTanh;
  c.init = InitKind::kXavierNormal;
  c.depth = 3;
  c.width = 5;
  c.input_dim = 4;
  c.batch = 6;
  c.loss = ParseLoss(loss);
  c.output_dim = 3;
  c.classes = 3;
  c.bias_std = 0.3;
  c.dtype = DType::kFloat64;
  c.seed = 11;
  return c;
}

double LossOf(const Network<double>& net, LossKind kind, const MatD& x, const LossTargets& t) {
  ForwardCache<double> cache;
  net.Forward(x, &cache);
  return LossValue(kind, cache.a[net.NumLayers()], t);
}

// ∂Loss/∂θ by central differences, for every weight and bias of every layer:
// gradients[2(l-1)] has the shape of W^l, gradients[2(l-1)+1] that of b^l (as a column).
std::vector<MatD> FiniteDifferenceGradients(Network<double> net, LossKind kind, const MatD& x,
                                            const LossTargets& t) {
  const double h = 1e-6;
  std::vector<MatD> gradients;
  for (int l = 1; l <= net.NumLayers(); ++l) {
    for (int which = 0; which < 2; ++which) {
      double* values = which == 0 ? net.layer(l).w.data() : net.layer(l).b.data();
      const Eigen::Index rows = which == 0 ? net.layer(l).w.rows() : net.layer(l).b.size();
      const Eigen::Index cols = which == 0 ? net.layer(l).w.cols() : 1;
      MatD g(rows, cols);
      for (Eigen::Index i = 0; i < rows * cols; ++i) {
        const double saved = values[i];
        values[i] = saved + h;
        const double up = LossOf(net, kind, x, t);
        values[i] = saved - h;
        const double down = LossOf(net, kind, x, t);
        values[i] = saved;
        // ∂L/∂θ ≈ (L(θ+h) − L(θ−h)) / 2h
        g.data()[i] = (up - down) / (2 * h);
      }
      gradients.push_back(g);
    }
  }
  return gradients;
}

class TrainStepTest : public ::testing::TestWithParam<std::string> {};

// One SGD step of the training loop (updates inside the backward visitor)
// equals θ − lr·∂L/∂θ with ∂L/∂θ from finite differences of the untouched net.
TEST_P(TrainStepTest, SgdStepIsThetaMinusLrTimesFiniteDifferenceGradient) {
  const RunConfig c = TinyConfig(GetParam());
  const LossKind kind = c.loss;
  Network<double> net = BuildNetwork<double>(c);
  Rng rng(5, Purpose::kInput);
  MatD x(c.InputDim(), c.batch);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Normal();
  const LossTargets truth = SampleLossTargets(kind, c.HeadUnits(), c.batch, 9);
  const std::vector<MatD> fd = FiniteDifferenceGradients(net, kind, x, truth);
  const Network<double> before = net;

  OptimizerConfig sgd;
  sgd.lr = 0.1;
  Optimizer<double> optimizer(sgd);
  ForwardCache<double> cache;
  std::vector<double> update_ratio;
  const double loss = TrainStep(kind, x, truth, &net, &optimizer, &cache, &update_ratio);
  EXPECT_DOUBLE_EQ(loss, LossOf(before, kind, x, truth));

  double worst = 0;
  for (int l = 1; l <= net.NumLayers(); ++l) {
    const MatD expected_w = before.layer(l).w - sgd.lr * fd[2 * (l - 1)];
    const VecD expected_b = before.layer(l).b - sgd.lr * VecD(fd[2 * (l - 1) + 1].col(0));
    worst = std::max(worst, (net.layer(l).w - expected_w).cwiseAbs().maxCoeff());
    worst = std::max(worst, (net.layer(l).b - expected_b).cwiseAbs().maxCoeff());
    // update_ratio = ‖ΔW‖/‖W‖ = lr·‖∂L/∂W‖/‖W‖
    EXPECT_NEAR(update_ratio[l - 1], sgd.lr * fd[2 * (l - 1)].norm() / before.layer(l).w.norm(),
                1e-8)
        << "layer " << l;
  }
  std::cout << "largest |W_new - (W - lr*dL/dW_fd)| = " << worst << "\n";
  EXPECT_LT(worst, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Losses, TrainStepTest, ::testing::Values("mse", "cross_entropy"));

// With a norm, one SGD step also moves γ and β by −lr times their central-
// difference gradients (the weights' step is checked above).
TEST(TrainStepNorm, GammaAndBetaMoveByMinusLrTimesTheirGradient) {
  for (const NormKind norm : {NormKind::kBatch, NormKind::kLayer}) {
    SCOPED_TRACE(NormName(norm));
    RunConfig c = TinyConfig("mse");
    c.norm = norm;
    c.residual = true;
    Network<double> net = BuildNetwork<double>(c);
    Rng rng(5, Purpose::kInput);
    MatD x(c.InputDim(), c.batch);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Normal();
    const LossTargets truth = SampleLossTargets(c.loss, c.HeadUnits(), c.batch, 9);
    const Network<double> before = net;
    OptimizerConfig sgd;
    sgd.lr = 0.1;
    Optimizer<double> optimizer(sgd);
    ForwardCache<double> cache;
    std::vector<double> update_ratio;
    TrainStep(c.loss, x, truth, &net, &optimizer, &cache, &update_ratio);
    const double h = 1e-6;
    Network<double> probe = before;
    for (int l = 1; l <= c.depth; ++l) {
      for (Vec<double> Layer<double>::*field : {&Layer<double>::gamma, &Layer<double>::beta}) {
        Vec<double>& values = probe.layer(l).*field;
        ASSERT_EQ(values.size(), 5);
        for (Eigen::Index i = 0; i < values.size(); ++i) {
          const double saved = values(i);
          values(i) = saved + h;
          const double up = LossOf(probe, c.loss, x, truth);
          values(i) = saved - h;
          const double down = LossOf(probe, c.loss, x, truth);
          values(i) = saved;
          const double expected = saved - sgd.lr * (up - down) / (2 * h);
          EXPECT_NEAR((net.layer(l).*field)(i), expected, 1e-9) << "layer " << l << " row " << i;
        }
      }
      EXPECT_NE(net.layer(l).gamma, before.layer(l).gamma) << "layer " << l;
    }
  }
}

using testing_util::SmallTrain;

TEST(Train, ThreeLayerReluHeBeatsChanceOnTheTeacherTask) {
  const TrainResult r = Train(SmallTrain());
  ASSERT_FALSE(r.diverged) << r.stop_reason;
  const TrainRow& first = r.rows.front();
  const TrainRow& last = r.rows.back();
  EXPECT_EQ(last.step, 300);
  // Chance is 1/4; seeded, this run reaches about 0.76.
  EXPECT_GT(last.test_accuracy, 0.25 + 0.25);
  EXPECT_LT(last.train_loss, 0.5 * first.train_loss);
  EXPECT_LT(last.test_loss, first.test_loss);
}

TEST(Train, DeepSigmoidXavierFirstLayerLearnsAtLeast100TimesLessThanTheLast) {
  TrainConfig t = SmallTrain();
  t.run.activation = ActivationKind::kSigmoid;
  t.run.init = InitKind::kXavierUniform;
  t.run.depth = 20;
  t.run.dtype = DType::kFloat64;  // so layer 1's tiny updates are not rounded away
  t.steps = 200;
  t.log_every = 100;
  const TrainResult r = Train(t);
  ASSERT_FALSE(r.diverged) << r.stop_reason;
  const std::vector<double>& change = r.rows.back().weight_change;
  const double first = change[0], last = change[19];
  std::cout << "weight_change layer 1 = " << first << ", layer 20 = " << last << "\n";
  EXPECT_GT(first, 0);
  EXPECT_GT(last, 0);
  EXPECT_LE(100 * first, last);
  // And the same net with ReLU/He does not show it.
  t.run.activation = ActivationKind::kRelu;
  t.run.init = InitKind::kHeNormal;
  t.optimizer.lr = 0.01;
  const TrainResult relu = Train(t);
  ASSERT_FALSE(relu.diverged) << relu.stop_reason;
  EXPECT_GT(100 * relu.rows.back().weight_change[0], relu.rows.back().weight_change[19]);
}

TEST(Train, FirstUpdateRatioIsLrTimesGradToWeightWhenTheBatchIsTheTrainingSet) {
  TrainConfig t = SmallTrain();
  t.run.dtype = DType::kFloat64;
  t.train_size = t.run.batch;  // one mini-batch = the evaluation batch (in another order)
  t.steps = 1;
  t.optimizer.lr = 0.01;
  const TrainResult r = Train(t);
  ASSERT_EQ(r.rows.size(), 2u);
  for (size_t l = 0; l < r.rows[0].eval.layers.size(); ++l) {
    EXPECT_EQ(r.rows[0].weight_change[l], 0);
    const double expected = 0.01 * r.rows[0].eval.layers[l].grad_to_weight;
    EXPECT_NEAR(r.rows[1].update_ratio[l], expected, 1e-10 * expected) << "layer " << l + 1;
    // After one step W_1 − W_0 = ΔW: weight_change = update_ratio.
    EXPECT_NEAR(r.rows[1].weight_change[l], r.rows[1].update_ratio[l], 1e-9 * expected);
  }
}

TEST(Train, CsvsAreByteIdenticalAtOneAndTwoThreads) {
  for (const char* optimizer : {"sgd", "adam"}) {
    TrainConfig t = SmallTrain();
    t.run.width = 96;  // more than one 64-column chunk in every product
    t.run.batch = 128;
    t.train_size = 512;
    t.test_size = 1100;  // two evaluation chunks
    t.steps = 12;
    t.log_every = 4;
    t.optimizer.name = optimizer;
    t.optimizer.lr = DefaultLearningRate(optimizer);
    t.optimizer.momentum = t.optimizer.name == "sgd" ? 0.9 : 0;
    const TrainResult one = Train(t);
    t.run.threads = 2;
    const TrainResult two = Train(t);
    SetThreads(1);
    EXPECT_EQ(TrainLayerCsvRows(one), TrainLayerCsvRows(two)) << optimizer;
    EXPECT_EQ(CurveCsvRows(one), CurveCsvRows(two)) << optimizer;
    ASSERT_EQ(one.rows.size(), 4u);  // 0, 4, 8, 12
    EXPECT_NE(one.rows[1].eval.summary.loss, one.rows[0].eval.summary.loss);
  }
}

TEST(Train, StopsOnNanWithTheRowsSoFarAndSaysWhere) {
  TrainConfig t = SmallTrain();
  t.run.depth = 4;
  t.optimizer.lr = 1000;
  t.steps = 50;
  t.log_every = 1000;  // only 0 and 50 scheduled: the mini-batch check must catch it
  const TrainResult r = Train(t);
  ASSERT_TRUE(r.diverged);
  EXPECT_LT(r.steps_done, 50);
  EXPECT_EQ(r.rows.back().step, r.steps_done);  // the last finite state is logged
  EXPECT_EQ(r.rows.front().step, 0);
  EXPECT_NE(r.stop_reason.find(fmt::format("mini-batch loss of step {}", r.steps_done + 1)),
            std::string::npos)
      << r.stop_reason;
  EXPECT_NE(r.stop_reason.find("first appear in layer"), std::string::npos) << r.stop_reason;
  EXPECT_NE(FormatTrainSummary(r).find("STOPPED after"), std::string::npos);
  // With every step logged the logged loss catches it, and its row has nonfinite counts.
  t.log_every = 1;
  const TrainResult every = Train(t);
  ASSERT_TRUE(every.diverged);
  EXPECT_GT(every.rows.back().eval.summary.nonfinite, 0);
  EXPECT_NE(every.stop_reason.find("evaluation-batch loss"), std::string::npos)
      << every.stop_reason;
}

TEST(Train, RegressionTaskTrainsWithMseAndLeavesAccuracyEmpty) {
  TrainConfig t = SmallTrain();
  t.task = "regression";
  t.run.output_dim = 2;
  t.steps = 100;
  t.optimizer.lr = 0.02;
  const TrainResult r = Train(t);
  ASSERT_FALSE(r.diverged) << r.stop_reason;
  EXPECT_EQ(r.rows.back().eval.config.loss, LossKind::kMse);
  EXPECT_EQ(r.rows.back().eval.layers.back().fan_out, 2);
  EXPECT_LT(r.rows.back().test_loss, r.rows.front().test_loss);
  const std::string curve = CurveCsvRows(r);
  // step,train_loss,train_accuracy(empty),test_loss,test_accuracy(empty),...
  EXPECT_NE(curve.find("0," + FormatNumber(r.rows[0].train_loss) + ",,"), std::string::npos);
}

TEST(Train, EpochsSetTheStepCount) {
  TrainConfig t = SmallTrain();
  t.train_size = 300;
  t.test_size = 10;
  t.epochs = 2;  // floor(300/64) = 4 batches per epoch
  EXPECT_EQ(StepsPerEpoch(t), 4);
  EXPECT_EQ(TotalSteps(t), 8);
  const TrainResult r = Train(t);
  EXPECT_EQ(r.steps_done, 8);
  EXPECT_EQ(r.rows.back().step, 8);
}

TEST(Train, LogSpacedStepsAreFibonacciPlusTheLast) {
  EXPECT_EQ(LogSpacedSteps(500),
            (std::vector<int64_t>{0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 500}));
  EXPECT_EQ(LogSpacedSteps(1), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(LogSpacedSteps(3), (std::vector<int64_t>{0, 1, 2, 3}));
  TrainConfig t;
  t.steps = 250;
  t.log_every = 100;
  EXPECT_EQ(LogSchedule(t), (std::vector<int64_t>{0, 100, 200, 250}));
  t.log_every = 0;
  t.log_steps = "5,10";
  EXPECT_EQ(LogSchedule(t), (std::vector<int64_t>{0, 5, 10, 250}));
}

TEST(Train, LogStepsListedTwiceOrOutOfOrderAreRefused) {
  TrainConfig t;
  t.steps = 250;
  for (const char* list : {"0,1,1", "10,5"}) {
    t.log_steps = list;
    try {
      LogSchedule(t);
      ADD_FAILURE() << list << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("in increasing order"), std::string::npos) << e.what();
    }
  }
}

TEST(Train, EpochCountsWhoseStepsOverflowAreRefusedNotWrapped) {
  TrainConfig t;
  t.run.batch = 8;
  t.train_size = 32;               // 4 steps per epoch
  t.epochs = 4611686018427387904;  // x 4 = 2^64: 0 when wrapped
  EXPECT_EQ(TotalSteps(t), std::numeric_limits<int64_t>::max());
  EXPECT_THROW(Validate(t), UsageError);
  t.epochs = 3;
  EXPECT_EQ(TotalSteps(t), 12);
  t.epochs = 0;
  t.steps = kMaxTrainSteps + 1;
  EXPECT_THROW(Validate(t), UsageError);
}

TEST(Train, EpochPermutationIsASeededPermutation) {
  const std::vector<int> a = EpochPermutation(100, 3, 0);
  EXPECT_EQ(std::set<int>(a.begin(), a.end()).size(), 100u);
  EXPECT_EQ(*std::min_element(a.begin(), a.end()), 0);
  EXPECT_EQ(*std::max_element(a.begin(), a.end()), 99);
  EXPECT_EQ(a, EpochPermutation(100, 3, 0));
  EXPECT_NE(a, EpochPermutation(100, 3, 1));
  EXPECT_NE(a, EpochPermutation(100, 4, 0));
}

std::string ValidationMessage(const TrainConfig& t) {
  try {
    Validate(t);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Train, ValidationNamesTheOptionAndTheValue) {
  TrainConfig t;
  EXPECT_EQ(ValidationMessage(t), "no error");
  t.run.batch = 9000;
  EXPECT_EQ(ValidationMessage(t), "--batch (9000) must be <= --train-size (8192)");
  t = TrainConfig();
  t.log_steps = "0,x";
  EXPECT_NE(ValidationMessage(t).find("--log-steps: 'x' is not a step number"), std::string::npos);
  t.log_steps = "600";
  EXPECT_EQ(ValidationMessage(t), "--log-steps: step 600 is after the last step 500");
  t = TrainConfig();
  t.steps = 0;
  EXPECT_EQ(ValidationMessage(t), "--steps must be >= 1, got 0");
  t = TrainConfig();
  t.test_size = 0;
  EXPECT_EQ(ValidationMessage(t), "--test-size must be >= 1, got 0");
  t = TrainConfig();
  t.task = "regresion";
  EXPECT_NE(ValidationMessage(t).find("did you mean 'regression'"), std::string::npos);
  t = TrainConfig();
  t.run.depth = 0;
  EXPECT_EQ(ValidationMessage(t), "--depth must be >= 1, got 0");
  t = TrainConfig();
  t.optimizer.lr = -1;
  EXPECT_NE(ValidationMessage(t).find("--lr"), std::string::npos);
}

}  // namespace
}  // namespace gradflow
