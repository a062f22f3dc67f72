// Chunked products and ForEachChunk: right on partial chunks, and the same bits at any
// thread count.
//
// Products are cut into kProductChunk (256) output rows, elementwise work into kChunk (64)
// columns, so the shapes below straddle both: 1, 255, 256, 257 and 513 output rows, batches of
// 1, 63 and 65, and inner dimensions 63 and 300 (300 makes most products big enough,
// >= kMinParallelWork operations, to run on two threads at all).
#include "base/parallel.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "base/rng.h"

namespace gradflow {
namespace {

// Restores one thread after each test, as the other tests expect.
class Parallel : public ::testing::Test {
 protected:
  void TearDown() override { SetThreads(1); }
};

template <typename T>
Mat<T> RandomMatrix(Eigen::Index rows, Eigen::Index cols, uint64_t index) {
  Rng rng(7, Purpose::kWeights, index);
  Mat<T> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.Normal());
  return m;
}

// The naive reference: out(i, j) = Σ_k left(i, k) right(k, j), each product of two T values
// exact in long double (64-bit mantissa) and summed there, so its own error is far below the
// bound checked. Also returns scale(i, j) = Σ_k |left(i, k) right(k, j)|.
template <typename T>
void NaiveProduct(const Mat<T>& left, const Mat<T>& right, Mat<long double>* out,
                  Mat<long double>* scale) {
  out->setZero(left.rows(), right.cols());
  scale->setZero(left.rows(), right.cols());
  for (Eigen::Index j = 0; j < right.cols(); ++j) {
    for (Eigen::Index i = 0; i < left.rows(); ++i) {
      long double sum = 0, magnitude = 0;
      for (Eigen::Index k = 0; k < left.cols(); ++k) {
        const long double term = static_cast<long double>(left(i, k)) * right(k, j);
        sum += term;
        magnitude += std::fabs(term);
      }
      (*out)(i, j) = sum;
      (*scale)(i, j) = magnitude;
    }
  }
}

// Tolerance: the classic bound on a dot product of length K summed in T in any order,
// |computed - exact| <= K·u·Σ|terms| with u = ε/2 the unit roundoff of T (2^-24 for float32,
// 2^-53 for float64), doubled for slack. For K = 300 that is 3.6e-5 (float32) and 6.7e-14
// (float64) relative to Σ|terms|: tighter than 1e-12 in float64.
template <typename T>
void ExpectMatchesNaive(const Mat<T>& actual, const Mat<long double>& exact,
                        const Mat<long double>& scale, Eigen::Index inner, const char* what) {
  ASSERT_EQ(actual.rows(), exact.rows()) << what;
  ASSERT_EQ(actual.cols(), exact.cols()) << what;
  const long double unit_roundoff = std::numeric_limits<T>::epsilon() / 2;
  int bad = 0;
  for (Eigen::Index j = 0; j < exact.cols(); ++j) {
    for (Eigen::Index i = 0; i < exact.rows(); ++i) {
      const long double bound = 2 * inner * unit_roundoff * scale(i, j);
      const long double error = std::fabs(static_cast<long double>(actual(i, j)) - exact(i, j));
      if (!(error <= bound) && bad++ < 3) {
        ADD_FAILURE() << what << " (" << i << ", " << j << "): error " << static_cast<double>(error)
                      << " > bound " << static_cast<double>(bound);
      }
    }
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " entries out of bound";
}

template <typename T>
bool SameBits(const Mat<T>& a, const Mat<T>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(T) * a.size()) == 0;
}

template <typename T>
void CheckAllProducts() {
  for (Eigen::Index rows : {1, 255, 256, 257, 513}) {
    for (Eigen::Index batch : {1, 63, 65}) {
      for (Eigen::Index inner : {63, 300}) {
        SCOPED_TRACE(::testing::Message()
                     << "rows " << rows << ", batch " << batch << ", inner " << inner);
        Mat<long double> exact, scale;
        // out (rows, batch) = W (rows, inner) · A (inner, batch)
        const Mat<T> w = RandomMatrix<T>(rows, inner, 1);
        const Mat<T> a = RandomMatrix<T>(inner, batch, 2);
        NaiveProduct(w, a, &exact, &scale);
        Mat<T> one, two;
        SetThreads(1);
        MultiplyChunked(w, a, &one);
        SetThreads(2);
        MultiplyChunked(w, a, &two);
        ExpectMatchesNaive(one, exact, scale, inner, "W·A");
        EXPECT_TRUE(SameBits(one, two)) << "W·A differs between 1 and 2 threads";

        // out (rows, batch) = Wᵀ (rows, inner) · D (inner, batch), W being (inner, rows)
        const Mat<T> w_t = RandomMatrix<T>(inner, rows, 3);
        const Mat<T> d = RandomMatrix<T>(inner, batch, 4);
        NaiveProduct<T>(w_t.transpose(), d, &exact, &scale);
        SetThreads(1);
        MultiplyTransposedChunked(w_t, d, &one);
        SetThreads(2);
        MultiplyTransposedChunked(w_t, d, &two);
        ExpectMatchesNaive(one, exact, scale, inner, "Wᵀ·D");
        EXPECT_TRUE(SameBits(one, two)) << "Wᵀ·D differs between 1 and 2 threads";

        // out (rows, inner) = D (rows, batch) · Aᵀ (batch, inner): the sum runs over the batch
        const Mat<T> delta = RandomMatrix<T>(rows, batch, 5);
        const Mat<T> act = RandomMatrix<T>(inner, batch, 6);
        NaiveProduct<T>(delta, act.transpose(), &exact, &scale);
        SetThreads(1);
        MultiplyByTransposeChunked(delta, act, &one);
        SetThreads(2);
        MultiplyByTransposeChunked(delta, act, &two);
        ExpectMatchesNaive(one, exact, scale, batch, "D·Aᵀ");
        EXPECT_TRUE(SameBits(one, two)) << "D·Aᵀ differs between 1 and 2 threads";
      }
    }
  }
}

TEST_F(Parallel, ProductsMatchANaiveTripleLoopOnPartialChunksFloat32) { CheckAllProducts<float>(); }
TEST_F(Parallel, ProductsMatchANaiveTripleLoopOnPartialChunksFloat64) {
  CheckAllProducts<double>();
}

TEST_F(Parallel, ProductsResizeTheirOutput) {
  const MatD w = RandomMatrix<double>(3, 2, 1), a = RandomMatrix<double>(2, 4, 2);
  MatD out(7, 7);  // wrong shape on purpose
  MultiplyChunked(w, a, &out);
  EXPECT_EQ(out.rows(), 3);
  EXPECT_EQ(out.cols(), 4);
  MultiplyTransposedChunked(w, RandomMatrix<double>(3, 5, 3), &out);
  EXPECT_EQ(out.rows(), 2);
  EXPECT_EQ(out.cols(), 5);
  MultiplyByTransposeChunked(w, RandomMatrix<double>(6, 2, 4), &out);
  EXPECT_EQ(out.rows(), 3);
  EXPECT_EQ(out.cols(), 6);
}

TEST_F(Parallel, ProductsOfHandComputedMatrices) {
  MatD w(2, 3), a(3, 2), out;
  w << 1, 2, 3,  //
      4, 5, 6;
  a << 1, 0,  //
      0, 1,   //
      2, -1;
  MultiplyChunked(w, a, &out);
  MatD expected(2, 2);
  expected << 7, -1,  //
      16, -1;
  EXPECT_EQ(out, expected);
  // Wᵀ D with D = [1 2; -1 0]: rows of Wᵀ are (1,4), (2,5), (3,6)
  MatD d(2, 2);
  d << 1, 2,  //
      -1, 0;
  MultiplyTransposedChunked(w, d, &out);
  MatD expected_t(3, 2);
  expected_t << -3, 2,  //
      -3, 4,            //
      -3, 6;
  EXPECT_EQ(out, expected_t);
  // D Aᵀ with D (2, 2) and A = d: [1 2; -1 0][1 -1; 2 0] = [5 -1; -1 1]
  MultiplyByTransposeChunked(d, d, &out);
  MatD expected_bt(2, 2);
  expected_bt << 5, -1,  //
      -1, 1;
  EXPECT_EQ(out, expected_bt);
}

// Every (chunk index, start, size) call ForEachChunk makes, in chunk order.
struct ChunkCall {
  Eigen::Index index, start, size;
  int thread;
};
std::vector<ChunkCall> Calls(Eigen::Index n, Eigen::Index chunk, double work) {
  std::vector<ChunkCall> calls(static_cast<size_t>((n + chunk - 1) / chunk), {-1, -1, -1, -1});
  ForEachChunk(
      n, chunk,
      [&](Eigen::Index c, Eigen::Index start, Eigen::Index size) {
        calls[static_cast<size_t>(c)] = {c, start, size, omp_get_thread_num()};
      },
      work);
  return calls;
}

TEST_F(Parallel, ForEachChunkCutsFixedChunksWithAShorterLastOne) {
  for (Eigen::Index n : {1, 63, 64, 65, 127, 128, 129, 257}) {
    for (int threads : {1, 2}) {
      SetThreads(threads);
      const std::vector<ChunkCall> calls = Calls(n, kChunk, kMinParallelWork);
      Eigen::Index covered = 0;
      for (size_t c = 0; c < calls.size(); ++c) {
        EXPECT_EQ(calls[c].index, static_cast<Eigen::Index>(c));
        EXPECT_EQ(calls[c].start, covered) << "n " << n;
        EXPECT_EQ(calls[c].size, std::min(kChunk, n - covered)) << "n " << n;
        covered += calls[c].size;
      }
      EXPECT_EQ(covered, n);
    }
  }
  EXPECT_EQ(Calls(257, kChunk, 0).size(), 5u);  // 64 + 64 + 64 + 64 + 1
  EXPECT_EQ(Calls(257, kChunk, 0).back().size, 1);
  EXPECT_EQ(Calls(513, kProductChunk, 0).size(), 3u);  // 256 + 256 + 1
  EXPECT_TRUE(Calls(0, kChunk, kMinParallelWork).empty());
}

TEST_F(Parallel, ForEachChunkUsesThreadsOnlyForEnoughWork) {
  SetThreads(2);
  std::set<int> big, small;
  for (const ChunkCall& call : Calls(1024, kChunk, kMinParallelWork)) big.insert(call.thread);
  for (const ChunkCall& call : Calls(1024, kChunk, kMinParallelWork / 2)) {
    small.insert(call.thread);
  }
  EXPECT_EQ(big, (std::set<int>{0, 1}));  // static schedule: both threads get chunks
  EXPECT_EQ(small, (std::set<int>{0}));
  SetThreads(1);
  std::set<int> one;
  for (const ChunkCall& call : Calls(1024, kChunk, kMinParallelWork)) one.insert(call.thread);
  EXPECT_EQ(one, (std::set<int>{0}));
}

TEST_F(Parallel, ForEachChunkRethrowsABodysExceptionAfterTheLoopAtTwoThreads) {
  // Without the catch inside the OpenMP region this test would end the whole
  // binary through std::terminate.
  for (int threads : {1, 2}) {
    SetThreads(threads);
    try {
      ForEachChunk(
          1024, kChunk,
          [&](Eigen::Index c, Eigen::Index, Eigen::Index) {
            if (c == 9) throw std::runtime_error("chunk 9 failed");
          },
          kMinParallelWork);
      ADD_FAILURE() << "no exception at " << threads << " thread(s)";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "chunk 9 failed");
    }
  }
}

TEST_F(Parallel, SetThreadsZeroMeansAllCores) {
  SetThreads(3);
  EXPECT_EQ(Threads(), 3);
  SetThreads(0);
  EXPECT_GE(Threads(), 1);
  EXPECT_EQ(Threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace gradflow
