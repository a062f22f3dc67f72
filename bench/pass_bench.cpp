// Benchmarks of the gradflow pass and its parts (Google Benchmark).
//
// Build: cmake -S . -B build -DGRADFLOW_BENCH=ON && cmake --build build --target gradflow_bench
// The reference numbers (PyTorch, GEMM peak) come from scripts/bench_vs_torch.py, which runs
// this binary and PyTorch alternately in one session.
#include <benchmark/benchmark.h>

#include "base/parallel.h"
#include "engine/inputs.h"
#include "engine/loss.h"
#include "experiment/run.h"

namespace gradflow {
namespace {

// Arguments: depth, width, batch, threads, activation (ActivationKind as an
// integer: 0 sigmoid, 1 tanh, 2 relu; He init for ReLU, Xavier for the others).
RunConfig PassConfig(const benchmark::State& state) {
  RunConfig c;
  c.activation = static_cast<ActivationKind>(state.range(4));
  c.init = c.activation == ActivationKind::kRelu ? InitKind::kHeNormal : InitKind::kXavierNormal;
  c.depth = static_cast<int>(state.range(0));
  c.width = static_cast<int>(state.range(1));
  c.batch = static_cast<int>(state.range(2));
  c.threads = static_cast<int>(state.range(3));
  return c;
}

// One forward/backward pass with every metric, network and data built outside the timing.
// Counter GFLOPS uses 6·L·N²·B (forward, ∂a and ∂W products).
void BM_Pass(benchmark::State& state) {
  const RunConfig c = PassConfig(state);
  SetThreads(c.threads);
  const Network<float> network = BuildNetwork<float>(c);
  const Mat<float> x = SampleInput(c).cast<float>();
  const LossTargets targets = SampleLossTargets(LossKind::kProbe, c.width, c.batch, c.seed);
  for (auto _ : state) {
    RunResult r = MeasureNetwork(c, network, x, targets);
    benchmark::DoNotOptimize(r);
  }
  const double flops = 6.0 * c.depth * double(c.width) * c.width * c.batch;
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Pass)
    ->ArgsProduct({{50}, {1024}, {256}, {1, 2}, {0, 1, 2}})
    ->Args({20, 128, 64, 1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The machine's float GEMM throughput through the same chunked products the pass uses
// (out = W·A, N×N times N×B), the reference for "fraction of GEMM peak".
void BM_GemmPeak(benchmark::State& state) {
  const Eigen::Index n = state.range(0), b = state.range(1);
  SetThreads(static_cast<int>(state.range(2)));
  const Mat<float> w = Mat<float>::Random(n, n), a = Mat<float>::Random(n, b);
  Mat<float> out;
  for (auto _ : state) {
    MultiplyChunked(w, a, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * n * n * b * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_GemmPeak)
    ->Args({1024, 256, 1})
    ->Args({1024, 256, 2})
    ->Args({2048, 2048, 1})
    ->Args({2048, 2048, 2})
    ->Args({64, 64, 1})  // the sweep's shapes (scripts/bench_vs_torch.py: GEMM-bound time)
    ->Args({128, 64, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Eigen's own GEMM on one big product, single-threaded: an upper bound for one core.
void BM_EigenGemm(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  Eigen::setNbThreads(1);
  const Mat<float> w = Mat<float>::Random(n, n), a = Mat<float>::Random(n, n);
  Mat<float> out(n, n);
  for (auto _ : state) {
    out.noalias() = w * a;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EigenGemm)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

// The elementwise parts alone, per layer of 1024 × 256.
void BM_ForwardMetrics(benchmark::State& state) {
  const Activation act(FindActivation("sigmoid"), {});
  const Mat<float> z = Mat<float>::Random(1024, 256) * 3;
  Mat<float> a;
  act.Forward(z, &a);
  LayerMetrics m;
  for (auto _ : state) {
    ComputeForwardMetrics(act, z, a, 0.02, &m);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ForwardMetrics)->Unit(benchmark::kMicrosecond);

void BM_ActivationForwardBackward(benchmark::State& state) {
  const Activation act(FindActivation("sigmoid"), {});
  const Mat<float> z = Mat<float>::Random(1024, 256) * 3, da = Mat<float>::Random(1024, 256);
  Mat<float> a, delta;
  for (auto _ : state) {
    act.Forward(z, &a);
    act.Backward(z, da, &delta);
    benchmark::DoNotOptimize(delta.data());
  }
}
BENCHMARK(BM_ActivationForwardBackward)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gradflow

BENCHMARK_MAIN();
