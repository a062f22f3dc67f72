// Thread-count-independent parallel matrix products.
//
// Eigen's own multithreaded GEMM picks its blocking by thread count, so one
// thread and two differ in the last bits at sizes >= ~1000. Here every product
// is cut into fixed chunks of kChunk columns (or rows) whose size never depends
// on the thread count; each chunk is one single-threaded Eigen GEMM, and the
// chunks are shared out among threads. So every output element is summed in
// the same order whatever --threads is, and results are byte-identical.
#pragma once

#include "types.h"

namespace gradflow {

constexpr Eigen::Index kChunk = 64;

// Sets the number of worker threads (0: all cores). Eigen itself stays single-threaded.
void SetThreads(int threads);
int Threads();

// out (M, B) = W (M, K) · A (K, B)          chunks of columns of A and out
template <typename T>
void MultiplyChunked(const Mat<T>& w, const Mat<T>& a, Mat<T>* out);
// out (K, B) = Wᵀ (K, M) · D (M, B)         chunks of columns of D and out
template <typename T>
void MultiplyTransposedChunked(const Mat<T>& w, const Mat<T>& d, Mat<T>* out);
// out (M, K) = D (M, B) · Aᵀ (B, K)         chunks of rows of D and out
template <typename T>
void MultiplyByTransposeChunked(const Mat<T>& d, const Mat<T>& a, Mat<T>* out);

}  // namespace gradflow
