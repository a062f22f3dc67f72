#include "engine/weight_cache.h"

#include <cstring>
#include <type_traits>

namespace gradflow {
namespace {

uint64_t Bits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

// Every field of InitParams is part of the key: a new parameter must be added
// to Key and KeyOf, or runs that differ only in it would share weights.
static_assert(sizeof(InitParams) == 2 * sizeof(double), "add the new InitParams field to the key");

template <typename T>
WeightCache::Key WeightCache::KeyOf(uint64_t seed, int layer, InitKind init,
                                    const InitParams& params, double gain, int64_t rows,
                                    int64_t fan_in) {
  return Key{seed,       layer, init,   Bits(params.init_std),    Bits(params.init_scale),
             Bits(gain), rows,  fan_in, std::is_same_v<T, double>};
}

template <typename T>
const Mat<T>* WeightCache::Find(const Key& key) {
  const auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, found->second);  // now most recently used
  if constexpr (std::is_same_v<T, float>) {
    return &found->second->f;
  } else {
    return &found->second->d;
  }
}

template <typename T>
void WeightCache::Insert(const Key& key, const Mat<T>& w) {
  const int64_t bytes = static_cast<int64_t>(w.size()) * static_cast<int64_t>(sizeof(T));
  if (bytes > budget_ || index_.count(key) != 0) return;
  while (bytes_ + bytes > budget_) {
    bytes_ -= entries_.back().bytes;
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  Entry entry{key, Mat<float>(), MatD(), bytes};
  if constexpr (std::is_same_v<T, float>) {
    entry.f = w;
  } else {
    entry.d = w;
  }
  entries_.push_front(std::move(entry));
  index_.emplace(key, entries_.begin());
  bytes_ += bytes;
}

#define GRADFLOW_INSTANTIATE(T)                                                               \
  template WeightCache::Key WeightCache::KeyOf<T>(uint64_t, int, InitKind, const InitParams&, \
                                                  double, int64_t, int64_t);                  \
  template const Mat<T>* WeightCache::Find<T>(const Key&);                                    \
  template void WeightCache::Insert<T>(const Key&, const Mat<T>&);
GRADFLOW_INSTANTIATE(float)
GRADFLOW_INSTANTIATE(double)
#undef GRADFLOW_INSTANTIATE

}  // namespace gradflow
