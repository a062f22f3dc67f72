// Network: forward and backward of a tiny 2-layer net against numbers computed by hand, and
// BuildNetwork's shapes and seeding. (Gradients against central finite differences for
// every activation and loss are in gradient_check_test.cpp.)
#include "engine/network.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/parallel.h"

namespace gradflow {
namespace {

// Layer 1: ReLU, W1 = [1 -1; 2 0.5], b1 = (0.5, -1). Layer 2: a linear head W2 = [1 2], b2 = 0.25.
// Two samples (columns): x = [1 3; 2 -1].
//   z1 = W1 x + b1 = [-0.5 4.5; 2 4.5]   a1 = relu(z1) = [0 4.5; 2 4.5]   φ'(z1) = [0 1; 1 1]
//   z2 = W2 a1 + b2 = [4.25 13.75]        a2 = z2
// Backward from dout = ∂Loss/∂a2 = [1 -1]:
//   δ2 = [1 -1]    ∂W2 = δ2 a1ᵀ = [-4.5 -2.5]     ∂b2 = 0
//   ∂a1 = W2ᵀ δ2 = [1 -1; 2 -2]    δ1 = φ'(z1) ⊙ ∂a1 = [0 -1; 2 -2]
//   ∂W1 = δ1 xᵀ = [-3 1; -4 6]     ∂b1 = (-1, 0)
template <typename T>
Network<T> TinyNetwork() {
  std::vector<Layer<T>> layers(2);
  layers[0].w.resize(2, 2);
  layers[0].w << 1, -1,  //
      2, 0.5;
  layers[0].b.resize(2);
  layers[0].b << 0.5, -1;
  layers[1].w.resize(1, 2);
  layers[1].w << 1, 2;
  layers[1].b.resize(1);
  layers[1].b << 0.25;
  layers[1].is_head = true;
  return Network<T>(Activation(FindActivation("relu"), ActivationParams{}), std::move(layers));
}

template <typename T>
Mat<T> Matrix(Eigen::Index rows, Eigen::Index cols, std::initializer_list<double> values) {
  Mat<T> m(rows, cols);
  auto it = values.begin();
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = static_cast<T>(*it++);
  return m;
}

struct Gradient {
  int layer;
  MatD delta, dw;
  VecD db;
};

template <typename T>
std::vector<Gradient> Backward(Network<T>* net, const ForwardCache<T>& cache, const Mat<T>& dout,
                               bool zero_weights_in_visitor = false) {
  std::vector<Gradient> seen;
  net->Backward(cache, dout, [&](int l, const LayerGradient<T>& g) {
    seen.push_back({l, g.delta.template cast<double>(), g.dw.template cast<double>(),
                    g.db.template cast<double>()});
    if (zero_weights_in_visitor) net->layer(l).w.setZero();
  });
  return seen;
}

template <typename T>
class NetworkByHand : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(NetworkByHand, Types);

TYPED_TEST(NetworkByHand, ForwardFillsZActivationsAndDerivatives) {
  using T = TypeParam;
  const Network<T> net = TinyNetwork<T>();
  EXPECT_EQ(net.NumLayers(), 2);
  EXPECT_EQ(net.ActivationOf(1).name(), "relu");
  EXPECT_EQ(net.ActivationOf(2).name(), "identity");  // the head is linear
  const Mat<T> x = Matrix<T>(2, 2, {1, 3, 2, -1});
  ForwardCache<T> cache;
  net.Forward(x, &cache);
  ASSERT_EQ(cache.a.size(), 3u);
  EXPECT_EQ(cache.a[0], x);
  EXPECT_EQ(cache.z[1], Matrix<T>(2, 2, {-0.5, 4.5, 2, 4.5}));
  EXPECT_EQ(cache.a[1], Matrix<T>(2, 2, {0, 4.5, 2, 4.5}));
  EXPECT_EQ(cache.dphi[1], Matrix<T>(2, 2, {0, 1, 1, 1}));
  EXPECT_EQ(cache.z[2], Matrix<T>(1, 2, {4.25, 13.75}));
  EXPECT_EQ(cache.a[2], Matrix<T>(1, 2, {4.25, 13.75}));
  EXPECT_EQ(cache.dphi[2], Matrix<T>(1, 2, {1, 1}));
}

TYPED_TEST(NetworkByHand, BackwardGivesHandComputedGradientsTopLayerFirst) {
  using T = TypeParam;
  Network<T> net = TinyNetwork<T>();
  ForwardCache<T> cache;
  net.Forward(Matrix<T>(2, 2, {1, 3, 2, -1}), &cache);
  const std::vector<Gradient> g = Backward(&net, cache, Matrix<T>(1, 2, {1, -1}));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].layer, 2);
  EXPECT_EQ(g[0].delta, Matrix<double>(1, 2, {1, -1}));
  EXPECT_EQ(g[0].dw, Matrix<double>(1, 2, {-4.5, -2.5}));
  EXPECT_EQ(g[0].db, Matrix<double>(1, 1, {0}));
  EXPECT_EQ(g[1].layer, 1);
  EXPECT_EQ(g[1].delta, Matrix<double>(2, 2, {0, -1, 2, -2}));
  EXPECT_EQ(g[1].dw, Matrix<double>(2, 2, {-3, 1, -4, 6}));
  EXPECT_EQ(g[1].db, Matrix<double>(2, 1, {-1, 0}));
}

TYPED_TEST(NetworkByHand, VisitorMayChangeTheWeightsItWasGivenTheGradientOf) {
  // The gradient for layer 1 is taken from W2 before layer 2's visitor runs, so an
  // optimiser updating W2 inside the visitor does not change layer 1's gradient.
  using T = TypeParam;
  Network<T> net = TinyNetwork<T>();
  ForwardCache<T> cache;
  net.Forward(Matrix<T>(2, 2, {1, 3, 2, -1}), &cache);
  const std::vector<Gradient> g = Backward(&net, cache, Matrix<T>(1, 2, {1, -1}), true);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1].delta, Matrix<double>(2, 2, {0, -1, 2, -2}));
  EXPECT_EQ(g[1].dw, Matrix<double>(2, 2, {-3, 1, -4, 6}));
  EXPECT_TRUE(net.layer(2).w.isZero());
}

TEST(Network, ForwardCallsAfterLayerAndMayReleaseZ) {
  const Network<double> net = TinyNetwork<double>();
  ForwardCache<double> cache;
  std::vector<int> layers;
  std::vector<MatD> z_seen;
  net.Forward(
      Matrix<double>(2, 2, {1, 3, 2, -1}), &cache,
      [&](int l, const MatD& z) {
        layers.push_back(l);
        z_seen.push_back(z);
      },
      /*keep_z=*/false);
  EXPECT_EQ(layers, (std::vector<int>{1, 2}));
  EXPECT_EQ(z_seen[0], Matrix<double>(2, 2, {-0.5, 4.5, 2, 4.5}));
  EXPECT_EQ(z_seen[1], Matrix<double>(1, 2, {4.25, 13.75}));
  EXPECT_EQ(cache.z[1].size(), 0);  // released
  EXPECT_EQ(cache.z[2].size(), 0);
  // The backward pass needs only a and φ'(z): the same gradients without z.
  Network<double> copy = net;
  const std::vector<Gradient> g = Backward(&copy, cache, Matrix<double>(1, 2, {1, -1}));
  EXPECT_EQ(g[1].dw, Matrix<double>(2, 2, {-3, 1, -4, 6}));
  // Used again for the same shapes, the cache keeps every per-layer buffer (a
  // sweep worker's workspace: no allocation, no fresh pages per run). The one
  // shared z buffer (z[0], keep_z false) is resized from layer to layer when
  // their shapes differ, as here (2x2, then 1x2), so whether it moves is the
  // allocator's business: not checked (under ASan it always moves).
  std::vector<const double*> buffers;
  for (int l = 0; l <= 2; ++l) buffers.push_back(cache.a[l].data());
  for (int l = 1; l <= 2; ++l) buffers.push_back(cache.dphi[l].data());
  net.Forward(Matrix<double>(2, 2, {0, 1, 1, 0}), &cache, {}, /*keep_z=*/false);
  std::vector<const double*> again;
  for (int l = 0; l <= 2; ++l) again.push_back(cache.a[l].data());
  for (int l = 1; l <= 2; ++l) again.push_back(cache.dphi[l].data());
  EXPECT_EQ(again, buffers);
}

RunConfig SmallConfig() {
  RunConfig c;
  c.activation = ParseActivation("tanh");
  c.init = ParseInit("xavier_normal");
  c.depth = 3;
  c.width = 4;
  c.input_dim = 5;
  c.batch = 2;
  c.seed = 3;
  return c;
}

TEST(BuildNetwork, ShapesFollowTheConfigWithTheHeadLast) {
  RunConfig c = SmallConfig();
  c.loss = ParseLoss("mse");
  c.output_dim = 2;
  const Network<double> net = BuildNetwork<double>(c);
  ASSERT_EQ(net.NumLayers(), 4);  // 3 hidden + head
  EXPECT_EQ(net.layer(1).w.rows(), 4);
  EXPECT_EQ(net.layer(1).w.cols(), 5);  // fan_in = input_dim
  EXPECT_EQ(net.layer(2).w.cols(), 4);
  EXPECT_EQ(net.layer(4).w.rows(), 2);  // the mse head
  EXPECT_TRUE(net.layer(4).is_head);
  EXPECT_FALSE(net.layer(3).is_head);
  EXPECT_TRUE(net.layer(2).b.isZero());  // bias_std 0: no biases
  c.loss = ParseLoss("probe");
  EXPECT_EQ(BuildNetwork<double>(c).NumLayers(), 3);
  c.activation = ParseActivation("maxout");
  c.activation_params.maxout_pieces = 3;
  const Network<float> maxout = BuildNetwork<float>(c);
  EXPECT_EQ(maxout.layer(2).w.rows(), 12);  // width · pieces
  EXPECT_EQ(maxout.layer(2).w.cols(), 4);
}

TEST(BuildNetwork, SameSeedSameWeightsAtAnyThreadCountFloat32IsRoundedFloat64) {
  RunConfig c = SmallConfig();
  c.bias_std = 0.5;
  c.depth = 40;  // enough layers for the parallel sampling loop to matter
  c.width = 300;
  SetThreads(1);
  const Network<double> one = BuildNetwork<double>(c);
  SetThreads(2);
  const Network<double> two = BuildNetwork<double>(c);
  SetThreads(1);
  const Network<float> single = BuildNetwork<float>(c);
  for (int l = 1; l <= one.NumLayers(); ++l) {
    EXPECT_EQ(one.layer(l).w, two.layer(l).w) << "layer " << l;
    EXPECT_EQ(one.layer(l).b, two.layer(l).b) << "layer " << l;
    EXPECT_EQ(single.layer(l).w, one.layer(l).w.cast<float>()) << "layer " << l;
  }
  EXPECT_FALSE(one.layer(1).b.isZero());
  EXPECT_NE(one.layer(1).w, one.layer(2).w.leftCols(5));  // per-layer streams differ
  c.seed = 4;
  EXPECT_NE(BuildNetwork<double>(c).layer(1).w, one.layer(1).w);
}

}  // namespace
}  // namespace gradflow
