// Forward passes kept for later runs whose networks start with the same
// layers (one store per sweep worker).
//
// A hidden layer's output is a function of its input, its parameters, its
// activation and its remedies (norm, skip). A fresh network's layer l is drawn
// from (seed, l, init, its parameters, gain, shape) and its input batch from
// (seed, input kind, scale, shape). So two runs whose configurations agree on
// everything but depth and loss (ForwardContext), and whose first k layers have
// the same shapes and roles (LayerRoles), compute the very same a^1..a^k, φ'
// and forward statistics: the later run takes them from the store and computes
// only its layers k+1..L. A sweep over depths 5, 10, 20 and 50 computes 50
// layers' forward passes per (activation, width, seed) instead of 85, with the
// same bits as computing them all (the results depend on nothing else).
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <vector>

#include "engine/config.h"
#include "engine/metrics.h"
#include "engine/network.h"

namespace gradflow {

// The words of everything in config, depth, --widths and the loss aside,
// that shapes what a fresh network's hidden layers compute or what their
// forward statistics are. Runs with equal contexts draw equal layers l for
// equal shapes, and the same input batch.
std::vector<uint64_t> ForwardContext(const RunConfig& config);

// Layer l's shape and role: rows, fan_in, head, norm, skip.
using LayerRole = std::array<int64_t, 5>;
template <typename T>
std::vector<LayerRole> LayerRoles(const Network<T>& network);  // layers 1..L

// One forward pass: its cache and the forward statistics of its layers.
template <typename T>
struct StoredForward {
  std::vector<uint64_t> context;
  std::vector<LayerRole> roles;       // layer l at [l-1]
  ForwardCache<T> cache;              // a[0..L], φ'[1..L], the norms' statistics
  std::vector<LayerMetrics> metrics;  // as after the forward pass, layer l at [l-1]
  int64_t Bytes() const;
};

template <typename T>
class ForwardStore {
 public:
  explicit ForwardStore(int64_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  // Takes out the stored pass with this context whose layers agree with
  // roles on the longest prefix, at least one layer; *shared is that prefix's
  // length. Without one, *shared = 0 and a pass with nothing to reuse: the
  // least recently used one's buffers once kMaxPasses are stored (so a warm
  // worker's passes allocate no fresh memory), else an empty one.
  StoredForward<T> Take(const std::vector<uint64_t>& context, const std::vector<LayerRole>& roles,
                        int* shared);
  // Stores pass as the most recently used, dropping the least recently used
  // beyond the byte budget; a pass larger than the budget is dropped.
  void Put(StoredForward<T> pass);

  size_t size() const { return passes_.size(); }
  int64_t bytes() const { return bytes_; }

  static constexpr int64_t kDefaultBudget = int64_t{64} << 20;  // 64 MiB
  static constexpr size_t kMaxPasses = 16;

 private:
  int64_t budget_;
  int64_t bytes_ = 0;
  std::list<StoredForward<T>> passes_;  // most recently used first
};

}  // namespace gradflow
