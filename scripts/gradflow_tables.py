"""gradflow's activation, init, loss and input tables, as `gradflow list --json` prints them.

The scripts that mirror gradflow in PyTorch (bench_vs_torch.py, verify_with_torch.py,
export_torch_mlp.py) take the names, parameters and defaults from here instead of keeping
their own copies, so a new row in gradflow's C++ table shows up in them (or makes them say
which activation they still lack) without editing three lists.

The binary: the `binary` argument, else $GRADFLOW_BINARY, else build/gradflow next to
scripts/, else `gradflow` on the PATH.
"""
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_binary(binary=None):
    """Path of the gradflow program to ask (see the module docstring)."""
    if binary:
        return binary
    if os.environ.get("GRADFLOW_BINARY"):
        return os.environ["GRADFLOW_BINARY"]
    built = os.path.join(ROOT, "build", "gradflow")
    if os.path.exists(built):
        return built
    return shutil.which("gradflow") or built


_cache = {}


def load(binary=None):
    """The parsed JSON of `gradflow list --json` (once per binary)."""
    binary = find_binary(binary)
    if binary not in _cache:
        try:
            out = subprocess.run([binary, "list", "--json"], check=True, capture_output=True,
                                 text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            raise RuntimeError(f"cannot read gradflow's tables from '{binary} list --json' ({e}); "
                               "build gradflow or set GRADFLOW_BINARY") from e
        _cache[binary] = json.loads(out)
    return _cache[binary]


def names(tables, family):
    """Names of one family ("activations", "inits", "losses", "inputs"), in gradflow's order."""
    return [row["name"] for row in tables[family]]


def activation(tables, name):
    """The activation row called `name`; ValueError listing the allowed names if none is."""
    for row in tables["activations"]:
        if row["name"] == name:
            return row
    raise ValueError(f"unknown activation '{name}'; gradflow has: "
                     + ", ".join(names(tables, "activations")))


def activation_parameter(tables, name, metadata):
    """The value of activation `name`'s parameter: metadata[its key] when present, else
    gradflow's default; None when the activation has no parameter."""
    parameter = activation(tables, name)["parameter"]
    if parameter is None:
        return None
    text = metadata.get(parameter["metadata_key"])
    value = parameter["default"] if text is None else float(text)
    return int(value) if parameter["integer"] else float(value)


def require_all(tables, family, implemented, who):
    """ValueError naming what `who` lacks unless it implements every name of `family`."""
    missing = [n for n in names(tables, family) if n not in implemented]
    if missing:
        raise ValueError(f"{who}: gradflow's {family} {', '.join(missing)} have no implementation "
                         "here; add them")
