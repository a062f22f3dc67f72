// Sampled weight matrices kept for reuse across runs (one per sweep worker).
//
// A layer's initial weights are a function of the seed, the layer's index,
// the init scheme and its parameters, the gain, the shape and the dtype: they
// come from the stream (seed, kWeights, l) alone. A sweep's runs that differ
// only in activation, depth, loss or batch therefore draw the same weights for
// the layers they share, and drawing them (one xoshiro256** step per weight,
// a serial chain) was about 11% of a sweep of small networks. The cache hands
// back a copy of the matrix drawn before: the same numbers, without the draws.
// Bounded by a byte budget; the least recently used matrices go first.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <tuple>

#include "base/types.h"
#include "engine/init.h"

namespace gradflow {

class WeightCache {
 public:
  // Everything a layer's sampled weights depend on. Doubles as their bits, so
  // the key orders totally and only identical values match.
  struct Key {
    uint64_t seed;
    int layer;
    InitKind init;
    uint64_t init_std_bits, init_scale_bits, gain_bits;
    int64_t rows, fan_in;
    bool is_double;
    auto Tuple() const {
      return std::tie(seed, layer, init, init_std_bits, init_scale_bits, gain_bits, rows, fan_in,
                      is_double);
    }
    bool operator<(const Key& other) const { return Tuple() < other.Tuple(); }
  };
  template <typename T>
  static Key KeyOf(uint64_t seed, int layer, InitKind init, const InitParams& params, double gain,
                   int64_t rows, int64_t fan_in);

  explicit WeightCache(int64_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  // The matrix stored under key, or nullptr. (rows, fan_in)
  template <typename T>
  const Mat<T>* Find(const Key& key);
  // Stores a copy of w under key, dropping the least recently used matrices
  // while the total exceeds the budget; a matrix larger than the whole budget
  // is not stored.
  template <typename T>
  void Insert(const Key& key, const Mat<T>& w);

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
  int64_t budget_;
  int64_t bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::map<Key, std::list<Entry>::iterator> index_;
};

}  // namespace gradflow
