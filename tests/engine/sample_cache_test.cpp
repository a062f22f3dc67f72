// The sample cache: lookups, its byte budget, its keys, networks, inputs and
// loss targets drawn through it equal to ones drawn afresh.
#include "engine/sample_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/parallel.h"
#include "engine/config.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "engine/network.h"

namespace gradflow {
namespace {

SampleCache::Key KeyFor(uint64_t seed, int layer = 1, int64_t rows = 3) {
  return SampleCache::WeightKey(seed, layer, InitKind::kXavierUniform, InitParams{}, 1.0, rows, 2);
}

TEST(SampleCache, FindsWhatWasInsertedByKeyAndDtype) {
  SampleCache cache;
  const Mat<float> w = Mat<float>::Random(3, 2);
  EXPECT_EQ(cache.Find<float>(KeyFor(1)), nullptr);
  cache.Insert(KeyFor(1), w);
  ASSERT_NE(cache.Find<float>(KeyFor(1)), nullptr);
  EXPECT_EQ(*cache.Find<float>(KeyFor(1)), w);
  EXPECT_EQ(cache.Find<float>(KeyFor(2)), nullptr);
  EXPECT_EQ(cache.Find<double>(KeyFor(1)), nullptr);  // float and double are apart
  const MatD wd = MatD::Random(3, 2);
  cache.Insert(KeyFor(1), wd);
  EXPECT_EQ(*cache.Find<double>(KeyFor(1)), wd);
  EXPECT_EQ(*cache.Find<float>(KeyFor(1)), w);
  EXPECT_EQ(cache.bytes(), 6 * 4 + 6 * 8);
}

TEST(SampleCache, DropsTheLeastRecentlyUsedBeyondItsBudget) {
  const int64_t matrix_bytes = 3 * 2 * 4;
  SampleCache cache(2 * matrix_bytes);
  for (uint64_t seed : {1, 2})
    cache.Insert(KeyFor(seed), Mat<float>(Mat<float>::Constant(3, 2, seed)));
  ASSERT_NE(cache.Find<float>(KeyFor(1)), nullptr);  // 1 is now the most recent
  cache.Insert(KeyFor(3), Mat<float>(Mat<float>::Constant(3, 2, 3.0f)));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), 2 * matrix_bytes);
  EXPECT_EQ(cache.Find<float>(KeyFor(2)), nullptr);  // the least recently used went
  ASSERT_NE(cache.Find<float>(KeyFor(1)), nullptr);
  EXPECT_EQ((*cache.Find<float>(KeyFor(1)))(0, 0), 1.0f);
  EXPECT_EQ((*cache.Find<float>(KeyFor(3)))(2, 1), 3.0f);
  // A matrix larger than the whole budget is not kept, and evicts nothing.
  cache.Insert(KeyFor(4, 1, 30), Mat<float>(Mat<float>::Zero(30, 2)));
  EXPECT_EQ(cache.Find<float>(KeyFor(4, 1, 30)), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(SampleCache, EveryInputOfTheWeightDrawIsPartOfTheKey) {
  const InitParams params;
  InitParams other_std = params, other_scale = params;
  other_std.init_std = 0.5;
  other_scale.init_scale = 0.5;
  const auto base = SampleCache::WeightKey(7, 2, InitKind::kNormal, params, 1.0, 4, 5);
  const std::vector<SampleCache::Key> others = {
      SampleCache::WeightKey(8, 2, InitKind::kNormal, params, 1.0, 4, 5),
      SampleCache::WeightKey(7, 3, InitKind::kNormal, params, 1.0, 4, 5),
      SampleCache::WeightKey(7, 2, InitKind::kUniform, params, 1.0, 4, 5),
      SampleCache::WeightKey(7, 2, InitKind::kNormal, other_std, 1.0, 4, 5),
      SampleCache::WeightKey(7, 2, InitKind::kNormal, other_scale, 1.0, 4, 5),
      SampleCache::WeightKey(7, 2, InitKind::kNormal, params, 2.0, 4, 5),
      SampleCache::WeightKey(7, 2, InitKind::kNormal, params, 1.0, 8, 5),
      SampleCache::WeightKey(7, 2, InitKind::kNormal, params, 1.0, 4, 6)};
  for (size_t i = 0; i < others.size(); ++i) {
    EXPECT_TRUE(base < others[i] || others[i] < base) << "field " << i;
  }
  EXPECT_FALSE(base < base);
}

// A sweep's sequence of configurations, built through one cache, gives the
// very weights of networks drawn without it, and draws shared layers once.
template <typename T>
void ExpectCachedNetworksEqualFreshOnes() {
  SetThreads(1);
  SampleCache cache;
  RunConfig c;
  c.width = 6;
  c.batch = 4;
  c.seed = 5;
  c.bias_std = 0.1;
  size_t built_layers = 0;
  for (const char* activation : {"tanh", "relu", "maxout", "tanh"}) {
    for (int depth : {4, 2, 5}) {
      for (double gain : {1.0, 1.5}) {
        c.activation = ParseActivation(activation);
        c.depth = depth;
        c.gain = gain;
        const Network<T> cached = BuildNetwork<T>(c, &cache);
        const Network<T> fresh = BuildNetwork<T>(c);
        ASSERT_EQ(cached.NumLayers(), fresh.NumLayers());
        for (int l = 1; l <= fresh.NumLayers(); ++l) {
          EXPECT_EQ(cached.layer(l).w, fresh.layer(l).w) << activation << " depth " << depth;
          EXPECT_EQ(cached.layer(l).b, fresh.layer(l).b);
          EXPECT_EQ(cached.layer(l).is_head, fresh.layer(l).is_head);
        }
        built_layers += static_cast<size_t>(fresh.NumLayers());
      }
    }
  }
  // Distinct layers: 5 depths-worth per (gain, rows) for tanh/relu and for
  // maxout (twice the rows) = 2 gains x 2 row counts x 5 layers.
  EXPECT_EQ(cache.size(), 20u);
  EXPECT_LT(cache.size(), built_layers);
}

TEST(BuildNetwork, ThroughTheSampleCacheTheSameWeightsFloat32) {
  ExpectCachedNetworksEqualFreshOnes<float>();
}
TEST(BuildNetwork, ThroughTheSampleCacheTheSameWeightsFloat64) {
  ExpectCachedNetworksEqualFreshOnes<double>();
}

// Input batches, probes and targets: every field of their draw is part of the
// key, and through a cache they equal fresh draws (a second run takes them
// from the cache, not from the streams).
TEST(SampleCache, InputAndLossKeysTellEveryFieldApart) {
  RunConfig c;
  c.width = 5;
  c.batch = 3;
  c.seed = 2;
  std::vector<RunConfig> others(6, c);
  others[0].seed = 3;
  others[1].input = InputKind::kUniform;
  others[2].input_scale = 2;
  others[3].width = 6;
  others[4].input_dim = 4;
  others[5].batch = 4;
  const SampleCache::Key base = SampleCache::InputKey(c);
  for (size_t i = 0; i < others.size(); ++i) {
    const SampleCache::Key other = SampleCache::InputKey(others[i]);
    EXPECT_TRUE(base < other || other < base) << "field " << i;
  }
  const SampleCache::Key probe = SampleCache::LossKey(Purpose::kProbe, 2, 5, 3);
  for (const SampleCache::Key& other :
       {SampleCache::LossKey(Purpose::kTargets, 2, 5, 3),
        SampleCache::LossKey(Purpose::kProbe, 3, 5, 3),
        SampleCache::LossKey(Purpose::kProbe, 2, 6, 3),
        SampleCache::LossKey(Purpose::kProbe, 2, 5, 4), SampleCache::InputKey(c)}) {
    EXPECT_TRUE(probe < other || other < probe);
  }
}

TEST(SampleCache, InputsAndLossTargetsThroughTheCacheEqualFreshDraws) {
  SampleCache cache;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass reads the cache
    for (uint64_t seed : {0, 1}) {
      for (InputKind input : {InputKind::kGaussian, InputKind::kUniform}) {
        RunConfig c;
        c.width = 4;
        c.batch = 3;
        c.seed = seed;
        c.input = input;
        EXPECT_EQ(SampleInput(c, &cache), SampleInput(c));
      }
      for (LossKind kind : {LossKind::kProbe, LossKind::kMse, LossKind::kCrossEntropy}) {
        const LossTargets cached = SampleLossTargets(kind, 4, 3, seed, &cache);
        const LossTargets fresh = SampleLossTargets(kind, 4, 3, seed);
        EXPECT_EQ(cached.probe, fresh.probe);
        EXPECT_EQ(cached.targets, fresh.targets);
        EXPECT_EQ(cached.labels, fresh.labels);
      }
    }
    EXPECT_EQ(cache.size(), 8u);  // 4 inputs, 2 probes, 2 targets; labels are not kept
  }
  // A stored matrix is what a later draw returns, so a cache hit is really used.
  RunConfig c;
  c.width = 4;
  c.batch = 3;
  SampleCache planted;
  const MatD marker = MatD::Constant(4, 3, 42.0);
  planted.Insert(SampleCache::InputKey(c), marker);
  EXPECT_EQ(SampleInput(c, &planted), marker);
}

}  // namespace
}  // namespace gradflow
