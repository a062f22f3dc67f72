#include "base/parallel.h"

#include <omp.h>

#include <algorithm>
#include <thread>

#ifdef GRADFLOW_OPENBLAS
// OpenBLAS runs single-threaded inside each fixed chunk: its own threading
// would make the work split (and so the bits) depend on the thread count.
extern "C" void openblas_set_num_threads(int threads);
#endif

namespace gradflow {
namespace {

int g_threads = 1;

#ifdef GRADFLOW_OPENBLAS
// Before any product, not only after SetThreads: callers of the core that never
// set a thread count still get OpenBLAS's single-threaded, fixed-order kernels.
const bool g_openblas_single_threaded = [] {
  openblas_set_num_threads(1);
  return true;
}();
#endif

// The products' chunk loop: body(start, size) over kProductChunk output rows of a product
// of `flops` operations.
template <typename Body>
void ForEachProductChunk(Eigen::Index n, double flops, Body body) {
  ForEachChunk(
      n, kProductChunk,
      [&](Eigen::Index, Eigen::Index start, Eigen::Index size) { body(start, size); }, flops);
}

double Flops(Eigen::Index m, Eigen::Index k, Eigen::Index n) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n);
}

}  // namespace

void SetThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g_threads = threads;
  Eigen::setNbThreads(1);
  Eigen::initParallel();
#ifdef GRADFLOW_OPENBLAS
  openblas_set_num_threads(1);
#endif
}

int Threads() { return g_threads; }

template <typename T>
void MultiplyChunked(const Mat<T>& w, const Mat<T>& a, Mat<T>* out) {
  out->resize(w.rows(), a.cols());
  ForEachProductChunk(w.rows(), Flops(w.rows(), w.cols(), a.cols()),
                      [&](Eigen::Index start, Eigen::Index size) {
                        out->middleRows(start, size).noalias() = w.middleRows(start, size) * a;
                      });
}

template <typename T>
void MultiplyTransposedChunked(const Mat<T>& w, const Mat<T>& d, Mat<T>* out) {
  out->resize(w.cols(), d.cols());
  ForEachProductChunk(
      w.cols(), Flops(w.cols(), w.rows(), d.cols()), [&](Eigen::Index start, Eigen::Index size) {
        out->middleRows(start, size).noalias() = w.middleCols(start, size).transpose() * d;
      });
}

template <typename T>
void MultiplyByTransposeChunked(const Mat<T>& d, const Mat<T>& a, Mat<T>* out) {
  out->resize(d.rows(), a.rows());
  ForEachProductChunk(
      d.rows(), Flops(d.rows(), d.cols(), a.rows()), [&](Eigen::Index start, Eigen::Index size) {
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
