#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <thread>

namespace gradflow {
namespace {

int g_threads = 1;

Eigen::Index NumChunks(Eigen::Index n) { return (n + kChunk - 1) / kChunk; }

// Calls body(start, size) for each fixed chunk of [0, n), spread over threads.
template <typename Body>
void ForEachChunk(Eigen::Index n, Body body) {
  const Eigen::Index chunks = NumChunks(n);
  const int threads = static_cast<int>(std::min<Eigen::Index>(g_threads, chunks));
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index start = c * kChunk;
    body(start, std::min(kChunk, n - start));
  }
}

}  // namespace

void SetThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g_threads = threads;
  Eigen::setNbThreads(1);
  Eigen::initParallel();
}

int Threads() { return g_threads; }

template <typename T>
void MultiplyChunked(const Mat<T>& w, const Mat<T>& a, Mat<T>* out) {
  out->resize(w.rows(), a.cols());
  ForEachChunk(a.cols(), [&](Eigen::Index start, Eigen::Index size) {
    out->middleCols(start, size).noalias() = w * a.middleCols(start, size);
  });
}

template <typename T>
void MultiplyTransposedChunked(const Mat<T>& w, const Mat<T>& d, Mat<T>* out) {
  out->resize(w.cols(), d.cols());
  ForEachChunk(d.cols(), [&](Eigen::Index start, Eigen::Index size) {
    out->middleCols(start, size).noalias() = w.transpose() * d.middleCols(start, size);
  });
}

template <typename T>
void MultiplyByTransposeChunked(const Mat<T>& d, const Mat<T>& a, Mat<T>* out) {
  out->resize(d.rows(), a.rows());
  ForEachChunk(d.rows(), [&](Eigen::Index start, Eigen::Index size) {
    out->middleRows(start, size).noalias() = d.middleRows(start, size) * a.transpose();
  });
}

template void MultiplyChunked<float>(const Mat<float>&, const Mat<float>&, Mat<float>*);
template void MultiplyChunked<double>(const Mat<double>&, const Mat<double>&, Mat<double>*);
template void MultiplyTransposedChunked<float>(const Mat<float>&, const Mat<float>&, Mat<float>*);
template void MultiplyTransposedChunked<double>(const Mat<double>&, const Mat<double>&,
                                                Mat<double>*);
template void MultiplyByTransposeChunked<float>(const Mat<float>&, const Mat<float>&, Mat<float>*);
template void MultiplyByTransposeChunked<double>(const Mat<double>&, const Mat<double>&,
                                                 Mat<double>*);

}  // namespace gradflow
