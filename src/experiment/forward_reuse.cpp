#include "experiment/forward_reuse.h"

#include <iterator>
#include <utility>

#include "base/bits.h"

namespace gradflow {
namespace {

template <typename T>
int64_t BytesOf(const std::vector<Mat<T>>& matrices) {
  int64_t bytes = 0;
  for (const Mat<T>& m : matrices) bytes += static_cast<int64_t>(m.size()) * sizeof(T);
  return bytes;
}

}  // namespace

// New fields of these structs change what a layer computes: add them to the
// context below, then update the sizes here.
static_assert(sizeof(ActivationParams) == 2 * sizeof(double) + sizeof(int) + 4,
              "add the new ActivationParams field to ForwardContext");
static_assert(sizeof(InitParams) == 2 * sizeof(double), "add the new InitParams field");

std::vector<uint64_t> ForwardContext(const RunConfig& c) {
  // Not here: depth, --widths (each layer's shape is in its LayerRole; the
  // input's width is input_dim), the loss and its head's size (the head is a
  // layer with its own role), the verdict thresholds and execution settings.
  return {KeyWord(c.activation),
          DoubleBits(c.activation_params.leaky_slope),
          DoubleBits(c.activation_params.elu_alpha),
          KeyWord(c.activation_params.maxout_pieces),
          KeyWord(c.init),
          DoubleBits(c.init_params.init_std),
          DoubleBits(c.init_params.init_scale),
          DoubleBits(c.gain),
          DoubleBits(c.bias_std),
          KeyWord(c.norm),
          KeyWord(c.residual),
          DoubleBits(c.residual_scale),
          KeyWord(c.batch),
          KeyWord(c.input),
          DoubleBits(c.input_scale),
          KeyWord(c.InputDim()),
          KeyWord(c.dtype),
          c.seed,
          DoubleBits(c.saturation_threshold)};
}

template <typename T>
std::vector<LayerRole> LayerRoles(const Network<T>& network) {
  std::vector<LayerRole> roles;
  for (int l = 1; l <= network.NumLayers(); ++l) {
    const Layer<T>& layer = network.layer(l);
    roles.push_back({layer.w.rows(), layer.w.cols(), layer.is_head ? 1 : 0,
                     network.HasNorm(l) ? 1 : 0, network.HasSkip(l) ? 1 : 0});
  }
  return roles;
}

template <typename T>
int64_t StoredForward<T>::Bytes() const {
  int64_t bytes = BytesOf(cache.z) + BytesOf(cache.a) + BytesOf(cache.dphi) + BytesOf(cache.u);
  for (const NormCache<T>& norm : cache.norm) {
    bytes += static_cast<int64_t>(norm.xhat.size() + norm.inv_std.size()) * sizeof(T);
  }
  return bytes;
}

template <typename T>
StoredForward<T> ForwardStore<T>::Take(const std::vector<uint64_t>& context,
                                       const std::vector<LayerRole>& roles, int* shared) {
  *shared = 0;
  auto best = passes_.end();
  for (auto it = passes_.begin(); it != passes_.end(); ++it) {
    if (it->context != context) continue;
    int common = 0;
    while (common < static_cast<int>(std::min(roles.size(), it->roles.size())) &&
           roles[common] == it->roles[common]) {
      ++common;
    }
    if (common > *shared) {
      *shared = common;
      best = it;
    }
  }
  if (best == passes_.end()) {
    if (passes_.size() < kMaxPasses) return StoredForward<T>();
    best = std::prev(passes_.end());  // its buffers, for the new pass
  }
  StoredForward<T> pass = std::move(*best);
  bytes_ -= pass.Bytes();
  passes_.erase(best);
  if (*shared == 0) {  // nothing of it is this network's
    pass.roles.clear();
    pass.metrics.clear();
  }
  return pass;
}

template <typename T>
void ForwardStore<T>::Put(StoredForward<T> pass) {
  const int64_t bytes = pass.Bytes();
  if (bytes > budget_) return;
  while (bytes_ + bytes > budget_) {
    bytes_ -= passes_.back().Bytes();
    passes_.pop_back();
  }
  passes_.push_front(std::move(pass));
  bytes_ += bytes;
}

template std::vector<LayerRole> LayerRoles<float>(const Network<float>&);
template std::vector<LayerRole> LayerRoles<double>(const Network<double>&);
template struct StoredForward<float>;
template struct StoredForward<double>;
template class ForwardStore<float>;
template class ForwardStore<double>;

}  // namespace gradflow
