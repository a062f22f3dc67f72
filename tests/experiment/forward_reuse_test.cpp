// Forward passes reused by later runs: the store's choice of pass, the
// context that must match, and runs through a reusing workspace equal to runs
// computed from layer 1 in every CSV cell.
#include "experiment/forward_reuse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/parallel.h"
#include "experiment/run.h"
#include "experiment/run_columns.h"
#include "test_util.h"

namespace gradflow {
namespace {

using testing_util::Config;

std::string CsvOf(const RunResult& r) { return LayerCsvRows(r) + SummaryCsvRow(r); }

// A pass of `layers` layers of the given rows, under context {seed}.
StoredForward<float> Pass(uint64_t seed, const std::vector<int64_t>& rows) {
  StoredForward<float> pass;
  pass.context = {seed};
  for (int64_t r : rows) pass.roles.push_back({r, 4, 0, 0, 0});
  pass.cache.a.assign(rows.size() + 1, Mat<float>::Zero(4, 2));
  pass.metrics.resize(rows.size());
  return pass;
}

std::vector<LayerRole> Roles(const std::vector<int64_t>& rows) {
  std::vector<LayerRole> roles;
  for (int64_t r : rows) roles.push_back({r, 4, 0, 0, 0});
  return roles;
}

TEST(ForwardStore, TakesThePassWithTheLongestCommonPrefixInItsContext) {
  ForwardStore<float> store;
  store.Put(Pass(1, {4, 4}));
  store.Put(Pass(1, {4, 4, 4, 5}));
  store.Put(Pass(2, {4, 4, 4, 4, 4}));  // another context: never taken for context {1}
  EXPECT_EQ(store.size(), 3u);
  int shared = -1;
  StoredForward<float> taken = store.Take({1}, Roles({4, 4, 4, 4}), &shared);
  EXPECT_EQ(shared, 3);
  EXPECT_EQ(taken.roles.size(), 4u);
  EXPECT_EQ(store.size(), 2u);  // taken out
  taken = store.Take({1}, Roles({3}), &shared);
  EXPECT_EQ(shared, 0);  // no common first layer
  EXPECT_TRUE(taken.roles.empty());
  EXPECT_EQ(store.size(), 2u);  // nothing taken below kMaxPasses
  taken = store.Take({3}, Roles({4}), &shared);
  EXPECT_EQ(shared, 0);
}

TEST(ForwardStore, KeepsItsByteBudgetAndRecyclesTheOldestWhenFull) {
  const int64_t pass_bytes = Pass(0, {4}).Bytes();
  ASSERT_EQ(pass_bytes, 2 * 4 * 2 * 4);  // a[0], a[1]: 4 x 2 floats each
  ForwardStore<float> small(2 * pass_bytes);
  for (uint64_t seed : {1, 2, 3}) small.Put(Pass(seed, {4}));
  EXPECT_EQ(small.size(), 2u);
  EXPECT_EQ(small.bytes(), 2 * pass_bytes);
  int shared = -1;
  small.Take({1}, Roles({4}), &shared);  // the least recently used went
  EXPECT_EQ(shared, 0);
  small.Put(Pass(4, {4, 4, 4, 4}));  // larger than the whole budget: not kept
  EXPECT_EQ(small.size(), 2u);

  ForwardStore<float> full;
  for (uint64_t seed = 0; seed < ForwardStore<float>::kMaxPasses; ++seed) full.Put(Pass(seed, {4}));
  const StoredForward<float> recycled = full.Take({99}, Roles({4}), &shared);
  EXPECT_EQ(shared, 0);
  EXPECT_EQ(full.size(), ForwardStore<float>::kMaxPasses - 1);  // the oldest lent its buffers
  EXPECT_TRUE(recycled.roles.empty());
  EXPECT_EQ(recycled.cache.a.size(), 2u);
}

TEST(ForwardContext, EveryFieldThatShapesTheLayersIsInItAndDepthAndLossAreNot) {
  const RunConfig base = Config("elu", "he_normal", 5, 8, 4);
  std::vector<RunConfig> others(19, base);
  others[0].activation = ActivationKind::kTanh;
  others[1].activation_params.leaky_slope = 0.2;
  others[2].activation_params.elu_alpha = 0.5;
  others[3].activation_params.maxout_pieces = 3;
  others[4].init = InitKind::kXavierUniform;
  others[5].init_params.init_std = 0.5;
  others[6].init_params.init_scale = 0.5;
  others[7].gain = 2;
  others[8].bias_std = 0.1;
  others[9].norm = NormKind::kBatch;
  others[10].residual = true;
  others[11].residual_scale = 0.5;
  others[12].batch = 5;
  others[13].input = InputKind::kUniform;
  others[14].input_scale = 2;
  others[15].input_dim = 3;
  others[16].dtype = DType::kFloat64;
  others[17].seed = 1;
  others[18].saturation_threshold = 0.1;
  for (size_t i = 0; i < others.size(); ++i) {
    EXPECT_NE(ForwardContext(others[i]), ForwardContext(base)) << "field " << i;
  }
  RunConfig same = base;
  same.depth = 9;
  same.loss = LossKind::kMse;
  same.output_dim = 3;
  same.threads = 2;
  same.vanishing_threshold = 0.5;
  EXPECT_EQ(ForwardContext(same), ForwardContext(base));
}

// Runs in an order that shares, extends, shortens and breaks prefixes (depths
// up and down, a head on top, another seed between, unequal widths), with
// norms, skips, maxout, biases and both dtypes: every cell as computed from
// layer 1, and later runs do start above the layers they share.
TEST(ForwardReuse, RunsThroughAReusingWorkspaceEqualRunsFromLayerOne) {
  SetThreads(1);
  struct Variant {
    const char* activation;
    NormKind norm;
    bool residual;
    double bias_std;
    DType dtype;
  };
  for (const Variant& v : {Variant{"tanh", NormKind::kNone, false, 0.0, DType::kFloat32},
                           Variant{"relu", NormKind::kBatch, true, 0.1, DType::kFloat32},
                           Variant{"maxout", NormKind::kLayer, false, 0.0, DType::kFloat64},
                           Variant{"sigmoid", NormKind::kNone, true, 0.2, DType::kFloat64}}) {
    RunWorkspace workspace;
    int runs = 0;
    for (const auto& [depth, seed, loss] :
         {std::tuple<int, uint64_t, LossKind>{3, 0, LossKind::kProbe},
          {6, 0, LossKind::kProbe},  // extends 3
          {6, 1, LossKind::kProbe},  // another seed
          {2, 0, LossKind::kProbe},  // inside 6
          {4, 0, LossKind::kMse},    // a head above 4 hidden layers
          {5, 0, LossKind::kCrossEntropy},
          {8, 0, LossKind::kProbe},
          {8, 1, LossKind::kMse}}) {
      RunConfig c = Config(v.activation, "he_normal", depth, 6, 5);
      c.norm = v.norm;
      c.residual = v.residual;
      c.bias_std = v.bias_std;
      c.dtype = v.dtype;
      c.seed = seed;
      c.loss = loss;
      const RunResult reused = RunExperimentWithCurrentThreads(c, nullptr, &workspace);
      const RunResult fresh = RunExperimentWithCurrentThreads(c);
      EXPECT_EQ(CsvOf(reused), CsvOf(fresh)) << v.activation << " depth " << depth;
      ++runs;
    }
    // Both seeds' passes are kept; seed 0's reaches layer 8 (it was extended).
    const size_t kept = v.dtype == DType::kFloat32 ? workspace.float_forwards.size()
                                                   : workspace.double_forwards.size();
    EXPECT_EQ(kept, 2u) << v.activation;
  }
}

// Unequal widths: a run shares the layers up to the first that differs.
TEST(ForwardReuse, UnequalWidthsShareTheLayersUpToTheFirstDifference) {
  SetThreads(1);
  RunWorkspace workspace;
  for (const std::vector<int>& widths :
       {std::vector<int>{8, 6, 6, 4}, {8, 6, 5, 4}, {8, 6}, {8, 6, 6, 4, 3}}) {
    RunConfig c = Config("tanh", "xavier_normal", 1, 8, 5);
    c.input_dim = 7;
    SetWidths(widths, &c);
    const RunResult reused = RunExperimentWithCurrentThreads(c, nullptr, &workspace);
    EXPECT_EQ(CsvOf(reused), CsvOf(RunExperimentWithCurrentThreads(c)));
  }
  int shared = -1;
  RunConfig c = Config("tanh", "xavier_normal", 1, 8, 5);
  c.input_dim = 7;
  workspace.float_forwards.Take(
      ForwardContext(c), {{8, 7, 0, 0, 0}, {6, 8, 0, 0, 0}, {6, 6, 0, 0, 0}, {9, 6, 0, 0, 0}},
      &shared);
  EXPECT_EQ(shared, 3);  // the last run's first three layers are stored
}

// The switch that turns it off (sweep --no-forward-reuse) leaves the store empty.
TEST(ForwardReuse, AWorkspaceThatDoesNotReuseStoresNothing) {
  SetThreads(1);
  RunWorkspace workspace;
  workspace.reuse_forward = false;
  for (int depth : {2, 4}) {
    RunExperimentWithCurrentThreads(Config("relu", "he_normal", depth, 6, 5), nullptr, &workspace);
  }
  EXPECT_EQ(workspace.float_forwards.size(), 0u);
}

}  // namespace
}  // namespace gradflow
