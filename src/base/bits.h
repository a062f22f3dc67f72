// A double's bits, for keys that must match only identical values (caches
// keyed by parameters: 0.1 and 0.1 + 1 ulp are different keys, -0 and +0 too).
#pragma once

#include <cstdint>
#include <cstring>

namespace gradflow {

inline uint64_t DoubleBits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace gradflow
