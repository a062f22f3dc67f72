"""Tests of scripts/gradflow_tables.py and of the PyTorch scripts' use of it, without PyTorch.

Needs GRADFLOW_BINARY (ctest sets it): the tables come from `gradflow list --json`.
verify_with_torch.py and export_torch_mlp.py import torch at the top; here a stand-in
module takes its place, so their table code runs (their torch code is not called).

Run: GRADFLOW_BINARY=build/gradflow /usr/bin/python3 -m unittest -v test_tables
"""

import math
import os
import subprocess
import sys
import types
import unittest
from unittest import mock

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

import gradflow_tables  # noqa: E402
# Imported before the stand-in torch is put in sys.modules, so that taking it out
# again does not unload (and later reload) them.
import numpy  # noqa: E402,F401
import pandas  # noqa: E402,F401
import safetensors_np  # noqa: E402,F401

BINARY = os.environ.get("GRADFLOW_BINARY")


def fake_torch():
    """A stand-in `torch` (and torch.nn) whose attributes are placeholders: enough to import
    the scripts and build their activation tables, not to run a network."""
    class Placeholder:
        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            raise AssertionError("the stand-in torch was asked to compute")

    class Module(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            value = type(name, (Placeholder,), {})
            setattr(self, name, value)
            return value

    torch = Module("torch")
    torch.nn = Module("torch.nn")
    torch.__version__ = "stand-in"
    return {"torch": torch, "torch.nn": torch.nn}


def import_without_torch(name):
    with mock.patch.dict(sys.modules, fake_torch()):
        sys.modules.pop(name, None)
        return __import__(name)


@unittest.skipUnless(BINARY, "GRADFLOW_BINARY not set")
class TablesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tables = gradflow_tables.load(BINARY)

    def test_names_are_what_the_binary_accepts(self):
        names = gradflow_tables.names(self.tables, "activations")
        self.assertIn("leaky_relu", names)
        self.assertEqual(len(names), len(set(names)))
        # Every listed name runs; a name not listed is refused naming the allowed ones.
        for family, option in (("activations", "--activation"), ("inits", "--init"),
                               ("losses", "--loss"), ("inputs", "--input")):
            for name in gradflow_tables.names(self.tables, family):
                done = subprocess.run([BINARY, "run", "-q", "--depth", "1", "--width", "2",
                                       "--batch", "2", option, name, "-o", os.devnull],
                                      capture_output=True, text=True)
                self.assertEqual(done.returncode, 0, f"{option} {name}: {done.stderr}")
            done = subprocess.run([BINARY, "run", option, "nonsense", "-o", os.devnull],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 2)
            self.assertIn(", ".join(gradflow_tables.names(self.tables, family)), done.stderr)

    def test_parameters_with_defaults_and_metadata(self):
        self.assertEqual(gradflow_tables.activation_parameter(self.tables, "leaky_relu", {}), 0.01)
        self.assertEqual(gradflow_tables.activation_parameter(self.tables, "leaky_relu",
                                                              {"leaky_slope": "0.3"}), 0.3)
        pieces = gradflow_tables.activation_parameter(self.tables, "maxout", {"maxout_pieces": "3"})
        self.assertEqual(pieces, 3)
        self.assertIsInstance(pieces, int)
        self.assertIsNone(gradflow_tables.activation_parameter(self.tables, "tanh", {}))
        with self.assertRaisesRegex(ValueError,
                                    "unknown activation 'swish'.*sigmoid, sigmoid_centred, tanh"):
            gradflow_tables.activation(self.tables, "swish")

    def test_require_all_names_what_is_missing(self):
        names = gradflow_tables.names(self.tables, "losses")
        gradflow_tables.require_all(self.tables, "losses", set(names), "test")
        with self.assertRaisesRegex(ValueError, "test: gradflow's losses mse have no"):
            gradflow_tables.require_all(self.tables, "losses", set(names) - {"mse"}, "test")

    def test_a_missing_binary_is_a_clear_error(self):
        with self.assertRaisesRegex(RuntimeError, "GRADFLOW_BINARY"):
            gradflow_tables.load("/nonexistent/gradflow")


@unittest.skipUnless(BINARY, "GRADFLOW_BINARY not set")
class VerifyWithTorchTablesTest(unittest.TestCase):
    """verify_with_torch.activation: every gradflow activation is known, and its own
    (independently written) sup phi' agrees with gradflow's."""

    @classmethod
    def setUpClass(cls):
        cls.tables = gradflow_tables.load(BINARY)
        cls.verify = import_without_torch("verify_with_torch")

    def test_every_activation_with_gradflows_max_derivative(self):
        for row in self.tables["activations"]:
            phi, max_dphi = self.verify.activation(row["name"], {}, self.tables)
            self.assertEqual(phi is None, row["maxout"], row["name"])
            self.assertTrue(math.isclose(max_dphi, row["max_abs_dphi"], rel_tol=1e-12), row["name"])

    def test_parameters_from_the_metadata(self):
        _, top = self.verify.activation("leaky_relu", {"leaky_slope": "2.5"}, self.tables)
        self.assertEqual(top, 2.5)
        _, top = self.verify.activation("elu", {"elu_alpha": "0.5"}, self.tables)
        self.assertEqual(top, 1.0)

    def test_unknown_activation_lists_gradflows(self):
        with self.assertRaises(SystemExit) as caught:
            self.verify.activation("swish", {}, self.tables)
        self.assertIn("unknown activation 'swish'", str(caught.exception))
        self.assertIn("leaky_relu", str(caught.exception))

    def test_an_activation_without_a_torch_version_is_named(self):
        tables = dict(self.tables)
        tables["activations"] = self.tables["activations"] + [
            dict(self.tables["activations"][0], name="new_one")]
        with self.assertRaises(SystemExit) as caught:
            self.verify.activation("relu", {}, tables)
        self.assertIn("new_one", str(caught.exception))


@unittest.skipUnless(BINARY, "GRADFLOW_BINARY not set")
class ExportAndBenchTablesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tables = gradflow_tables.load(BINARY)

    def test_export_rejects_names_gradflow_lacks(self):
        export = import_without_torch("export_torch_mlp")
        with self.assertRaisesRegex(ValueError, "--init he_norml: gradflow has xavier_uniform"):
            export.export(None, os.devnull, init="he_norml", tables=self.tables)
        with self.assertRaisesRegex(ValueError, "--loss hinge: gradflow has probe, mse"):
            export.to_tensors(None, loss="hinge", tables=self.tables)

    def test_bench_activations_follow_the_table(self):
        bench = import_without_torch("bench_vs_torch")
        names = bench.bench_activations(self.tables)
        self.assertEqual(set(names), set(bench.TORCH_REFERENCE))
        order = gradflow_tables.names(self.tables, "activations")
        self.assertEqual(names, sorted(names, key=order.index))
        derivatives = bench.load_derivatives(self.tables)
        self.assertEqual(derivatives["sigmoid"][1], 0.25)
        self.assertEqual(set(derivatives), set(bench.TORCH_REFERENCE) - {"maxout"})


if __name__ == "__main__":
    unittest.main()
