#!/usr/bin/python3
"""End to end with PyTorch (needs python3-torch; not part of ctest): PyTorch
nn.Sequential -> scripts/export_torch_mlp.py -> gradflow run --load-model
--save-model -> gradflow's loss equals the original Sequential's loss, and
scripts/verify_with_torch.py passes. Exit 1 on a mismatch.

    /usr/bin/python3 tests/python/torch_export_check.py build/gradflow
"""
import os
import subprocess
import sys
import tempfile

import pandas as pd
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
sys.path.insert(0, SCRIPTS)
from export_torch_mlp import Maxout, export  # noqa: E402


def models():
    torch.manual_seed(0)
    yield "tanh classifier", nn.Sequential(
        nn.Linear(5, 8), nn.Tanh(), nn.Sequential(nn.Linear(8, 8), nn.Tanh()), nn.Dropout(0.1),
        nn.Linear(8, 3)), "cross_entropy"
    yield "relu regressor", nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                          nn.Linear(16, 2)), "mse"
    yield "leaky, no bias", nn.Sequential(nn.Linear(6, 7, bias=False), nn.LeakyReLU(0.1),
                                          nn.Linear(7, 3), nn.LeakyReLU(0.1)), "probe"
    yield "maxout", nn.Sequential(nn.Linear(4, 9), Maxout(3), nn.Linear(3, 9), Maxout(3)), "probe"
    yield "gelu, varying widths", nn.Sequential(nn.Linear(6, 12), nn.GELU(), nn.Linear(12, 5),
                                                nn.GELU(), nn.Linear(5, 4)), "cross_entropy"


def main():
    gradflow = sys.argv[1] if len(sys.argv) > 1 else "build/gradflow"
    os.environ["GRADFLOW_BINARY"] = gradflow  # the tables export() and verify_with_torch.py read
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for name, model, loss in models():
            model = model.double().eval()
            x = torch.randn(10, model[0].in_features, dtype=torch.float64)
            out = model(x)
            kwargs = {"x": x.numpy()}
            if loss == "cross_entropy":
                labels = torch.randint(0, out.shape[1], (10,))
                kwargs["labels"] = labels.numpy()
                want = nn.functional.cross_entropy(out, labels).item()
            elif loss == "mse":
                targets = torch.randn(out.shape, dtype=torch.float64)
                kwargs["targets"] = targets.numpy()
                want = nn.functional.mse_loss(out, targets).item()
            else:
                want = None  # gradflow draws the probe from its seed
            path = os.path.join(work, "m.safetensors")
            export(model, path, loss=loss, **kwargs)
            layers, summary, saved = (os.path.join(work, f) for f in ("l.csv", "s.csv", "s.safetensors"))
            subprocess.run([gradflow, "run", "-q", "--load-model", path, "-o", layers,
                            "--summary-out", summary, "--save-model", saved], check=True)
            got = float(pd.read_csv(summary)["loss_value"][0])
            verify = subprocess.run([sys.executable, os.path.join(SCRIPTS, "verify_with_torch.py"),
                                     saved, layers, "--summary", summary],
                                    capture_output=True, text=True)
            line = verify.stdout.strip().splitlines()[-1]
            loss_ok = want is None or abs(got - want) <= 1e-12 * abs(want)
            print(f"{name:22s} gradflow loss {got:.17g} torch {want!r}; verify: {line}")
            failed |= verify.returncode != 0 or not loss_ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
