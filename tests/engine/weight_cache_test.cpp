// The weight cache: lookups, its byte budget, its key, and networks built
// through it equal to networks drawn afresh.
#include "engine/weight_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/parallel.h"
#include "engine/network.h"

namespace gradflow {
namespace {

WeightCache::Key KeyFor(uint64_t seed, int layer = 1, int64_t rows = 3) {
  return WeightCache::KeyOf<float>(seed, layer, InitKind::kXavierUniform, InitParams{}, 1.0, rows,
                                   2);
}

TEST(WeightCache, FindsWhatWasInsertedByKeyAndDtype) {
  WeightCache cache;
  const Mat<float> w = Mat<float>::Random(3, 2);
  EXPECT_EQ(cache.Find<float>(KeyFor(1)), nullptr);
  cache.Insert(KeyFor(1), w);
  ASSERT_NE(cache.Find<float>(KeyFor(1)), nullptr);
  EXPECT_EQ(*cache.Find<float>(KeyFor(1)), w);
  EXPECT_EQ(cache.Find<float>(KeyFor(2)), nullptr);
  const auto double_key =
      WeightCache::KeyOf<double>(1, 1, InitKind::kXavierUniform, InitParams{}, 1.0, 3, 2);
  EXPECT_EQ(cache.Find<double>(double_key), nullptr);  // float and double are apart
  const MatD wd = MatD::Random(3, 2);
  cache.Insert(double_key, wd);
  EXPECT_EQ(*cache.Find<double>(double_key), wd);
  EXPECT_EQ(*cache.Find<float>(KeyFor(1)), w);
  EXPECT_EQ(cache.bytes(), 6 * 4 + 6 * 8);
}

TEST(WeightCache, DropsTheLeastRecentlyUsedBeyondItsBudget) {
  const int64_t matrix_bytes = 3 * 2 * 4;
  WeightCache cache(2 * matrix_bytes);
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

TEST(WeightCache, EveryInputOfTheDrawIsPartOfTheKey) {
  const InitParams params;
  InitParams other_std = params, other_scale = params;
  other_std.init_std = 0.5;
  other_scale.init_scale = 0.5;
  const auto base = WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, params, 1.0, 4, 5);
  const std::vector<WeightCache::Key> others = {
      WeightCache::KeyOf<float>(8, 2, InitKind::kNormal, params, 1.0, 4, 5),
      WeightCache::KeyOf<float>(7, 3, InitKind::kNormal, params, 1.0, 4, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kUniform, params, 1.0, 4, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, other_std, 1.0, 4, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, other_scale, 1.0, 4, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, params, 2.0, 4, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, params, 1.0, 8, 5),
      WeightCache::KeyOf<float>(7, 2, InitKind::kNormal, params, 1.0, 4, 6),
      WeightCache::KeyOf<double>(7, 2, InitKind::kNormal, params, 1.0, 4, 5)};
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
  WeightCache cache;
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

TEST(BuildNetwork, ThroughTheWeightCacheTheSameWeightsFloat32) {
  ExpectCachedNetworksEqualFreshOnes<float>();
}
TEST(BuildNetwork, ThroughTheWeightCacheTheSameWeightsFloat64) {
  ExpectCachedNetworksEqualFreshOnes<double>();
}

}  // namespace
}  // namespace gradflow
