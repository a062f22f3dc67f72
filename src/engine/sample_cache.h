// Matrices drawn from the random streams, kept for reuse across runs (one
// cache per sweep worker): weight matrices, input batches, probes and targets.
//
// Each is a function of what its draw depends on (the seed, the stream's
// purpose, the shape, the dtype, and for weights the layer, init scheme, its
// parameters and the gain). A sweep's runs that differ only in activation,
// depth, loss or batch therefore draw the same weights for the layers they
// share, and runs of the same seed and width the same inputs; drawing them (a
// serial xoshiro256** chain, Box–Muller's log for normals) was about 11%
// (weights) and 5% (inputs, probes) of a sweep of small networks. The cache
// hands back the matrix drawn before: the same numbers, without the draws.
// Bounded by a byte budget; the least recently used matrices go first.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <map>

#include "base/rng.h"
#include "base/types.h"
#include "engine/init.h"

namespace gradflow {

struct RunConfig;

class SampleCache {
 public:
  // Everything a draw depends on, as words: the purpose first, then that
  // purpose's fields (doubles as their bits, so only identical values match).
  // Orders totally. Find and Insert add the dtype: a float32 and a float64
  // matrix never share an entry.
  struct Key {
    std::array<uint64_t, 10> words{};
    bool operator<(const Key& other) const { return words < other.words; }
  };
  // W^layer: (rows, fan_in) from stream (seed, kWeights, layer).
  static Key WeightKey(uint64_t seed, int layer, InitKind init, const InitParams& params,
                       double gain, int64_t rows, int64_t fan_in);
  // The input batch x of a run: (input_dim, batch) from stream (seed, kInput).
  static Key InputKey(const RunConfig& config);
  // A loss's probe or targets: (units, batch) from stream (seed, purpose).
  static Key LossKey(Purpose purpose, uint64_t seed, int64_t units, int64_t batch);

  explicit SampleCache(int64_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  // The matrix stored under key, or nullptr.
  template <typename T>
  const Mat<T>* Find(const Key& key);
  // Stores a copy of m under key, dropping the least recently used matrices
  // while the total exceeds the budget; a matrix larger than the whole budget
  // is not stored.
  template <typename T>
  void Insert(const Key& key, const Mat<T>& m);

  // The matrix under key, drawn by draw() (returning a Mat<T>) and stored if
  // it is not there yet; without a cache, simply draw().
  template <typename T, typename Draw>
  static Mat<T> FindOrDraw(SampleCache* cache, const Key& key, Draw draw) {
    if (cache) {
      if (const Mat<T>* found = cache->Find<T>(key)) return *found;
    }
    Mat<T> drawn = draw();
    if (cache) cache->Insert(key, drawn);
    return drawn;
  }

  int64_t bytes() const { return bytes_; }
  size_t size() const { return entries_.size(); }

  static constexpr int64_t kDefaultBudget = int64_t{64} << 20;  // 64 MiB

 private:
  struct Entry {
    Key key;
    Mat<float> f;  // the float32 matrix, or empty
    MatD d;        // the float64 matrix, or empty
    int64_t bytes;
  };
  template <typename T>
  static Key Typed(Key key);  // key with its last word set to the dtype

  int64_t budget_;
  int64_t bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::map<Key, std::list<Entry>::iterator> index_;
};

}  // namespace gradflow
