// Our own specified random number generator and samplers.
//
// The standard library's distributions differ between implementations, so
// gradflow draws every random number through the code below:
//   - generator: xoshiro256** (Blackman & Vigna 2018), 64-bit output;
//   - seeding: SplitMix64 over a mix of (seed, purpose, layer), so every
//     (seed, purpose, layer) triple is an independent stream and results do
//     not depend on evaluation order or thread count;
//   - Uniform01: top 53 bits / 2^53, in [0, 1);
//   - Normal: Marsaglia's polar method (needs only log and sqrt), both
//     values of a pair are used in order;
//   - UniformInt(n): Lemire's unbiased multiply-and-reject method.
#pragma once

#include <cstdint>

namespace gradflow {

// What a stream is used for; part of the stream's identity.
enum class Purpose : uint64_t {
  kWeights = 1,
  kBiases = 2,
  kInput = 3,
  kProbe = 4,
  kTargets = 5,
  kTeacher = 6,
  kBatches = 7,
  kTrainData = 8,
  kTestData = 9,
};

class Rng {
 public:
  // An independent stream for (seed, purpose, index); index is usually a layer.
  Rng(uint64_t seed, Purpose purpose, uint64_t index = 0);

  // Inline: weight sampling calls these once per weight.
  uint64_t NextU64() {
    const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = RotateLeft(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform01() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }
  // Standard normal N(0, 1).
  double Normal();
  // Uniform integer in [0, n), n >= 1, unbiased.
  uint64_t UniformInt(uint64_t n);

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// SplitMix64 step: advances *state and returns a well-mixed 64-bit value.
uint64_t SplitMix64(uint64_t* state);

}  // namespace gradflow
