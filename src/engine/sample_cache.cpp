#include "engine/sample_cache.h"

#include <type_traits>

#include "base/bits.h"
#include "engine/config.h"

namespace gradflow {
namespace {}  // namespace

// Every field of InitParams is part of the weights' key: a new parameter must
// be added to WeightKey, or runs that differ only in it would share weights.
static_assert(sizeof(InitParams) == 2 * sizeof(double), "add the new InitParams field to the key");

SampleCache::Key SampleCache::WeightKey(uint64_t seed, int layer, InitKind init,
                                        const InitParams& params, double gain, int64_t rows,
                                        int64_t fan_in) {
  return Key{{KeyWord(Purpose::kWeights), seed, KeyWord(layer), KeyWord(init),
              DoubleBits(params.init_std), DoubleBits(params.init_scale), DoubleBits(gain),
              KeyWord(rows), KeyWord(fan_in)}};
}

SampleCache::Key SampleCache::InputKey(const RunConfig& config) {
  return Key{{KeyWord(Purpose::kInput), config.seed, KeyWord(config.input),
              DoubleBits(config.input_scale), KeyWord(config.InputDim()), KeyWord(config.batch)}};
}

SampleCache::Key SampleCache::LossKey(Purpose purpose, uint64_t seed, int64_t units,
                                      int64_t batch) {
  return Key{{KeyWord(purpose), seed, KeyWord(units), KeyWord(batch)}};
}

template <typename T>
SampleCache::Key SampleCache::Typed(Key key) {
  key.words.back() = sizeof(T);
  return key;
}

template <typename T>
const Mat<T>* SampleCache::Find(const Key& untyped) {
  const auto found = index_.find(Typed<T>(untyped));
  if (found == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, found->second);  // now most recently used
  if constexpr (std::is_same_v<T, float>) {
    return &found->second->f;
  } else {
    return &found->second->d;
  }
}

template <typename T>
void SampleCache::Insert(const Key& untyped, const Mat<T>& m) {
  const Key key = Typed<T>(untyped);
  const int64_t bytes = static_cast<int64_t>(m.size()) * static_cast<int64_t>(sizeof(T));
  if (bytes > budget_ || index_.count(key) != 0) return;
  while (bytes_ + bytes > budget_) {
    bytes_ -= entries_.back().bytes;
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  Entry entry{key, Mat<float>(), MatD(), bytes};
  if constexpr (std::is_same_v<T, float>) {
    entry.f = m;
  } else {
    entry.d = m;
  }
  entries_.push_front(std::move(entry));
  index_.emplace(key, entries_.begin());
  bytes_ += bytes;
}

#define GRADFLOW_INSTANTIATE(T)                            \
  template const Mat<T>* SampleCache::Find<T>(const Key&); \
  template void SampleCache::Insert<T>(const Key&, const Mat<T>&);
GRADFLOW_INSTANTIATE(float)
GRADFLOW_INSTANTIATE(double)
#undef GRADFLOW_INSTANTIATE

}  // namespace gradflow
