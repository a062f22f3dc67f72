#include "engine/teacher_task.h"

#include <cmath>

#include "base/rng.h"
#include "base/suggest.h"

namespace gradflow {

std::vector<std::string> TaskNames() { return {"teacher", "regression"}; }

TaskKind ParseTask(const std::string& name) {
  RequireOneOf("--task", name, TaskNames());
  return name == "regression" ? TaskKind::kRegression : TaskKind::kTeacher;
}

LossKind TaskLoss(TaskKind kind) {
  return kind == TaskKind::kRegression ? LossKind::kMse : LossKind::kCrossEntropy;
}

MatD Teacher::Outputs(const MatD& x) const {
  // h = tanh(A x)   (32, n)
  const MatD h = (a * x).array().tanh().matrix();
  // y = B h         (K, n)
  return b * h;
}

namespace {

MatD GaussianMatrix(int rows, int cols, double std, Rng* rng) {
  MatD m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = std * rng->Normal();
  return m;
}

// Unit-variance inputs, sample by sample: (dim, n).
MatD SampleRawInputs(int dim, int n, bool uniform, Rng* rng) {
  const double limit = std::sqrt(3.0);
  MatD x(dim, n);
  for (int s = 0; s < n; ++s)
    for (int i = 0; i < dim; ++i) x(i, s) = uniform ? rng->Uniform(-limit, limit) : rng->Normal();
  return x;
}

Dataset MakeDataset(const RunConfig& config, TaskKind kind, const Teacher& teacher, int n,
                    Purpose purpose) {
  Rng rng(config.seed, purpose);
  const MatD raw = SampleRawInputs(config.InputDim(), n, config.input == InputKind::kUniform, &rng);
  const MatD y = teacher.Outputs(raw);  // (K, n)
  Dataset data;
  data.x = config.input_scale * raw;
  if (kind == TaskKind::kRegression) {
    data.truth.targets = y;
  } else {
    data.truth.labels.resize(n);
    for (int s = 0; s < n; ++s) {
      Eigen::Index best;
      y.col(s).maxCoeff(&best);  // the first of equal maxima
      data.truth.labels[s] = static_cast<int>(best);
    }
  }
  return data;
}

}  // namespace

Teacher MakeTeacher(int input_dim, int outputs, uint64_t seed) {
  Teacher t;
  Rng rng_a(seed, Purpose::kTeacher, 1);
  Rng rng_b(seed, Purpose::kTeacher, 2);
  t.a = GaussianMatrix(kTeacherHidden, input_dim, 1.0 / std::sqrt(input_dim), &rng_a);
  t.b = GaussianMatrix(outputs, kTeacherHidden, 1.0 / std::sqrt(kTeacherHidden * kTanhSecondMoment),
                       &rng_b);
  return t;
}

Dataset Dataset::Slice(int start, int count) const {
  Dataset out;
  out.x = x.middleCols(start, count);
  if (truth.targets.size() > 0) out.truth.targets = truth.targets.middleCols(start, count);
  if (!truth.labels.empty()) {
    out.truth.labels.assign(truth.labels.begin() + start, truth.labels.begin() + start + count);
  }
  return out;
}

Dataset Dataset::Gather(const std::vector<int>& indices) const {
  Dataset out;
  const Eigen::Index n = static_cast<Eigen::Index>(indices.size());
  out.x.resize(x.rows(), n);
  for (Eigen::Index s = 0; s < n; ++s) out.x.col(s) = x.col(indices[s]);
  if (truth.targets.size() > 0) {
    out.truth.targets.resize(truth.targets.rows(), n);
    for (Eigen::Index s = 0; s < n; ++s) out.truth.targets.col(s) = truth.targets.col(indices[s]);
  }
  for (int i : indices) {
    if (!truth.labels.empty()) out.truth.labels.push_back(truth.labels[i]);
  }
  return out;
}

TaskData MakeTaskData(const RunConfig& config, TaskKind kind, int train_size, int test_size) {
  const int outputs = kind == TaskKind::kRegression ? config.output_dim : config.classes;
  const Teacher teacher = MakeTeacher(config.InputDim(), outputs, config.seed);
  TaskData data;
  data.train = MakeDataset(config, kind, teacher, train_size, Purpose::kTrainData);
  data.test = MakeDataset(config, kind, teacher, test_size, Purpose::kTestData);
  return data;
}

}  // namespace gradflow
