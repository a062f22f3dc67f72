// Sizes computed from untrusted numbers (file headers, shapes) in checked
// 64-bit arithmetic: an overflow is reported, never wrapped or undefined.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace gradflow {

// a * b, or nullopt when the product does not fit in int64 (or an operand is negative).
inline std::optional<int64_t> CheckedMultiply(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return std::nullopt;
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// The product of `factors` (1 for none), or nullopt as CheckedMultiply. A zero
// factor makes the product 0 whatever the others are, as for a tensor's
// element count: [2^62, 4, 0] has 0 elements, not an overflow.
inline std::optional<int64_t> CheckedProduct(const std::vector<int64_t>& factors) {
  int64_t product = 1;
  for (int64_t f : factors) {
    if (f < 0) return std::nullopt;
    if (f == 0) product = 0;
  }
  if (product == 0) return 0;
  for (int64_t f : factors) {
    const std::optional<int64_t> next = CheckedMultiply(product, f);
    if (!next) return std::nullopt;
    product = *next;
  }
  return product;
}

}  // namespace gradflow
