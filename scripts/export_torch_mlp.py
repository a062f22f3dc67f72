#!/usr/bin/python3
"""Exports a PyTorch MLP (nn.Sequential of Linear + activation layers) to the
safetensors layout `gradflow run --load-model` reads, so gradflow can diagnose it.

    /usr/bin/python3 scripts/export_torch_mlp.py my_mlp.pt my_mlp.safetensors
    gradflow run --load-model my_mlp.safetensors --batch 256 --summary-out summary.csv

my_mlp.pt is `torch.save(model, "my_mlp.pt")` of an nn.Sequential (nested
Sequentials are flattened). From Python: `export(model, "my_mlp.safetensors")`.

Layout: Linear i (1-based) -> layers.{i}.weight (fan_out, fan_in) and
layers.{i}.bias (zeros when bias=False). All hidden layers must share one
activation: Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus (beta 1), Softsign,
SELU, GELU (approximate='none'), SiLU, Identity, or this module's Maxout(k)
(rows u*k .. u*k+k-1 of the Linear before it form unit u). Dropout is skipped
(gradflow measures the network in eval mode). A final Linear without an
activation is the linear head: the loss is then cross_entropy (default) or mse;
a network ending in an activation has no head and uses the probe loss.
Optional --x/--targets/--labels (.npy) store a real batch; without them
gradflow draws x (gaussian, --input-scale) and targets from --seed.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gradflow_tables  # noqa: E402
import safetensors_np  # noqa: E402

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("export_torch_mlp: needs PyTorch: apt-get install python3-torch")


class Maxout(nn.Module):
    """Maxout over groups of k consecutive features: (B, units*k) -> (B, units)."""

    def __init__(self, pieces):
        super().__init__()
        self.pieces = pieces

    def forward(self, z):
        return z.view(z.shape[0], -1, self.pieces).max(dim=-1).values


def torch_activation(module):
    """(gradflow name, its parameter's value or None) for a torch activation module, or None."""
    simple = {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.Softsign: "softsign",
              nn.SELU: "selu", nn.SiLU: "silu", nn.Identity: "identity"}
    for cls, name in simple.items():
        if type(module) is cls:
            return name, None
    if isinstance(module, nn.LeakyReLU):
        return "leaky_relu", float(module.negative_slope)
    if isinstance(module, nn.ELU):
        return "elu", float(module.alpha)
    if isinstance(module, nn.Softplus) and module.beta == 1:
        return "softplus", None
    if isinstance(module, nn.GELU) and getattr(module, "approximate", "none") == "none":
        return "gelu", None
    if isinstance(module, Maxout) or type(module).__name__ == "Maxout":
        return "maxout", int(module.pieces)
    return None


def describe_activation(module, tables=None):
    """(gradflow name, metadata dict) for a torch activation module, or an error. The
    parameter's metadata key comes from gradflow's table (`tables`, default
    gradflow_tables.load())."""
    found = torch_activation(module)
    if found is not None:
        name, value = found
        row = gradflow_tables.activation(tables or gradflow_tables.load(), name)
        parameter = row["parameter"]
        if parameter is None:
            return name, {}
        return name, {parameter["metadata_key"]: str(value) if parameter["integer"] else repr(value)}
    raise ValueError(f"unsupported module {module!r}: gradflow knows Linear and the activations "
                     "Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, Softsign, SELU, GELU, SiLU, "
                     "Identity, Maxout")


def flatten(model):
    for module in model.children() if isinstance(model, nn.Sequential) else [model]:
        if isinstance(module, nn.Sequential):
            yield from flatten(module)
        elif not isinstance(module, nn.Dropout):
            yield module


def to_tensors(model, loss=None, dtype=None, tables=None):
    """(tensors, metadata) of an nn.Sequential MLP in gradflow's layout."""
    tables = tables or gradflow_tables.load()
    if loss is not None and loss not in gradflow_tables.names(tables, "losses"):
        raise ValueError(f"--loss {loss}: gradflow has " + ", ".join(gradflow_tables.names(tables, "losses")))
    modules = list(flatten(model))
    linears, activations = [], []
    for i, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            if i > 0 and isinstance(modules[i - 1], nn.Linear):
                raise ValueError(f"two Linear layers in a row at module {i}: gradflow needs an "
                                 "activation between them")
            linears.append(module)
        else:
            if not linears or (i > 0 and not isinstance(modules[i - 1], nn.Linear)):
                raise ValueError(f"module {i} ({module!r}) does not follow a Linear layer")
            activations.append(describe_activation(module, tables))
    if not linears:
        raise ValueError("the model has no Linear layer")
    head = isinstance(modules[-1], nn.Linear)
    names = {name for name, _ in activations}
    if len(set(map(str, activations))) > 1:
        raise ValueError(f"hidden layers use different activations {sorted(names)}: gradflow "
                         "measures networks with one activation")
    if head and not activations:
        raise ValueError("a single Linear layer has no hidden layer to diagnose")
    loss = loss or ("cross_entropy" if head else "probe")
    if head != (loss != "probe"):
        raise ValueError(f"--loss {loss} " + ("needs a final Linear without activation (a linear head)"
                                              if not head else "cannot be used: the final Linear "
                                              "has no activation, so it is a linear head; use mse or "
                                              "cross_entropy"))
    name, params = activations[0]
    first = linears[0].weight
    np_dtype = {None: None, "float32": np.float32, "float64": np.float64}[dtype]
    tensors = {}
    for i, linear in enumerate(linears, start=1):
        w = linear.weight.detach().cpu().numpy()
        b = (linear.bias.detach().cpu().numpy() if linear.bias is not None
             else np.zeros(w.shape[0], dtype=w.dtype))
        target = np_dtype or (np.float64 if w.dtype == np.float64 else np.float32)
        tensors[f"layers.{i}.weight"] = w.astype(target)
        tensors[f"layers.{i}.bias"] = b.astype(target)
    metadata = {"format": "gradflow-mlp", "format_version": "1", "activation": name, "loss": loss,
                "exported_by": "scripts/export_torch_mlp.py", "torch_version": torch.__version__,
                "input_dim": str(first.shape[1]), **params}
    return tensors, metadata


def export(model, path, loss=None, dtype=None, x=None, targets=None, labels=None, init=None,
           tables=None):
    """Writes `model` to `path`. x: (B, input_dim); targets: (B, K) for mse;
    labels: (B,) class indices for cross_entropy. init names the scheme the
    weights were drawn with (gradflow init names) if they are untrained.
    `tables`: gradflow's tables (default gradflow_tables.load())."""
    tables = tables or gradflow_tables.load()
    if init and init not in gradflow_tables.names(tables, "inits"):
        raise ValueError(f"--init {init}: gradflow has " + ", ".join(gradflow_tables.names(tables, "inits")))
    tensors, metadata = to_tensors(model, loss, dtype, tables)
    weight_dtype = tensors["layers.1.weight"].dtype
    if x is not None:
        tensors["x"] = np.asarray(x, dtype=weight_dtype)
    if targets is not None:
        tensors["targets"] = np.asarray(targets, dtype=np.float64)
    if labels is not None:
        tensors["labels"] = np.asarray(labels, dtype=np.int64)
    if init:
        metadata["init"] = init
    safetensors_np.write(path, tensors, metadata)
    return metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="torch.save()d nn.Sequential (.pt)")
    parser.add_argument("out", help="safetensors file to write")
    parser.add_argument("--loss", help="a gradflow loss (gradflow list --json); default: "
                        "cross_entropy with a linear head, probe without")
    parser.add_argument("--dtype", choices=["float32", "float64"],
                        help="convert the weights (default: keep float64, else float32)")
    parser.add_argument("--x", help=".npy batch (B, input_dim) to store as x")
    parser.add_argument("--targets", help=".npy mse targets (B, K)")
    parser.add_argument("--labels", help=".npy cross_entropy labels (B,)")
    parser.add_argument("--init", help="gradflow name of the init, if the weights are untrained")
    parser.add_argument("--gradflow", help="the gradflow program whose tables to use (default: "
                        "$GRADFLOW_BINARY, else build/gradflow)")
    args = parser.parse_args()
    try:
        tables = gradflow_tables.load(args.gradflow)
        model = torch.load(args.model, map_location="cpu")
        if isinstance(model, dict):
            raise ValueError("this is a state_dict; save the module itself: torch.save(model, path)")
        load = lambda p: None if p is None else np.load(p)  # noqa: E731
        metadata = export(model, args.out, args.loss, args.dtype, load(args.x), load(args.targets),
                          load(args.labels), args.init, tables)
    except (ValueError, OSError, RuntimeError) as e:
        print(f"export_torch_mlp: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {metadata['activation']}, loss {metadata['loss']}; diagnose with\n"
          f"  gradflow run --load-model {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
