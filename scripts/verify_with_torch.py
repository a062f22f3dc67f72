#!/usr/bin/python3
"""Recomputes every per-layer metric of a gradflow run in PyTorch, with autograd.

Loads the model gradflow measured (written by `gradflow run --save-model`), runs
the forward pass in torch in the run's dtype, takes the loss gradient with
autograd (z.retain_grad() for delta, W.grad and b.grad for the weight and bias
gradients), recomputes each column of the per-layer CSV and reports the largest
relative difference per column and overall. Exits 1 if it exceeds the tolerance
(1e-9 for float64 runs, 1e-4 for float32), 2 on bad input.

    gradflow run --dtype float64 --activation tanh --save-model m.safetensors -o layers.csv \\
        --summary-out summary.csv
    /usr/bin/python3 scripts/verify_with_torch.py m.safetensors layers.csv --summary summary.csv

Relative difference: |gradflow - torch| / |torch| for norms and second moments;
means (preact_mean, act_mean) are compared relative to the matching standard
deviation (a mean near 0 has no meaningful relative error); the fraction and
count columns (saturation_frac, saturated_unit_frac, dead_frac, nonfinite) by
absolute difference. Needs Debian's python3-torch (apt-get install python3-torch).

Networks with --norm and --residual (the file's __metadata__ norm, residual,
residual_scale) are rebuilt from torch modules: torch.nn.BatchNorm1d in training
mode (batch statistics) or torch.nn.LayerNorm, both eps = 1e-5 with gamma, beta
from layers.{l}.norm.weight/bias, between each hidden Linear and phi; the
residual sum a^l = a^{l-1} + s*phi(.) for hidden layers l >= 2. The preact_*
and saturation columns then describe phi's input (the norm's output), and
delta_norm_post is the gradient at each layer's output a^l (a.retain_grad()).
Under batch norm dLoss/db is exactly 0 (both sides hold rounding noise), so
grad_b_norm is compared relative to sqrt(B) * delta_norm there.
"""
import argparse
import math
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradflow_tables  # noqa: E402
import safetensors_np  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit("verify_with_torch: needs PyTorch: apt-get install python3-torch")

SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def normal_cdf(z):
    return 0.5 * torch.erfc(-z / math.sqrt(2.0))


def silu_max_derivative():
    """sup of SiLU's derivative: golden-section search, as gradflow does."""
    def dphi(z):
        s = 1 / (1 + math.exp(-z))
        return s + z * s * (1 - s)
    lo, hi, r = 0.0, 5.0, 0.6180339887498949
    for _ in range(200):
        m1, m2 = hi - r * (hi - lo), lo + r * (hi - lo)
        if dphi(m1) < dphi(m2):
            lo = m1
        else:
            hi = m2
    return dphi(0.5 * (lo + hi))


def activation(name, meta, tables):
    """(phi, max |phi'|) for gradflow's activation `name`, written with torch ops so
    that autograd supplies phi'. The branch conventions match gradflow's table
    (z > 0 takes the positive side); the names, parameters and their defaults
    come from it (`tables`: gradflow_tables.load()). Maxout has no elementwise
    phi: (None, 1)."""
    try:
        gradflow_tables.activation(tables, name)
    except ValueError as e:
        sys.exit(f"verify_with_torch: {e}")
    slope = gradflow_tables.activation_parameter(tables, "leaky_relu", meta)
    alpha = gradflow_tables.activation_parameter(tables, "elu", meta)
    sqrt2 = math.sqrt(2.0)
    table = {
        "sigmoid": (torch.sigmoid, 0.25),
        "sigmoid_centred": (lambda z: torch.sigmoid(z) - 0.5, 0.25),
        "tanh": (torch.tanh, 1.0),
        "relu": (lambda z: torch.where(z > 0, z, torch.zeros_like(z)), 1.0),
        "leaky_relu": (lambda z: torch.where(z > 0, z, slope * z), max(1.0, abs(slope))),
        "elu": (lambda z: torch.where(z > 0, z, alpha * torch.expm1(torch.clamp(z, max=0))),
                max(1.0, alpha)),
        "softplus": (lambda z: torch.logaddexp(z, torch.zeros_like(z)), 1.0),
        "softsign": (lambda z: z / (1 + torch.abs(z)), 1.0),
        "selu": (lambda z: SELU_LAMBDA * torch.where(
            z > 0, z, SELU_ALPHA * torch.expm1(torch.clamp(z, max=0))), SELU_LAMBDA * SELU_ALPHA),
        "gelu": (lambda z: z * normal_cdf(z),
                 0.5 * math.erfc(-1.0) + sqrt2 * math.exp(-1.0) / math.sqrt(2 * math.pi)),
        "silu": (lambda z: z * torch.sigmoid(z), silu_max_derivative()),
        "identity": (lambda z: z, 1.0),
    }
    try:
        gradflow_tables.require_all(tables, "activations", set(table) | {"maxout"},
                                    "verify_with_torch")
    except ValueError as e:
        sys.exit(str(e))
    return table.get(name, (None, 1.0))


def maxout(z, pieces):
    """Rows u*k .. u*k+k-1 of z form unit u: (B, units*k) -> (B, units)."""
    return z.view(z.shape[0], -1, pieces).max(dim=-1).values


def scaled_norm(t):
    return float(torch.linalg.norm(t.detach().double().flatten()))


def recompute(tensors, meta, rows, tau, tables):
    """Per-layer metrics in torch, as a list of dicts keyed by CSV column."""
    dtype = torch.float64 if rows.iloc[0]["dtype"] == "float64" else torch.float32
    name = rows.iloc[0]["activation"]
    pieces = gradflow_tables.activation_parameter(tables, "maxout", meta)
    phi, max_dphi = activation(name, meta, tables)  # max_dphi: sup |phi'|
    loss_name = rows.iloc[0]["loss"]
    num_layers = len(rows)
    depth = num_layers - (1 if loss_name != "probe" else 0)
    norm = meta.get("norm", "none")
    residual = meta.get("residual", "false") == "true"
    scale = float(meta.get("residual_scale", "1"))
    if norm not in ("none", "batch", "layer"):
        sys.exit(f"verify_with_torch: unknown __metadata__ norm '{norm}'")

    a = torch.tensor(tensors["x"], dtype=dtype)  # (B, input_dim)
    batch = a.shape[0]
    weights, biases, zs, us, acts = [], [], [], [], [a]
    for l in range(1, num_layers + 1):
        w = torch.tensor(tensors[f"layers.{l}.weight"], dtype=dtype, requires_grad=True)
        b = torch.tensor(tensors[f"layers.{l}.bias"], dtype=dtype, requires_grad=True)
        z = acts[-1] @ w.T + b  # (B, fan_out), nn.Linear
        z.retain_grad()
        u = z  # phi's input
        if l <= depth and norm != "none":
            rows_l = z.shape[1]
            module = (torch.nn.BatchNorm1d(rows_l, eps=1e-5) if norm == "batch"
                      else torch.nn.LayerNorm(rows_l, eps=1e-5)).to(dtype)
            module.train()  # batch norm: the batch's own statistics
            with torch.no_grad():
                module.weight.copy_(torch.tensor(tensors[f"layers.{l}.norm.weight"], dtype=dtype))
                module.bias.copy_(torch.tensor(tensors[f"layers.{l}.norm.bias"], dtype=dtype))
            u = module(z)
        if l > depth:
            a = z
        elif name == "maxout":
            a = maxout(u, pieces)
        else:
            a = phi(u)
        if residual and 2 <= l <= depth:
            a = acts[-1] + scale * a
        a.retain_grad()
        weights.append(w)
        biases.append(b)
        zs.append(z)
        us.append(u)
        acts.append(a)
    out = acts[-1]
    if loss_name == "probe":  # (1/B) sum_b r_b . a_b
        loss = (torch.tensor(tensors["probe"], dtype=dtype) * out).sum() / batch
    elif loss_name == "mse":
        loss = torch.nn.functional.mse_loss(out, torch.tensor(tensors["targets"], dtype=dtype))
    else:
        loss = torch.nn.functional.cross_entropy(out, torch.tensor(tensors["labels"]).long())
    loss.backward()

    metrics = []
    for l in range(1, num_layers + 1):
        z, a, a_prev = us[l - 1].detach(), acts[l].detach(), acts[l - 1].detach()
        delta, w = zs[l - 1].grad, weights[l - 1]
        m = {
            "preact_mean": float(z.double().mean()), "preact_std": float(z.double().std(unbiased=False)),
            "preact_q": float((z.double() ** 2).mean()),
            "act_mean": float(a.double().mean()), "act_std": float(a.double().std(unbiased=False)),
            "delta_norm": scaled_norm(delta), "delta_norm_post": scaled_norm(acts[l].grad),
            "grad_w_norm": scaled_norm(w.grad),
            "grad_b_norm": scaled_norm(biases[l - 1].grad), "weight_norm": scaled_norm(w),
        }
        m["grad_to_weight"] = m["grad_w_norm"] / m["weight_norm"]
        if norm == "batch" and l <= depth:
            # dLoss/db = sum_b delta_b is exactly 0 under batch norm (a shift of z is
            # removed with the batch mean): both sides hold rounding noise, so it is
            # compared relative to its natural size sqrt(B) ||delta||, not to itself.
            m["_grad_b_scale"] = math.sqrt(batch) * m["delta_norm"]
        # sqrt(mean_b ||delta_b||^2 ||a_b^{l-1}||^2)
        per_example = torch.linalg.norm(delta.double(), dim=1) * torch.linalg.norm(a_prev.double(), dim=1)
        m["grad_w_norm_per_example"] = float(torch.sqrt((per_example ** 2).mean()))
        m["nonfinite"] = int((~torch.isfinite(z)).sum() + (~torch.isfinite(a)).sum()
                             + (~torch.isfinite(delta)).sum())
        if l > depth or name == "maxout":  # identity head, maxout: never saturate
            m["saturation_frac"] = m["saturated_unit_frac"] = m["dead_frac"] = 0.0
        else:
            zz = z.double().clone().requires_grad_(True)  # phi'(z) per element by autograd
            (dphi,) = torch.autograd.grad(phi(zz).sum(), zz)
            saturated = dphi.abs() < tau * max_dphi  # (B, units)
            m["saturation_frac"] = float(saturated.double().mean())
            m["saturated_unit_frac"] = float((saturated.sum(dim=0) >= 0.99 * batch).double().mean())
            m["dead_frac"] = float((dphi == 0).all(dim=0).double().mean())
        metrics.append(m)
    return metrics, float(loss)


def relative(got, want, scale=None):
    if got == want or (math.isnan(got) and math.isnan(want)):
        return 0.0
    denominator = abs(scale) if scale is not None else abs(want)
    return abs(got - want) / denominator if denominator > 0 else math.inf


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="safetensors file from gradflow run --save-model")
    parser.add_argument("layers_csv", help="gradflow's per-layer CSV of that run (-o)")
    parser.add_argument("--summary", help="gradflow's summary CSV (--summary-out): compare the loss too")
    parser.add_argument("--tolerance", type=float,
                        help="largest allowed difference (default 1e-9 float64, 1e-4 float32)")
    parser.add_argument("--saturation-threshold", type=float,
                        help="tau of the run (default: the file's metadata, else 0.02)")
    parser.add_argument("--gradflow", help="the gradflow program whose tables to use (default: "
                        "$GRADFLOW_BINARY, else build/gradflow)")
    args = parser.parse_args()
    try:
        tables = gradflow_tables.load(args.gradflow)
    except RuntimeError as e:
        print(f"verify_with_torch: {e}", file=sys.stderr)
        return 2
    torch.set_num_threads(1)

    try:
        tensors, meta = safetensors_np.read(args.model)
        rows = pd.read_csv(args.layers_csv).sort_values("layer")
    except (OSError, ValueError, KeyError) as e:
        print(f"verify_with_torch: {e}", file=sys.stderr)
        return 2
    for needed in ("x",) + {"probe": ("probe",), "mse": ("targets",),
                            "cross_entropy": ("labels",)}[rows.iloc[0]["loss"]]:
        if needed not in tensors:
            print(f"verify_with_torch: {args.model} has no tensor '{needed}' "
                  "(save it with gradflow run --save-model)", file=sys.stderr)
            return 2
    tau = args.saturation_threshold or float(meta.get("saturation_threshold", 0.02))
    dtype = rows.iloc[0]["dtype"]
    tolerance = args.tolerance or (1e-9 if dtype == "float64" else 1e-4)
    metrics, loss = recompute(tensors, meta, rows, tau, tables)

    absolute = {"saturation_frac", "saturated_unit_frac", "dead_frac", "nonfinite"}
    worst = {}  # column -> (difference, layer)
    for (_, row), m in zip(rows.iterrows(), metrics):
        for column, want in m.items():
            if column.startswith("_") or column not in row:  # helpers; a CSV from before
                continue
            got = float(row[column])
            if column in absolute:
                diff = abs(got - want)
            elif column == "grad_b_norm" and "_grad_b_scale" in m:
                diff = relative(got, want, m["_grad_b_scale"])
            elif column in ("preact_mean", "act_mean"):
                diff = relative(got, want, m[column.replace("mean", "std")] or None)
            else:
                diff = relative(got, want)
            if column not in worst or not diff <= worst[column][0]:
                worst[column] = (diff, int(row["layer"]))
    if args.summary:
        summary = pd.read_csv(args.summary)
        # config column `loss` is the name; the summary column `loss_value` the value
        got = float(summary["loss_value"][0])
        worst["loss (summary)"] = (relative(got, loss), 0)

    architecture = f"norm {meta.get('norm', 'none')}" + (
        f", residual {meta.get('residual_scale', '1')}" if meta.get("residual") == "true" else "")
    label = (f"{rows.iloc[0]['activation']} / {rows.iloc[0]['loss']} / {dtype} / {architecture}, "
             f"{len(rows)} layers")
    print(f"verify_with_torch: {label}; largest difference per column (layer):")
    for column, (diff, layer) in worst.items():
        print(f"  {column:26s} {diff:.3e}  ({'layer ' + str(layer) if layer else 'run'})")
    overall_column = max(worst, key=lambda c: math.inf if math.isnan(worst[c][0]) else worst[c][0])
    overall = worst[overall_column][0]
    ok = overall <= tolerance
    print(f"largest relative difference: {overall:.3e} ({overall_column}); tolerance {tolerance:g}: "
          f"{'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
