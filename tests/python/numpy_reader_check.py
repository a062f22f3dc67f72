#!/usr/bin/python3
"""Reads a gradflow-saved safetensors file with numpy only and checks it against
gradflow's CSV: metadata, shapes, and a forward pass recomputed from the tensors
(weights (fan_out, fan_in) row-major, x (B, input_dim)) must reproduce preact_q,
act_mean, weight_norm per layer and the loss, to 1e-12 relative (float64 runs,
relu or identity hidden layers). Exit 1 on any mismatch.

    numpy_reader_check.py MODEL.safetensors LAYERS.csv SUMMARY.csv
"""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import safetensors_np  # noqa: E402


def main():
    model, layers_csv, summary_csv = sys.argv[1:4]
    tensors, meta = safetensors_np.read(model)
    layers = pd.read_csv(layers_csv)
    summary = pd.read_csv(summary_csv)
    problems = []

    def check(what, got, want, tol=1e-12):
        rel = abs(got - want) / max(abs(want), 1e-300)
        print(f"{what}: numpy {got!r} gradflow {want!r} rel {rel:.2e}")
        if not rel <= tol:
            problems.append(what)

    assert meta["format"] == "gradflow-mlp" and meta["dtype"] == "float64", meta
    assert meta["activation"] in ("relu", "identity"), "this check knows relu and identity"
    depth = int(meta["depth"])
    head = meta["loss"] != "probe"
    x = tensors["x"]
    assert x.shape == (int(meta["batch"]), int(meta["input_dim"])), x.shape
    a = x.T  # (input_dim, B): columns are samples, as gradflow's math
    for l in range(1, depth + 1 + head):
        w, b = tensors[f"layers.{l}.weight"], tensors[f"layers.{l}.bias"]
        row = layers[layers.layer == l].iloc[0]
        assert w.shape == (row.fan_out, row.fan_in), (l, w.shape)
        z = w @ a + b[:, None]
        a = z if l > depth or meta["activation"] == "identity" else np.maximum(z, 0)
        check(f"layer {l} preact_q", float(np.mean(z * z)), float(row.preact_q))
        check(f"layer {l} act_mean", float(np.mean(a)), float(row.act_mean))
        check(f"layer {l} weight_norm", float(np.linalg.norm(w)), float(row.weight_norm))
    batch = x.shape[0]
    if meta["loss"] == "mse":
        loss = np.mean((a - tensors["targets"].T) ** 2)
    elif meta["loss"] == "probe":
        loss = np.sum(tensors["probe"].T * a) / batch
    else:
        shifted = a - a.max(axis=0)
        logp = shifted - np.log(np.exp(shifted).sum(axis=0))
        loss = -np.mean(logp[tensors["labels"], np.arange(batch)])
    # The summary CSV has a config column `loss` (the name) and `loss_value` (the value).
    check("loss", float(loss), float(summary["loss_value"][0]))
    if problems:
        print("MISMATCH:", ", ".join(problems))
        return 1
    print("numpy reader agrees with gradflow")
    return 0


if __name__ == "__main__":
    sys.exit(main())
