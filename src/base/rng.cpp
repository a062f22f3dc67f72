#include "base/rng.h"

#include <cmath>

namespace gradflow {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed, Purpose purpose, uint64_t index) {
  // Mix the three identifiers through SplitMix64 one after another so that
  // nearby seeds, purposes and layers give unrelated streams.
  uint64_t state = seed;
  uint64_t mixed = SplitMix64(&state);
  state = mixed ^ static_cast<uint64_t>(purpose);
  mixed = SplitMix64(&state);
  state = mixed ^ index;
  for (uint64_t& word : s_) word = SplitMix64(&state);
}

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * Uniform01() - 1.0;
    v = 2.0 * Uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

uint64_t Rng::UniformInt(uint64_t n) {
  // Lemire (2019): the high word of x*n is uniform once the low word's
  // biased region [0, 2^64 mod n) is rejected.
  unsigned __int128 m = static_cast<unsigned __int128>(NextU64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(NextU64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace gradflow
