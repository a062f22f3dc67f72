// The synthetic task of `gradflow train`: a fixed random "teacher" MLP labels
// Gaussian inputs, and the student network learns to imitate it.
//
// Teacher architecture (fixed, shallow and well-conditioned on purpose, so the
// task itself is easy and any failure to learn is the student's):
//
//   x ~ N(0, I_d) (or U[-√3, √3]^d with --input uniform), d = --input-dim
//   h = tanh(A x)     A: (32, d),  A_ij ~ N(0, 1/d)          so A_i·x ~ N(0, ≈1)
//   y = B h           B: (K, 32),  B_ij ~ N(0, 1/(32·c)),    c = E[tanh²(u)], u ~ N(0,1)
//                                                            so y_k has variance ≈ 1
//   --task teacher:     label = argmax_k y_k, K = --classes   (student loss: cross_entropy)
//   --task regression:  target = y,           K = --output-dim (student loss: mse)
//
// Random streams: A from (seed, kTeacher, 1), B from (seed, kTeacher, 2),
// training inputs from (seed, kTrainData), test inputs from (seed, kTestData),
// each drawn sample by sample (column by column). The teacher reads the raw
// unit-variance x; the student reads --input-scale·x, so --input-scale changes
// what the student sees, not the task.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/types.h"
#include "engine/config.h"
#include "engine/loss.h"

namespace gradflow {

enum class TaskKind { kTeacher, kRegression };

std::vector<std::string> TaskNames();         // teacher, regression
TaskKind ParseTask(const std::string& name);  // throws UsageError naming --task
// The student loss the task trains with: cross_entropy or mse.
LossKind TaskLoss(TaskKind kind);

constexpr int kTeacherHidden = 32;
// c = E[tanh²(u)], u ~ N(0, 1) (Gauss–Hermite, 200 points).
constexpr double kTanhSecondMoment = 0.3942944903978409;

struct Teacher {
  MatD a;  // A: (kTeacherHidden, input_dim)
  MatD b;  // B: (outputs, kTeacherHidden)
  // y = B tanh(A x).  x: (input_dim, n) -> (outputs, n)
  MatD Outputs(const MatD& x) const;
};

// The teacher for `outputs` outputs on `input_dim` inputs, from `seed`.
Teacher MakeTeacher(int input_dim, int outputs, uint64_t seed);

// n samples of the task.
struct Dataset {
  MatD x;             // student inputs, --input-scale·x_raw: (input_dim, n)
  LossTargets truth;  // teacher: truth.labels (n); regression: truth.targets (K, n)
  int size() const { return static_cast<int>(x.cols()); }
  // Samples [start, start+count) as a new Dataset.
  Dataset Slice(int start, int count) const;
  // The samples at `indices`, in that order.
  Dataset Gather(const std::vector<int>& indices) const;
};

struct TaskData {
  Dataset train;
  Dataset test;
};

// Draws the training and test sets for `config` (input dim, input
// distribution and scale, classes/output_dim, seed).
TaskData MakeTaskData(const RunConfig& config, TaskKind kind, int train_size, int test_size);

}  // namespace gradflow
