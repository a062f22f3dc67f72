// Words of cache keys: a double's bits, so that only identical values match
// (0.1 and 0.1 + 1 ulp are different keys, -0 and +0 too), and an integer,
// enum or bool as it is.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace gradflow {

inline uint64_t DoubleBits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

template <typename E>
uint64_t KeyWord(E value) {
  static_assert(std::is_integral_v<E> || std::is_enum_v<E>, "doubles go through DoubleBits");
  return static_cast<uint64_t>(value);
}

}  // namespace gradflow
