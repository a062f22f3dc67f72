// Thread-count-independent parallel matrix products.
//
// Eigen's own multithreaded GEMM picks its blocking by thread count, so one
// thread and two differ in the last bits at sizes >= ~1000. Here every product
// is cut into fixed chunks of kProductChunk output rows whose size never
// depends on the thread count; each chunk is one single-threaded Eigen GEMM,
// and the chunks are shared out among threads. So every output element is
// summed in the same order whatever --threads is, and results are
// byte-identical. Row chunks pack each row of the big weight matrix once
// (column chunks of the batch would pack all of W once per chunk: measured
// 10% of a depth-50, width-1024 pass). Elementwise work is cut into kChunk
// columns (samples).
#pragma once

#include <algorithm>
#include <exception>

#include "base/types.h"

namespace gradflow {

constexpr Eigen::Index kChunk = 64;          // columns per elementwise chunk
constexpr Eigen::Index kProductChunk = 256;  // output rows per product chunk

// Sets the number of worker threads (0: all cores). Eigen itself stays single-threaded.
void SetThreads(int threads);
int Threads();

// Below this many arithmetic operations a loop runs on one thread: waking the
// other threads costs more than they save (measured: width 128, batch 64
// training ran 6x slower on 2 busy cores with every product threaded).
constexpr double kMinParallelWork = 1 << 23;

// The `work` of one pass over one value (a load, a few operations, maybe a
// store), in those operations: about what a core's GEMM does in the same
// time (an AVX2 core's FMAs do 32 per cycle). So a statistic over a
// 1024 x 256 layer (8 passes or fewer) is worth both threads, and one over a
// 128 x 64 layer is not. Counting elementwise loops as 1-16 per value left
// every statistic of a depth-50, width-1024 pass on one thread: 13% of its
// wall time with the other thread waiting.
constexpr double kValuePass = 32;

// Calls body(chunk_index, start, size) for each chunk [start, start+size) of
// [0, n) in pieces of `chunk` (the last may be shorter), spread over the
// worker threads when `work` (operations in the whole loop) is worth it.
// Chunks never depend on the thread count, so a caller that combines
// per-chunk results in chunk order gets the same bits at any --threads.
// An exception thrown by a body (std::bad_alloc, say) must not leave an OpenMP
// region, where it would call std::terminate: the first one is kept, the
// remaining chunks are skipped, and it is rethrown after the loop.
template <typename Body>
void ForEachChunk(Eigen::Index n, Eigen::Index chunk, Body body, double work = kMinParallelWork) {
  const Eigen::Index chunks = (n + chunk - 1) / chunk;
  const int threads =
      work < kMinParallelWork ? 1 : static_cast<int>(std::min<Eigen::Index>(Threads(), chunks));
  if (threads <= 1) {
    // No OpenMP region at all: even one with if(false) goes through libgomp
    // (measured 8% of a --jobs 1 sweep of small networks). An exception simply
    // propagates from here.
    for (Eigen::Index c = 0; c < chunks; ++c) {
      const Eigen::Index start = c * chunk;
      body(c, start, std::min(chunk, n - start));
    }
    return;
  }
  // An exception may not leave an OpenMP region (std::terminate): keep the
  // first, skip the remaining chunks, rethrow after the loop.
  std::exception_ptr error;
  bool failed = false;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (Eigen::Index c = 0; c < chunks; ++c) {
    bool skip;
#pragma omp atomic read
    skip = failed;
    if (skip) continue;
    try {
      const Eigen::Index start = c * chunk;
      body(c, start, std::min(chunk, n - start));
    } catch (...) {
#pragma omp critical(gradflow_for_each_chunk_error)
      {
        if (!error) error = std::current_exception();
      }
#pragma omp atomic write
      failed = true;
    }
  }
  if (error) std::rethrow_exception(error);
}

// out (M, B) = W (M, K) · A (K, B)          chunks of rows of W and out
template <typename T>
void MultiplyChunked(const Mat<T>& w, const Mat<T>& a, Mat<T>* out);
// out (K, B) = Wᵀ (K, M) · D (M, B)         chunks of columns of W, rows of out
template <typename T>
void MultiplyTransposedChunked(const Mat<T>& w, const Mat<T>& d, Mat<T>* out);
// out (M, K) = D (M, B) · Aᵀ (B, K)         chunks of rows of D and out
template <typename T>
void MultiplyByTransposeChunked(const Mat<T>& d, const Mat<T>& a, Mat<T>* out);

}  // namespace gradflow
