// The teacher task: architecture, scaling, streams and labels.
#include "engine/teacher_task.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace gradflow {
namespace {

RunConfig SmallConfig() {
  RunConfig c;
  c.width = 16;
  c.input_dim = 24;
  c.classes = 5;
  c.output_dim = 3;
  c.seed = 7;
  return c;
}

TEST(TeacherTask, TanhSecondMomentMatchesSimpsonIntegration) {
  // c = ∫ tanh²(u) φ(u) du over [−12, 12], Simpson's rule with 24000 intervals.
  const int n = 24000;
  const double lo = -12, h = 24.0 / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double u = lo + i * h;
    const double f = std::tanh(u) * std::tanh(u) * std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI);
    sum += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
  }
  EXPECT_NEAR(sum * h / 3, kTanhSecondMoment, 1e-12);
}

TEST(TeacherTask, OutputsAreBTanhAx) {
  Teacher t;
  t.a = MatD(2, 2);
  t.a << 1, 0, 0, -2;
  t.b = MatD(1, 2);
  t.b << 3, 1;
  MatD x(2, 1);
  x << 0.5, 0.25;
  // y = 3·tanh(0.5) + tanh(−0.5)
  EXPECT_NEAR(t.Outputs(x)(0, 0), 3 * std::tanh(0.5) + std::tanh(-0.5), 1e-15);
}

TEST(TeacherTask, TeacherHasTheDocumentedShapesAndUnitVarianceOutputs) {
  const Teacher t = MakeTeacher(64, 10, 3);
  EXPECT_EQ(t.a.rows(), kTeacherHidden);
  EXPECT_EQ(t.a.cols(), 64);
  EXPECT_EQ(t.b.rows(), 10);
  EXPECT_EQ(t.b.cols(), kTeacherHidden);
  // Var(A_ij) = 1/64, Var(B_ij) = 1/(32 c), checked on all entries.
  EXPECT_NEAR(t.a.squaredNorm() / t.a.size() * 64, 1.0, 0.1);
  EXPECT_NEAR(t.b.squaredNorm() / t.b.size() * kTeacherHidden * kTanhSecondMoment, 1.0, 0.2);
  RunConfig c;
  c.input_dim = 64;
  c.output_dim = 10;
  const TaskData data = MakeTaskData(c, TaskKind::kRegression, 4000, 10);
  const double second_moment = data.train.truth.targets.squaredNorm() / (4000.0 * 10);
  EXPECT_GT(second_moment, 0.6);
  EXPECT_LT(second_moment, 1.5);
}

TEST(TeacherTask, LabelsAreTheArgmaxOfTheTeacherAndUseEveryClass) {
  const RunConfig c = SmallConfig();
  const TaskData data = MakeTaskData(c, TaskKind::kTeacher, 2000, 500);
  ASSERT_EQ(data.train.size(), 2000);
  ASSERT_EQ(data.test.size(), 500);
  ASSERT_EQ(data.train.truth.labels.size(), 2000u);
  const Teacher teacher = MakeTeacher(c.InputDim(), c.classes, c.seed);
  const MatD y = teacher.Outputs(data.train.x);  // input_scale = 1: x is the raw input
  std::vector<int> counts(c.classes, 0);
  for (int s = 0; s < 2000; ++s) {
    Eigen::Index best;
    y.col(s).maxCoeff(&best);
    ASSERT_EQ(data.train.truth.labels[s], best);
    ++counts[best];
  }
  for (int k = 0; k < c.classes; ++k) {
    EXPECT_GT(counts[k], 2000 / c.classes / 4) << "class " << k << " is almost empty";
  }
}

TEST(TeacherTask, InputScaleChangesTheStudentInputsNotTheTask) {
  RunConfig c = SmallConfig();
  const TaskData plain = MakeTaskData(c, TaskKind::kTeacher, 300, 50);
  c.input_scale = 3;
  const TaskData scaled = MakeTaskData(c, TaskKind::kTeacher, 300, 50);
  EXPECT_EQ(plain.train.truth.labels, scaled.train.truth.labels);
  EXPECT_TRUE(scaled.train.x.isApprox(3 * plain.train.x, 1e-15));
}

TEST(TeacherTask, StreamsAreSeededAndSeparate) {
  RunConfig c = SmallConfig();
  const TaskData a = MakeTaskData(c, TaskKind::kRegression, 100, 100);
  const TaskData b = MakeTaskData(c, TaskKind::kRegression, 100, 100);
  EXPECT_EQ(a.train.x, b.train.x);
  EXPECT_EQ(a.test.truth.targets, b.test.truth.targets);
  EXPECT_NE(a.train.x, a.test.x);  // train and test come from different streams
  c.seed = 8;
  EXPECT_NE(MakeTaskData(c, TaskKind::kRegression, 100, 100).train.x, a.train.x);
  // A bigger training set starts with the same samples.
  EXPECT_EQ(MakeTaskData(SmallConfig(), TaskKind::kRegression, 150, 1).train.x.leftCols(100),
            a.train.x);
  c = SmallConfig();
  c.input = InputKind::kUniform;
  const TaskData u = MakeTaskData(c, TaskKind::kTeacher, 100, 1);
  EXPECT_LE(u.train.x.cwiseAbs().maxCoeff(), std::sqrt(3.0));
}

TEST(TeacherTask, SliceAndGatherPickColumnsAndTruth) {
  const TaskData data = MakeTaskData(SmallConfig(), TaskKind::kTeacher, 10, 1);
  const Dataset slice = data.train.Slice(3, 4);
  EXPECT_EQ(slice.x, data.train.x.middleCols(3, 4));
  EXPECT_EQ(slice.truth.labels[0], data.train.truth.labels[3]);
  const Dataset picked = data.train.Gather({9, 0, 9});
  EXPECT_EQ(picked.x.col(0), data.train.x.col(9));
  EXPECT_EQ(picked.x.col(1), data.train.x.col(0));
  EXPECT_EQ(picked.truth.labels,
            (std::vector<int>{data.train.truth.labels[9], data.train.truth.labels[0],
                              data.train.truth.labels[9]}));
  const TaskData reg = MakeTaskData(SmallConfig(), TaskKind::kRegression, 10, 1);
  EXPECT_EQ(reg.train.Gather({4}).truth.targets.col(0), reg.train.truth.targets.col(4));
}

TEST(TeacherTask, TaskNamesAndLosses) {
  EXPECT_EQ(TaskLoss(ParseTask("teacher")), LossKind::kCrossEntropy);
  EXPECT_EQ(TaskLoss(ParseTask("regression")), LossKind::kMse);
  try {
    ParseTask("teachr");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--task: unknown value 'teachr'; did you mean 'teacher'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gradflow
