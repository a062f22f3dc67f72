"""Tests of the plotting scripts on tiny generated CSVs.

The CSVs written here are SYNTHETIC TEST FIXTURES: made-up numbers in the
documented column layouts of `gradflow run`, `run --histograms`, `train`
(per-layer CSV with step, update_ratio, weight_change; --curve-out CSV) and the
theory columns (pred_*). They test the drawing, not the physics.

Run: /usr/bin/python3 -m unittest discover -s scripts/tests   (ctest runs it too).
Set GRADFLOW_BINARY to the built binary to also plot a real `gradflow run`.
"""

import csv
import io
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

import gradflow_plots  # noqa: E402
import plot_gradient_flow  # noqa: E402
import plot_histograms  # noqa: E402
import plot_remedies  # noqa: E402
import plot_saturation  # noqa: E402
import plot_spectrum  # noqa: E402
import plot_theory  # noqa: E402
import plot_training  # noqa: E402
import plot_activation_cost  # noqa: E402
import plot_centring  # noqa: E402
import plot_phase  # noqa: E402
import plot_saturation_vs_scale  # noqa: E402
import plot_zigzag  # noqa: E402
import make_report  # noqa: E402

PYTHON = "/usr/bin/python3"
CONFIG = dict(act_param="", init_param="", gain=1, bias_std=0, depth=4, width=8, widths="",
              norm="none", residual="", input_dim=8, batch=4, input="gaussian", input_scale=1,
              loss="probe", dtype="float32")
CONFIGS = [("sigmoid", "xavier_uniform", 0.25), ("relu", "he_normal", 1.0)]
SEEDS = [0, 1]
LAYERS = [1, 2, 3, 4]


def config_row(activation, init, seed):
    row = {"activation": activation, "init": init, "seed": seed}
    row.update(CONFIG)
    return {c: row[c] for c in gradflow_plots.CONFIG_COLUMNS}


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def layer_rows(theory=False):
    """Synthetic run rows: delta_norm = factor^(L - l), so sigmoid shrinks 4x per layer."""
    rows = []
    for activation, init, factor in CONFIGS:
        for seed in SEEDS:
            for layer in LAYERS:
                norm = factor ** (len(LAYERS) - layer) * (1 + 0.1 * seed)
                row = config_row(activation, init, seed)
                row.update(layer=layer, kind="hidden", delta_norm=norm, grad_w_norm=3 * norm,
                           grad_b_norm=norm / 2, grad_w_norm_per_example=norm,
                           grad_to_weight=norm / 10, preact_q=1.0 / layer,
                           saturation_frac=0.1 * layer / 4, saturated_unit_frac=0.0,
                           dead_frac=0.05 * layer * (activation == "relu"))
                if theory:
                    row.update(pred_preact_q=1.1 / layer,
                               pred_delta_ratio=factor ** (len(LAYERS) - layer),
                               pred_saturation_frac=0.09 * layer / 4)
                rows.append(row)
    return rows


def histogram_rows():
    """Synthetic histograms: 5 bins per (layer, quantity) plus delta's zero bin."""
    rows = []
    for activation, init, factor in CONFIGS:
        for layer in LAYERS:
            for quantity in ("preact", "act", "delta"):
                centre = math.log10(factor) * (len(LAYERS) - layer) if quantity == "delta" else 0
                edges = [centre - 1 + 0.4 * i for i in range(6)]
                bins = [(edges[i], edges[i + 1], [1, 4, 9, 4, 1][i]) for i in range(5)]
                if quantity == "delta":
                    bins.append((-math.inf, -math.inf, 13 if activation == "relu" else 0))
                for lo, hi, count in bins:
                    row = config_row(activation, init, 0)
                    row.update(step=0, layer=layer, quantity=quantity, bin_lo=lo, bin_hi=hi,
                               count=count)
                    rows.append(row)
    return rows


def train_rows():
    """Synthetic train rows (step first, as train writes): early sigmoid layers barely move."""
    rows = []
    for activation, init, factor in CONFIGS:
        for step in (0, 1, 2, 5, 10):
            for layer in LAYERS:
                row = {"step": step}
                row.update(config_row(activation, init, 0))
                change = 0 if step == 0 else 1e-3 * step * factor ** (len(LAYERS) - layer)
                row.update(layer=layer, kind="hidden",
                           delta_norm=factor ** (len(LAYERS) - layer) / (1 + step),
                           grad_w_norm=1.0, update_ratio=1e-3, weight_change=change)
                rows.append(row)
    return rows


def curve_rows(with_config=True):
    rows = []
    for activation, init, factor in CONFIGS:
        for step in (0, 1, 2, 5, 10):
            row = {"step": step}
            if with_config:
                row.update(config_row(activation, init, 0))
            row.update(train_loss=2.3 / (1 + step * factor), test_loss=2.4 / (1 + step * factor),
                       test_accuracy=0.1 + 0.05 * step * factor, vanishing_ratio=factor ** 3)
            rows.append(row)
        if not with_config:
            break  # one configuration per curve file
    return rows


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        header = f.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", header[16:24])


def run_in_process(module, argv):
    """Runs module.main(argv) as the scripts do; returns (exit code, stderr)."""
    err = io.StringIO()
    with redirect_stderr(err):
        code = gradflow_plots.run_main(module.main, argv)
    return code, err.getvalue()


def run_script(name, argv):
    """Runs a script as a user does; returns the CompletedProcess."""
    return subprocess.run([PYTHON, os.path.join(SCRIPTS, name)] + argv, capture_output=True,
                          text=True, timeout=120)


class PlotTestCase(unittest.TestCase):
    """Writes the fixtures into a fresh folder; helpers to check images."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.runs = write_csv(self.path("runs.csv"), layer_rows())
        self.theory = write_csv(self.path("theory.csv"), layer_rows(theory=True))
        self.hist = write_csv(self.path("hist.csv"), histogram_rows())
        self.train = write_csv(self.path("train.csv"), train_rows())
        self.curve = write_csv(self.path("curve.csv"), curve_rows())
        # A CSV lacking delta_norm and layer, for the error message.
        self.broken = write_csv(self.path("broken.csv"), [{"activation": "relu", "x": 1}])

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def assert_png(self, path, size, min_bytes=2000):
        self.assertTrue(os.path.isfile(path), path)
        self.assertGreater(os.path.getsize(path), min_bytes, f"{path} is nearly empty")
        self.assertEqual(png_size(path), size)

    def check_script(self, module, script, inputs, default_size, missing):
        """The checks every script must pass."""
        # Exact pixel size: --figsize x --dpi.
        out = self.path(f"{script}_small.png")
        code, err = run_in_process(module, inputs + ["-o", out, "--figsize", "6", "4",
                                                     "--dpi", "50"])
        self.assertEqual(code, 0, err)
        self.assert_png(out, (300, 200))
        # Default size (at a low dpi to stay fast), and ".png" added to an --out without one.
        out = self.path(f"{script}_default")
        code, err = run_in_process(module, inputs + ["-o", out, "--dpi", "20"])
        self.assertEqual(code, 0, err)
        self.assert_png(out + ".png", (round(default_size[0] * 20), round(default_size[1] * 20)),
                        min_bytes=500)
        # Other formats (pdf once: the code path is shared).
        formats = (("svg", b"<?xml"), ("pdf", b"%PDF")) if module is plot_gradient_flow else (
            ("svg", b"<?xml"),)
        for fmt, magic in formats:
            out = self.path(f"{script}.{fmt}")
            code, err = run_in_process(module, inputs + ["-o", out, "--dpi", "20"])
            self.assertEqual(code, 0, err)
            with open(out, "rb") as f:
                self.assertEqual(f.read(len(magic)), magic)
        # Mismatched --out and --format.
        code, err = run_in_process(module, inputs + ["-o", self.path("x.png"), "--format", "svg"])
        self.assertEqual(code, 2)
        self.assertIn("--format", err)
        # As a user runs it: --help, and a CSV missing required columns.
        result = run_script(script, ["--help"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("usage:", result.stdout)
        out = self.path(f"{script}_broken.png")
        result = run_script(script, [self.broken, "-o", out])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("missing required column", result.stderr)
        for column in missing:
            self.assertIn(column, result.stderr)
        self.assertIn("broken.csv", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertFalse(os.path.exists(out))


class GradientFlowTest(PlotTestCase):
    def test_script(self):
        self.check_script(plot_gradient_flow, "plot_gradient_flow.py", [self.runs],
                          plot_gradient_flow.DEFAULT_SIZE, ["delta_norm", "grad_w_norm", "layer"])

    def test_unknown_metric_and_missing_file(self):
        code, err = run_in_process(plot_gradient_flow, [self.runs, "--metrics", "nope"])
        self.assertEqual(code, 2)
        self.assertIn("--metrics", err)
        code, err = run_in_process(plot_gradient_flow, [self.path("absent.csv")])
        self.assertEqual(code, 2)
        self.assertIn("absent.csv", err)

    def test_vanishing_ratio_is_the_geometric_mean_over_seeds(self):
        rows = gradflow_plots.pd.read_csv(self.runs)
        sigmoid = rows[rows["activation"] == "sigmoid"]
        # Every seed has delta[1]/delta[4] = 0.25^3.
        self.assertAlmostEqual(plot_gradient_flow.vanishing_ratio(sigmoid), 0.25 ** 3)

    def test_train_csv_draws_one_step(self):
        out = self.path("flow_step.png")
        code, err = run_in_process(plot_gradient_flow, [self.train, "--step", "5", "-o", out,
                                                        "--dpi", "40"])
        self.assertEqual(code, 0, err)
        self.assertGreater(os.path.getsize(out), 2000)
        code, err = run_in_process(plot_gradient_flow, [self.train, "--step", "7", "-o", out])
        self.assertEqual(code, 2)
        self.assertIn("--step 7", err)


class SaturationTest(PlotTestCase):
    def test_script(self):
        self.check_script(plot_saturation, "plot_saturation.py", [self.runs],
                          plot_saturation.DEFAULT_SIZE, ["saturation_frac", "dead_frac"])


class HistogramsTest(PlotTestCase):
    def test_script(self):
        # 2 configurations x 4 layers: (2.1 * 4 + 2, 1.35 * 2 + 1.3) inches.
        self.check_script(plot_histograms, "plot_histograms.py", [self.hist, "--quantity", "delta"],
                          (2.1 * 4 + 2, 1.35 * 2 + 1.3), ["quantity", "bin_lo", "bin_hi", "count"])

    def test_layers_and_filters(self):
        out = self.path("hist_layers.png")
        code, err = run_in_process(plot_histograms, [self.hist, "--layers", "1,4", "--activation",
                                                     "relu", "--quantity", "act", "-o", out])
        self.assertEqual(code, 0, err)
        self.assert_png(out, (round((2.1 * 2 + 2) * 100), round((1.35 + 1.3) * 100)))
        code, err = run_in_process(plot_histograms, [self.hist, "--layers", "9", "-o", out])
        self.assertEqual(code, 2)
        self.assertIn("--layers: 9", err)
        code, err = run_in_process(plot_histograms, [self.hist, "--activation", "tahn", "-o", out])
        self.assertEqual(code, 2)
        self.assertIn("tahn", err)

    def test_default_layers_are_evenly_spaced_with_first_and_last(self):
        frame = gradflow_plots.pd.DataFrame({"layer": range(1, 21), "depth": 20})
        self.assertEqual(plot_histograms.default_layers(frame, 5), [1, 6, 11, 15, 20])
        self.assertEqual(plot_histograms.default_layers(frame, 30), list(range(1, 21)))


class TrainingTest(PlotTestCase):
    def test_script(self):
        self.check_script(plot_training, "plot_training.py", [self.train, "--curves", self.curve],
                          (4 * 2 + 1.5, 10), ["step", "delta_norm", "weight_change"])

    def test_curves_match_their_configuration(self):
        args = plot_training.parse_args([self.train, "--curves", self.curve])
        layers, curves = plot_training.read_inputs(args)
        for _, _, rows in gradflow_plots.configurations(layers):
            curve = plot_training.curve_rows(curves, rows)
            self.assertEqual(list(curve["step"]), [0, 1, 2, 5, 10])
            self.assertEqual(set(curve["activation"]), {rows["activation"].iloc[0]})

    def test_curves_without_configuration_columns_match_by_position(self):
        curve = write_csv(self.path("bare_curve.csv"), curve_rows(with_config=False))
        sigmoid_only = write_csv(self.path("train_sigmoid.csv"),
                                 [r for r in train_rows() if r["activation"] == "sigmoid"])
        out = self.path("train_bare.png")
        code, err = run_in_process(plot_training, [sigmoid_only, "--curves", curve, "-o", out])
        self.assertEqual(code, 0, err)
        self.assert_png(out, (round((4 + 1.5) * 100), 1000))
        # Two per-layer files, one bare curve file: ambiguous.
        code, err = run_in_process(plot_training, [sigmoid_only, self.train, "--curves", curve,
                                                   "-o", out])
        self.assertEqual(code, 2)
        self.assertIn("--curves", err)

    def test_curve_file_missing_columns(self):
        code, err = run_in_process(plot_training, [self.train, "--curves", self.runs, "-o",
                                                   self.path("t.png")])
        self.assertEqual(code, 2)
        self.assertIn("train_loss", err)
        self.assertIn("test_loss", err)


# Remedy variants (norm, residual) of sigmoid, and a plain ReLU/He reference.
REMEDIES = [("sigmoid", "xavier_uniform", "none", "", 0.25), ("sigmoid", "xavier_uniform", "batch",
            "", 1.5), ("sigmoid", "xavier_uniform", "layer", "1", 0.9),
            ("relu", "he_normal", "none", "", 1.0)]


def remedy_rows():
    rows, curves = [], []
    for activation, init, norm, residual, factor in REMEDIES:
        for seed in SEEDS:
            base = config_row(activation, init, seed)
            base.update(norm=norm, residual=residual)
            for layer in LAYERS:
                row = dict(base, layer=layer, kind="hidden",
                           delta_norm=factor ** (len(LAYERS) - layer) * (1 + 0.1 * seed))
                row["delta_norm_post"] = 2 * row["delta_norm"]
                rows.append(row)
            for step in (0, 10, 20):
                curves.append(dict(base, step=step, train_loss=2.3 / (1 + step * factor)))
    return rows, curves


class RemediesTest(PlotTestCase):
    def setUp(self):
        super().setUp()
        rows, curves = remedy_rows()
        self.remedies = write_csv(self.path("remedies.csv"), rows)
        self.remedy_curves = write_csv(self.path("remedies_curve.csv"), curves)

    def test_script(self):
        self.check_script(plot_remedies, "plot_remedies.py",
                          [self.remedies, "--curves", self.remedy_curves], (15, 5),
                          ["norm", "residual", "delta_norm_post"])

    def test_variants_are_named_and_references_come_last(self):
        frame = gradflow_plots.read_csvs([self.remedies], plot_remedies.REQUIRED, "run CSV")
        keys = [key for key, _ in plot_remedies.groups(frame)]
        self.assertEqual(len(keys), 4)
        labels = [plot_remedies.label_and_style(key, {"relu"})[0] for key in keys]
        self.assertEqual(labels, ["sigmoid + plain", "sigmoid + batch norm",
                                  "sigmoid + layer norm + residual", "relu/he_normal + plain"])
        # Without curves: two panels, 10 x 5 inches.
        out = self.path("remedies_no_curves.png")
        code, err = run_in_process(plot_remedies, [self.remedies, "-o", out, "--dpi", "20"])
        self.assertEqual(code, 0, err)
        self.assert_png(out, (200, 100), min_bytes=500)


class TheoryTest(PlotTestCase):
    def test_script(self):
        self.check_script(plot_theory, "plot_theory.py", [self.theory], plot_theory.DEFAULT_SIZE,
                          ["pred_preact_q", "pred_delta_ratio", "pred_saturation_frac"])

    def test_run_csv_without_theory_columns_is_refused(self):
        code, err = run_in_process(plot_theory, [self.runs, "-o", self.path("t.png")])
        self.assertEqual(code, 2)
        self.assertIn("pred_delta_ratio", err)

    def test_measured_ratio_is_relative_to_the_last_layer_of_each_run(self):
        frame = plot_theory.with_delta_ratio(gradflow_plots.pd.read_csv(self.theory))
        for (activation, seed), run in frame.groupby(["activation", "seed"]):
            factor = dict((a, f) for a, _, f in CONFIGS)[activation]
            for _, row in run.iterrows():
                self.assertAlmostEqual(row["delta_ratio"], factor ** (4 - row["layer"]))


def spectrum_rows():
    """Singular values of two made-up configurations: two samples of four values
    each, one of them an exact zero (as ReLU's Jacobian has)."""
    rows = []
    for activation, init, values in (("identity", "orthogonal", [1.0, 1.0, 1.0, 1.0]),
                                     ("relu", "he_normal", [3.0, 1.0, 0.1, 0.0])):
        for sample in (0, 1):
            for index, value in enumerate(values):
                rows.append(dict(activation=activation, init=init, seed=0, **CONFIG,
                                 sample=sample, index=index, value=value))
    return rows


class SpectrumTest(PlotTestCase):
    def test_script(self):
        values = write_csv(self.path("values.csv"), spectrum_rows())
        self.check_script(plot_spectrum, "plot_spectrum.py", [values], plot_spectrum.DEFAULT_SIZE,
                          ["sample", "value"])

    def test_all_zero_values_are_refused(self):
        rows = [dict(r, value=0.0) for r in spectrum_rows()]
        values = write_csv(self.path("zeros.csv"), rows)
        code, err = run_in_process(plot_spectrum, [values, "-o", self.path("z.png")])
        self.assertEqual(code, 2)
        self.assertIn("no singular value above 1e-12", err)


class ReportTest(PlotTestCase):
    def test_html_embeds_figures_table_and_commands(self):
        figure = self.path("gradient_flow.png")
        run_in_process(plot_gradient_flow, [self.runs, "-o", figure, "--dpi", "30"])
        summary = write_csv(self.path("summary.csv"), [
            dict(config_row("relu", "he_normal", 0), vanishing_ratio=0.9, verdict="healthy")])
        commands = self.path("commands.txt")
        with open(commands, "w") as f:
            f.write("build/gradflow run --activation relu -o x.csv\n")
        out = self.path("report.html")
        code, err = run_in_process(make_report, ["--html", out, "--figures", figure,
                                                 "--summary", summary, "--commands", commands])
        self.assertEqual(code, 0, err)
        with open(out) as f:
            html = f.read()
        self.assertIn("data:image/png;base64,", html)
        self.assertIn("<table", html)
        self.assertIn("healthy", html)
        self.assertIn("build/gradflow run --activation relu -o x.csv", html)
        self.assertNotIn("src=\"gradient_flow.png\"", html)  # embedded, not linked
        result = run_script("make_report.py", ["--html", out, "--summary", self.broken])
        self.assertEqual(result.returncode, 2)
        self.assertIn("verdict", result.stderr)


@unittest.skipUnless(os.environ.get("GRADFLOW_BINARY"), "GRADFLOW_BINARY not set")
class EndToEndTest(PlotTestCase):
    """A real gradflow run, its histograms, and every at-initialisation figure."""

    def test_real_run(self):
        binary = os.environ["GRADFLOW_BINARY"]
        csvs, hists = [], []
        for activation, init in (("sigmoid", "xavier_uniform"), ("relu", "he_normal")):
            csv_path, hist_path = self.path(f"{activation}.csv"), self.path(f"{activation}_h.csv")
            subprocess.run([binary, "run", "-q", "--threads", "1", "--depth", "6", "--width", "32",
                            "--batch", "16", "--activation", activation, "--init", init,
                            "-o", csv_path, "--histograms", csv_path.replace(".csv", "_h.csv"),
                            "--histogram-bins", "20"], check=True, timeout=60)
            csvs.append(csv_path)
            hists.append(hist_path)
        for module, inputs in ((plot_gradient_flow, csvs), (plot_saturation, csvs),
                               (plot_histograms, hists + ["--quantity", "delta"])):
            out = self.path(module.__name__ + ".png")
            code, err = run_in_process(module, inputs + ["-o", out, "--figsize", "5", "3",
                                                         "--dpi", "60"])
            self.assertEqual(code, 0, err)
            self.assert_png(out, (300, 180))


class SeedReasonsTest(PlotTestCase):
    """The figures of the seed post's three reasons, each from a tiny real gradflow output."""

    def gradflow(self, *args):
        threads = ["--jobs", "1"] if args[0] == "sweep" else ["--threads", "1"]
        subprocess.run([os.environ["GRADFLOW_BINARY"], *args, *threads], check=True, timeout=120)

    def draw(self, module, inputs, size=(5, 3)):
        out = self.path(module.__name__ + ".png")
        code, err = run_in_process(module, inputs + ["-o", out, "--figsize", str(size[0]),
                                                     str(size[1]), "--dpi", "60"])
        self.assertEqual(code, 0, err)
        self.assert_png(out, (size[0] * 60, size[1] * 60))

    def test_saturation_vs_scale(self):
        runs = self.path("scale.csv")
        self.gradflow("sweep", "-q", "--activation", "sigmoid,relu", "--init", "xavier_normal",
                      "--gain", "0.5,1,8", "--seeds", "0,1", "--depth", "4", "--width", "32",
                      "--batch", "16", "--dtype", "float64", "-o", runs)
        table = self.path("scale_table.csv")
        self.draw(plot_saturation_vs_scale, [runs, "--table-out", table])
        rows = gradflow_plots.pd.read_csv(table)
        self.assertEqual(len(rows), 6)
        self.assertEqual(sorted(set(rows["sigma_w2"])), [0.25, 1.0, 64.0])
        sigmoid = rows[rows["activation"] == "sigmoid"].set_index("gain")
        # sigmoid at gain 8 saturates (|z| > 5.29 is common); at 0.5 it does not
        self.assertGreater(sigmoid.loc[8, "mean_saturation"], 0.2)
        self.assertLess(sigmoid.loc[0.5, "mean_saturation"], 0.01)
        self.assertTrue((rows["seeds"] == 2).all())
        result = run_script("plot_saturation_vs_scale.py", [self.broken, "-o", self.path("b.png")])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("missing required column", result.stderr)

    def test_phase(self):
        summary = self.path("phase.csv")
        self.gradflow("sweep", "-q", "--activation", "tanh", "--init", "xavier_normal",
                      "--gain", "0.7,1,1.5", "--bias-std", "0.05", "--depth", "2,6", "--width",
                      "32", "--batch", "16", "--dtype", "float64", "-o", "/dev/null",
                      "--summary-out", summary)
        self.draw(plot_phase, [summary])
        # chi_1 crossing 1 between grid points, interpolated in log sigma_w^2
        self.assertAlmostEqual(plot_phase.boundary([1.0, 4.0], [0.5, 1.5]), 2.0)
        self.assertIsNone(plot_phase.boundary([1.0, 4.0], [0.5, 0.9]))
        code, err = run_in_process(plot_phase, [self.runs, "-o", self.path("p.png")])
        self.assertEqual(code, 2)
        self.assertIn("missing required column", err)

    def test_zigzag(self):
        # Every step of the all-positive neuron moves both weights the same way.
        path, steps = plot_zigzag.sgd_path(False, 1.0, 0, 0.05, 2000)
        moves = path[1:] - path[:-1]
        self.assertTrue(all(m[0] * m[1] >= 0 for m in moves))
        self.assertIsNotNone(steps)
        path, _ = plot_zigzag.sgd_path(True, 1.0, 0, 0.05, 2000)
        moves = path[1:] - path[:-1]
        self.assertTrue(any(m[0] * m[1] < 0 for m in moves))
        table = self.path("zigzag.csv")
        self.draw(plot_zigzag, ["--seeds", "3", "--table-out", table])
        rows = gradflow_plots.pd.read_csv(table)
        self.assertEqual(list(rows["rate_choice"]), ["shared", "best", "shared", "best"])
        self.assertTrue((rows["mean_steps"] > 0).all())

    def test_centring(self):
        curves = []
        for activation in ("sigmoid", "sigmoid_centred"):
            curve = self.path(f"{activation}_curve.csv")
            self.gradflow("train", "-q", "--activation", activation, "--depth", "2", "--width",
                          "16", "--task", "regression", "--train-size", "256", "--test-size",
                          "64", "--batch", "32", "--steps", "40", "--log-every", "10",
                          "--dtype", "float64", "-o", "/dev/null", "--curve-out", curve)
            curves.append(curve)
        table = self.path("centring.csv")
        self.draw(plot_centring, curves + ["--target", "1e9", "--table-out", table])
        rows = gradflow_plots.pd.read_csv(table)
        self.assertEqual(list(rows["activation"]), ["sigmoid", "sigmoid_centred"])
        self.assertEqual(list(rows["steps_to_target_mean"]), [0.0, 0.0])  # reached at step 0
        self.draw(plot_centring, curves + ["--target", "1e-30", "--table-out", table])
        rows = gradflow_plots.pd.read_csv(table, keep_default_na=False)
        self.assertEqual(list(rows["steps_to_target_per_seed"]), ["never", "never"])

    def test_activation_cost(self):
        cost = self.path("cost.csv")
        self.gradflow("bench", "-q", "--elements", "2048", "--repeats", "1", "--pass-repeats",
                      "1", "--depth", "2", "--width", "16", "--batch", "8", "-o", cost)
        rows = gradflow_plots.pd.read_csv(cost)
        self.assertEqual(len(rows), 2 * rows["activation"].nunique())
        self.assertTrue((rows[["phi_ns", "phi_dphi_ns", "pass_ms"]] > 0).all().all())
        self.draw(plot_activation_cost, [cost], size=(8, 4))


if __name__ == "__main__":
    unittest.main()
