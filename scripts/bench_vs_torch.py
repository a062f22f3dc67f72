#!/usr/bin/env python3
"""Time gradflow against a PyTorch reference on the same configurations, in one run.

Run through scripts/bench.sh (it installs python3-torch, OpenBLAS and Google Benchmark from
Debian and builds build/gradflow_bench). Measurements alternate between PyTorch and gradflow
round by round, and the report gives medians and ratios, never a lone absolute time:

  1. one large pass (depth 50, width 1024, batch 256, float32, probe loss) for sigmoid, tanh and
     ReLU: gradflow's forward/backward with every metric vs PyTorch forward/backward with
     per-layer hooks computing the same metrics, at the same thread count; sigmoid and tanh
     against ReLU; and gradflow's FLOP rate (6*L*N^2*B per pass) as a fraction of the machine's
     measured SGEMM peak (the faster of OpenBLAS through torch.mm and gradflow's chunked GEMM,
     both 2048^3 at the same thread count);
  2. the benchmark sweep (6 activations x depths 5,10,20,50 x widths 64,128 x 5 seeds, batch 64):
     `gradflow sweep --jobs 1` vs two PyTorch loops on one thread, a lean one (plain tensors,
     retain_grad, no module hooks, each layer's statistics stacked and converted once) and the
     heavier one with module hooks; gradflow also with --no-forward-reuse (every run's forward
     pass from layer 1, as the PyTorch loops compute it); and the sweep's GEMM-bound time (its
     FLOPs over the measured single-thread SGEMM rate at the sweep's shapes) as a share of
     gradflow's time;
  3. peak RSS of `gradflow run` on the large configuration vs the bytes of the tensors its
     backward pass needs (weights and biases, a^0..a^L, phi'(z^1..z^L)).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradflow_tables  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder with gradflow and gradflow_bench")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both sides (default: all cores)")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds per measurement")
    p.add_argument("--quick", action="store_true", help="about one minute: fewer rounds, a smaller sweep")
    p.add_argument("--json", help="also write the results here")
    return p.parse_args()


# ---------------------------------------------------------------- PyTorch reference
# The activations this reference builds in torch (torch_model), each at gradflow's default
# parameter, which is also torch's (LeakyReLU 0.01, ELU 1, maxout 2 pieces).
TORCH_REFERENCE = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout")
# The large pass's activations, in ActivationKind order (BM_Pass's last argument).
PASS_ACTIVATIONS = ("sigmoid", "tanh", "relu")
# name -> (phi'(z, a), sup |phi'|) for the saturation metrics (maxout never saturates); sup |phi'|
# and the leaky slope come from gradflow's table (load_derivatives).
DERIVATIVES = {}


def bench_activations(tables):
    """The activations of gradflow's table that this reference can build, in table order."""
    names = gradflow_tables.names(tables, "activations")
    missing = [n for n in TORCH_REFERENCE if n not in names]
    if missing:
        raise ValueError(f"gradflow has no activation {', '.join(missing)} (list --json)")
    return [n for n in names if n in TORCH_REFERENCE]


def load_derivatives(tables):
    slope = gradflow_tables.activation_parameter(tables, "leaky_relu", {})
    functions = {
        "sigmoid": lambda z, a: a * (1 - a),
        "tanh": lambda z, a: 1 - a * a,
        "relu": lambda z, a: (z > 0).to(z.dtype),
        "leaky_relu": lambda z, a: (z > 0).to(z.dtype) * (1 - slope) + slope,
        "elu": lambda z, a: (z > 0).to(z.dtype) + (z <= 0).to(z.dtype) * (a + 1),
    }
    DERIVATIVES.clear()
    for name, function in functions.items():
        DERIVATIVES[name] = (function, gradflow_tables.activation(tables, name)["max_abs_dphi"])
    return DERIVATIVES


def torch_model(torch, activation, depth, width, init="he_normal", pieces=2):
    """nn.Sequential of Linear + activation, gradflow's layout (maxout: width*pieces rows)."""
    class Maxout(torch.nn.Module):
        def forward(self, z):
            return z.view(z.shape[0], -1, pieces).max(-1).values

    modules = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
               "leaky_relu": torch.nn.LeakyReLU, "elu": torch.nn.ELU, "maxout": Maxout}
    assert set(modules) == set(TORCH_REFERENCE)
    layers = []
    for _ in range(depth):
        lin = torch.nn.Linear(width, width * (pieces if activation == "maxout" else 1))
        if init == "he_normal":
            torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers += [lin, modules[activation]()]
    return torch.nn.Sequential(*layers)


def torch_setup(torch, depth, width, batch, activation="relu", seed=0, init="he_normal"):
    torch.manual_seed(seed)
    model = torch_model(torch, activation, depth, width, init)
    return model, torch.randn(batch, width), torch.randn(batch, width), activation


def torch_pass(torch, model, x, probe, activation, tau=0.02):
    """Forward/backward with hooks capturing z and a per layer, then gradflow's metrics."""
    zs, acts = [], []
    hooks = []
    for module in model:
        if isinstance(module, torch.nn.Linear):
            def keep_z(_m, _inp, out):
                out.retain_grad()
                zs.append(out)
            hooks.append(module.register_forward_hook(keep_z))
        else:
            hooks.append(module.register_forward_hook(lambda _m, _i, out: acts.append(out)))
    for p in model.parameters():
        p.grad = None
    out = model(x)
    loss = (probe * out).sum() / x.shape[0]
    loss.backward()
    for h in hooks:
        h.remove()
    rows = []
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    prev = x
    with torch.no_grad():
        for lin, z, a in zip(linears, zs, acts):
            delta = z.grad
            row = [z.mean().item(), z.std(unbiased=False).item(), z.pow(2).mean().item(),
                   a.mean().item(), a.std(unbiased=False).item()]
            if activation in DERIVATIVES:
                derivative, top = DERIVATIVES[activation]
                dphi = derivative(z, a)
                sat = (dphi.abs() < tau * top).float()
                row += [sat.mean().item(), (sat.mean(0) >= 0.99).float().mean().item(),
                        (dphi.sum(0) == 0).float().mean().item()]
            per_example = (delta.norm(dim=1) * prev.norm(dim=1)).pow(2).mean().sqrt()
            row += [delta.norm().item(), lin.weight.grad.norm().item(), lin.bias.grad.norm().item(),
                    per_example.item(), lin.weight.norm().item(),
                    (~torch.isfinite(z)).sum().item() + (~torch.isfinite(a)).sum().item()
                    + (~torch.isfinite(delta)).sum().item()]
            rows.append(row)
            prev = a
    return rows


# torch.sigmoid and torch.tanh, not the deprecated torch.nn.functional ones (a warning per call).
ACTIVATION_FUNCTIONS = {"sigmoid": "torch.sigmoid", "tanh": "torch.tanh", "relu": "torch.relu",
                        "leaky_relu": "F.leaky_relu", "elu": "F.elu"}


def lean_network(torch, activation, depth, width, pieces=2):
    """Xavier-uniform weights (width*pieces rows for maxout) and zero biases, plain tensors."""
    rows = width * (pieces if activation == "maxout" else 1)
    bound = (6.0 / (width + rows)) ** 0.5
    weights = [((torch.rand(rows, width) * 2 - 1) * bound).requires_grad_() for _ in range(depth)]
    biases = [torch.zeros(rows, requires_grad=True) for _ in range(depth)]
    return weights, biases


def lean_pass(torch, weights, biases, x, probe, activation, tau=0.02, pieces=2):
    """Forward with retain_grad on each z, one autograd backward, gradflow's metrics per layer
    stacked into one tensor and converted to Python once."""
    F = torch.nn.functional
    zs, acts = [], []
    a = x
    for w, b in zip(weights, biases):
        z = torch.addmm(b, a, w.t())
        z.retain_grad()
        if activation == "maxout":
            a = z.view(z.shape[0], -1, pieces).max(-1).values
        else:
            module, name = ACTIVATION_FUNCTIONS[activation].split(".")
            a = getattr(torch if module == "torch" else F, name)(z)
        zs.append(z)
        acts.append(a)
    ((probe * a).sum() / x.shape[0]).backward()
    with torch.no_grad():
        layers = []
        prev = x
        for w, b, z, a in zip(weights, biases, zs, acts):
            delta = z.grad
            stats = [z.mean(), z.std(unbiased=False), z.pow(2).mean(), a.mean(), a.std(unbiased=False)]
            if activation in DERIVATIVES:
                derivative, top = DERIVATIVES[activation]
                dphi = derivative(z, a)
                sat = (dphi.abs() < tau * top).float()
                stats += [sat.mean(), (sat.mean(0) >= 0.99).float().mean(), (dphi.sum(0) == 0).float().mean()]
            stats += [delta.norm(), w.grad.norm(), b.grad.norm(),
                      (delta.norm(dim=1) * prev.norm(dim=1)).pow(2).mean().sqrt(), w.norm(),
                      ((~torch.isfinite(z)).sum() + (~torch.isfinite(a)).sum()
                       + (~torch.isfinite(delta)).sum()).float()]
            layers.append(torch.stack(stats))
            prev = a
        return torch.stack(layers).tolist()


def lean_torch_sweep(torch, acts, depths, widths, seeds, batch=64):
    """The benchmark grid as a lean PyTorch loop: build, one pass, every metric."""
    for act in acts:
        for depth in depths:
            for width in widths:
                for seed in range(seeds):
                    torch.manual_seed(seed)
                    weights, biases = lean_network(torch, act, depth, width)
                    x, probe = torch.randn(batch, width), torch.randn(batch, width)
                    lean_pass(torch, weights, biases, x, probe, act)


def time_torch(torch, config, repeats):
    model, x, probe, activation = torch_setup(torch, *config)
    torch_pass(torch, model, x, probe, activation)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch_pass(torch, model, x, probe, activation)
        times.append(time.perf_counter() - start)
    return times


def torch_gemm_gflops(torch, n, cols=None, repeats=5):
    """torch.mm's best rate on N x N times N x cols (default square)."""
    cols = cols or n
    a, b = torch.randn(n, n), torch.randn(n, cols)
    a @ b
    inner = max(1, int(2e8 // (2.0 * n * n * cols)))  # about 0.2 GFLOP per timing
    best = min(timed(lambda: [a @ b for _ in range(inner)]) for _ in range(repeats)) / inner
    return 2.0 * n * n * cols / best / 1e9


# Seconds of rest before each timed block, so that neither side is timed while the other's
# threads and freed memory are still settling: timed right after the PyTorch pass, gradflow's
# 2-thread pass ran up to 1.9x slower than alone on this VM; after 1 s of rest, as alone.
SETTLE_S = 1.0


def timed(fn):
    time.sleep(SETTLE_S)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------- gradflow side
def run_bench(build, bench_filter, repetitions, threads):
    out = subprocess.run(
        [os.path.join(build, "gradflow_bench"), f"--benchmark_filter={bench_filter}",
         f"--benchmark_repetitions={repetitions}", "--benchmark_format=json",
         "--benchmark_report_aggregates_only=false"],
        check=True, capture_output=True, text=True,
        env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    runs = [b for b in json.loads(out.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        sys.exit(f"bench_vs_torch: no benchmark matched {bench_filter}")
    return runs


def peak_rss_mib(cmd):
    """Peak RSS of cmd, measured by /usr/bin/time (Debian's `time`). Our own wait4 would not do:
    Linux counts a child's pre-exec copy of this (PyTorch-sized) process in its ru_maxrss."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"bench_vs_torch: {' '.join(cmd)} failed: {out.stderr}")
    return int(out.stderr.strip().splitlines()[-1]) / 1024.0  # KiB -> MiB


def backward_tensor_mib(depth, width, batch, scalar=4):
    weights = depth * (width * width + width)
    activations = (depth + 1) * width * batch  # a^0..a^L
    derivatives = depth * width * batch        # phi'(z^l)
    return scalar * (weights + activations + derivatives) / 2 ** 20


def main():
    args = parse_args()
    gradflow = os.path.join(args.build, "gradflow")
    tables = gradflow_tables.load(gradflow)
    load_derivatives(tables)
    import torch
    torch.set_num_threads(args.threads)
    rounds = 2 if args.quick else args.rounds
    results = {"threads": args.threads, "torch": torch.__version__}

    # 1. one large pass per activation (BM_Pass's last argument is the ActivationKind)
    depth, width, batch = 50, 1024, 256
    flops = 6.0 * depth * width * width * batch
    torch.set_num_threads(args.threads)
    eigen_peak = statistics.median(
        r["GFLOPS"] for r in run_bench(args.build, f"^BM_GemmPeak/2048/2048/{args.threads}/real_time$", 3, args.threads))
    torch_peak = torch_gemm_gflops(torch, 2048)
    peak = max(eigen_peak, torch_peak)
    results["peak"] = dict(peak_gflops=peak, eigen_gemm_gflops=eigen_peak, openblas_gemm_gflops=torch_peak)
    results["pass"] = {}
    for kind, act in enumerate(PASS_ACTIVATIONS):
        filt = f"^BM_Pass/{depth}/{width}/{batch}/{args.threads}/{kind}/real_time$"
        torch_times, gf_times = [], []
        for _ in range(rounds):
            time.sleep(SETTLE_S)
            torch_times += time_torch(torch, (depth, width, batch, act), 2)
            time.sleep(SETTLE_S)
            gf_times += [r["real_time"] / 1e3 for r in run_bench(args.build, filt, 2, args.threads)]
        t_torch, t_gf = statistics.median(torch_times), statistics.median(gf_times)
        results["pass"][act] = dict(torch_s=t_torch, gradflow_s=t_gf, ratio=t_gf / t_torch,
                                    gradflow_gflops=flops / t_gf / 1e9,
                                    fraction_of_peak=flops / t_gf / 1e9 / peak)

    # 3. memory
    rss = peak_rss_mib([gradflow, "run", "--activation", "relu", "--init", "he_normal", "--depth", str(depth),
                        "--width", str(width), "--batch", str(batch), "-q", "-o", "/dev/null",
                        "--threads", str(args.threads)])
    need = backward_tensor_mib(depth, width, batch)
    results["memory"] = dict(peak_rss_mib=rss, backward_tensors_mib=need, ratio=rss / need)

    # 2. the benchmark sweep, one thread on every side
    acts = bench_activations(tables)
    depths = [5, 10, 20, 50] if not args.quick else [5, 20]
    widths = [64, 128]
    seeds = 5 if not args.quick else 2
    sweep_batch = 64
    sweep_cmd = [gradflow, "sweep", "--activation", ",".join(acts), "--depth", ",".join(map(str, depths)),
                 "--width", ",".join(map(str, widths)), "--seeds", f"0..{seeds - 1}", "--batch",
                 str(sweep_batch), "--jobs", "1", "-q", "-o", "/dev/null"]
    torch.set_num_threads(1)
    gf_sweep, gf_no_reuse, lean_sweep, hooks_sweep = [], [], [], []
    for _ in range(max(1, (rounds + 1) // 2)):
        gf_sweep.append(timed(lambda: subprocess.run(sweep_cmd, check=True, capture_output=True)))
        gf_no_reuse.append(timed(lambda: subprocess.run(sweep_cmd + ["--no-forward-reuse"], check=True,
                                                        capture_output=True)))
        lean_sweep.append(timed(lambda: lean_torch_sweep(torch, acts, depths, widths, seeds, sweep_batch)))
        hooks_sweep.append(timed(lambda: torch_sweep(torch, acts, depths, widths, seeds)))
    t_sweep, t_no_reuse = statistics.median(gf_sweep), statistics.median(gf_no_reuse)
    t_lean, t_hooks = statistics.median(lean_sweep), statistics.median(hooks_sweep)
    # GEMM-bound time: each configuration's 6*L*rows*N*B FLOPs at the single-thread SGEMM rate
    # of its shape (the faster of gradflow's chunked GEMM and torch.mm at N x N times N x B).
    rate = {}
    for w in widths:
        eigen = statistics.median(r["GFLOPS"] for r in run_bench(args.build, f"^BM_GemmPeak/{w}/{sweep_batch}/1/real_time$", 3, 1))
        rate[w] = max(eigen, torch_gemm_gflops(torch, w, cols=sweep_batch)) * 1e9
    sweep_flops, gemm_bound = 0.0, 0.0
    for act in acts:
        rows_per_unit = 2 if act == "maxout" else 1
        for d in depths:
            for w in widths:
                f = 6.0 * d * rows_per_unit * w * w * sweep_batch * seeds
                sweep_flops += f
                gemm_bound += f / rate[w]
    n = len(acts) * len(depths) * len(widths) * seeds
    results["sweep"] = dict(configs=n, gradflow_s=t_sweep, lean_torch_s=t_lean, hooks_torch_s=t_hooks,
                            ratio_lean=t_sweep / t_lean, ratio_hooks=t_sweep / t_hooks,
                            gradflow_no_reuse_s=t_no_reuse, ratio_lean_no_reuse=t_no_reuse / t_lean,
                            gflop=sweep_flops / 1e9, gemm_bound_s=gemm_bound,
                            gemm_bound_share=gemm_bound / t_sweep,
                            sgemm_gflops={str(w): r / 1e9 for w, r in rate.items()})

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; pass threads {args.threads}; "
          f"PyTorch {torch.__version__}")
    print(f"SGEMM peak {peak:.1f} GFLOP/s (gradflow chunked GEMM {eigen_peak:.1f}, PyTorch mm {torch_peak:.1f})")
    relu = results["pass"]["relu"]["gradflow_s"]
    for act, p in results["pass"].items():
        print(f"1. pass L={depth} N={width} B={batch} float32 {act:8s}: gradflow {p['gradflow_s']*1e3:.0f} ms "
              f"({p['gradflow_s'] / relu:.2f}x ReLU), PyTorch+hooks {p['torch_s']*1e3:.0f} ms, "
              f"ratio {p['ratio']:.2f}; {p['gradflow_gflops']:.1f} GFLOP/s = {100*p['fraction_of_peak']:.0f}% of peak")
    s = results["sweep"]
    print(f"2. sweep of {s['configs']} configurations ({s['gflop']:.1f} GFLOP), one thread: gradflow "
          f"{s['gradflow_s']:.2f} s, lean PyTorch {s['lean_torch_s']:.2f} s (ratio {s['ratio_lean']:.3f}), "
          f"PyTorch with hooks {s['hooks_torch_s']:.2f} s (ratio {s['ratio_hooks']:.3f})")
    print(f"   gradflow --no-forward-reuse {s['gradflow_no_reuse_s']:.2f} s "
          f"(ratio to lean PyTorch {s['ratio_lean_no_reuse']:.3f})")
    print(f"   GEMM-bound time {s['gemm_bound_s']:.2f} s at "
          + ", ".join(f"N={w}: {r:.1f} GFLOP/s" for w, r in s["sgemm_gflops"].items())
          + f": {100*s['gemm_bound_share']:.0f}% of gradflow's time")
    m = results["memory"]
    print(f"3. peak RSS {m['peak_rss_mib']:.0f} MiB vs backward tensors {m['backward_tensors_mib']:.0f} MiB: "
          f"ratio {m['ratio']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


def torch_sweep(torch, acts, depths, widths, seeds):
    """The same grid as a PyTorch loop: build, measure with hooks, every metric."""
    for act in acts:
        for depth in depths:
            for width in widths:
                for seed in range(seeds):
                    torch.manual_seed(seed)
                    model = torch_model(torch, act, depth, width, init="xavier_uniform")
                    x, probe = torch.randn(64, width), torch.randn(64, width)
                    torch_pass(torch, model, x, probe, act)


if __name__ == "__main__":
    main()
