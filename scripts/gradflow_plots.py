"""Shared helpers for gradflow's plotting scripts (one script per figure family).

Reading: every gradflow CSV starts with the run's configuration columns, so
files concatenate; read_csvs() joins them and fails with a clear message (exit
2) naming any required column that is missing. Grouping: rows belong to one
*configuration* when all configuration columns but `seed` agree; seeds are
aggregated (geometric mean and min-max band for norms, arithmetic mean and
min-max band for fractions). Output: PNG by default, --format svg|pdf, the
figure's size in inches times --dpi gives its pixel size exactly.

No global state beyond matplotlib's Agg backend, chosen on import.
"""

import argparse
import math
import os
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# The configuration columns of every gradflow CSV (src/experiment/run_columns.cpp).
CONFIG_COLUMNS = [
    "activation", "act_param", "init", "init_param", "gain", "bias_std", "depth",
    "width", "widths", "norm", "residual", "input_dim", "batch", "input", "input_scale", "loss", "dtype", "seed",
]
FORMATS = ("png", "svg", "pdf")

# One colour per activation (the six of the seed post first), one line style per init.
ACTIVATION_COLOURS = {
    "sigmoid": "#d62728", "tanh": "#ff7f0e", "relu": "#1f77b4", "leaky_relu": "#17becf",
    "maxout": "#9467bd", "elu": "#2ca02c", "softplus": "#8c564b", "softsign": "#e377c2",
    "selu": "#7f7f7f", "gelu": "#bcbd22", "silu": "#aec7e8", "identity": "#000000",
    "sigmoid_centred": "#ff9896",
}
INIT_STYLES = ["-", "--", ":", "-."]
# ReLU and LeakyReLU (slope 0.01) give almost the same numbers, so their lines
# would hide each other: each activation has its own marker, LeakyReLU is drawn
# as a wide pale band, and activations earlier in the table are drawn on top
# (ReLU over LeakyReLU).
ACTIVATION_MARKERS = {
    "sigmoid": "o", "tanh": "s", "relu": "^", "leaky_relu": "v", "maxout": "D", "elu": "P",
    "softplus": "X", "softsign": "*", "selu": "h", "gelu": "<", "silu": ">", "identity": ".",
    "sigmoid_centred": "d",
}
WIDE_BAND_ACTIVATIONS = {"leaky_relu": {"linewidth": 4.0, "alpha": 0.45}}


class UsageError(Exception):
    """A problem with the user's input; main() prints it and exits 2."""


def run_main(main, argv=None):
    """Runs main(argv); a UsageError becomes 'script: error: ...' and exit 2."""
    name = os.path.basename(sys.argv[0]) or "gradflow_plots"
    try:
        return main(argv)
    except UsageError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return 2


def add_per_layer_args(parser, default_metrics, metrics_help):
    """The inputs of a per-layer figure: CSV files, --metrics, --activation/--init and --step."""
    parser.add_argument("csv", nargs="+", help="per-layer CSV file(s) (concatenated)")
    parser.add_argument("--metrics", default=default_metrics, help=metrics_help)
    add_selection_args(parser)
    parser.add_argument("--step", type=int, default=None,
                        help="CSV with a step column (train): the step to draw (default: the first)")


def add_selection_args(parser):
    """--activation and --init: keep only these (comma lists), as every figure script does."""
    parser.add_argument("--activation", help="only these activations (comma list)")
    parser.add_argument("--init", help="only these inits (comma list)")


def add_output_args(parser, default_name, default_size):
    """Adds -o/--out, --format, --dpi, --figsize and --title."""
    parser.add_argument("-o", "--out", default=None,
                        help=f"output file (default: {default_name}.FORMAT in the current folder)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="image format (default: from --out's extension, else png)")
    parser.add_argument("--dpi", type=int, default=100,
                        help="pixels per inch (default 100): the image is figsize x dpi pixels")
    parser.add_argument("--figsize", type=float, nargs=2, metavar=("W", "H"), default=None,
                        help=f"figure size in inches (default {default_size})")
    parser.add_argument("--title", default=None, help="figure title (default: describes the data)")
    parser.set_defaults(default_name=default_name)


def output_path(args):
    """The output path and format from --out and --format (they must agree)."""
    out = args.out or args.default_name
    stem, ext = os.path.splitext(out)
    ext = ext.lstrip(".").lower()
    if ext in FORMATS:
        if args.format and args.format != ext:
            raise UsageError(f"--out '{out}' has extension .{ext} but --format is {args.format}")
        return out, ext
    fmt = args.format or "png"
    return f"{out}.{fmt}", fmt


def figure(args, default_size):
    """A new figure of --figsize (or default_size) inches at --dpi."""
    if args.dpi < 10 or args.dpi > 1000:
        raise UsageError(f"--dpi must be between 10 and 1000, got {args.dpi}")
    width, height = args.figsize or default_size
    if not (0 < width <= 100 and 0 < height <= 100):
        raise UsageError(f"--figsize must be between 0 and 100 inches, got {width} {height}")
    return plt.figure(figsize=(width, height), dpi=args.dpi, layout="constrained")


def panels(fig, nrows, ncols, legend_width=0.0, **kwargs):
    """A grid of axes; with legend_width > 0 (a fraction of a panel's width) an
    extra column on the right, axis off, that holds the figure's legend.
    Returns (axes as a 2-D array, legend axis or None)."""
    if legend_width <= 0:
        return fig.subplots(nrows, ncols, squeeze=False, **kwargs), None
    grid = fig.add_gridspec(nrows, ncols + 1, width_ratios=[1] * ncols + [legend_width])
    axes = np.empty((nrows, ncols), dtype=object)
    first = None
    for r in range(nrows):
        for c in range(ncols):
            share = {}
            if first is not None and kwargs.get("sharex"):
                share["sharex"] = first
            axes[r, c] = fig.add_subplot(grid[r, c], **share)
            first = first or axes[r, c]
    legend_ax = fig.add_subplot(grid[:, ncols])
    legend_ax.axis("off")
    return axes, legend_ax


def wrap_to_width(fig, text, fontsize):
    """text wrapped so each line fits the figure's width at fontsize points."""
    chars = max(20, int(fig.get_figwidth() * 72 / (0.55 * fontsize)))
    return "\n".join(textwrap.wrap(text, chars))


def legend_in(legend_ax, handles, labels, **kwargs):
    """The legend in the legend column, left-aligned."""
    legend_ax.legend(handles, labels, loc="center left", borderaxespad=0, frameon=False, **kwargs)


def save(fig, args):
    """Saves at exactly figsize x dpi pixels (no tight cropping); returns the path."""
    path, fmt = output_path(args)
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"--out: folder '{folder}' does not exist")
    fig.savefig(path, format=fmt, dpi=args.dpi)
    plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)
    return path


def read_csvs(paths, required, what):
    """Reads and concatenates CSV files; each must have every `required` column.

    `what` names the kind of file in messages ("per-layer run CSV").
    """
    frames = []
    for path in paths:
        if not os.path.isfile(path):
            raise UsageError(f"{path}: no such file (expected a {what})")
        try:
            frame = pd.read_csv(path, keep_default_na=False, na_values=["nan", ""])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: not a readable CSV ({error})") from None
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise UsageError(
                f"{path}: missing required column(s) {', '.join(missing)} for a {what}"
                f" (has: {', '.join(map(str, frame.columns))})")
        if frame.empty:
            raise UsageError(f"{path}: no data rows (expected a {what})")
        frames.append(frame)
    if not frames:
        raise UsageError(f"no input files (expected a {what})")
    return pd.concat(frames, ignore_index=True)


def select(frame, activations=None, inits=None):
    """Keeps the rows whose activation/init is in the given comma lists (None: all)."""
    for column, wanted in (("activation", activations), ("init", inits)):
        if wanted and column in frame.columns:
            names = [w.strip() for w in wanted.split(",") if w.strip()]
            unknown = sorted(set(names) - set(frame[column].astype(str)))
            if unknown:
                raise UsageError(f"--{column}: {', '.join(unknown)} not in the data"
                                 f" (has: {', '.join(sorted(set(frame[column].astype(str))))})")
            frame = frame[frame[column].astype(str).isin(names)]
    return frame


def config_key_columns(frame):
    """The configuration columns present in `frame`, without seed."""
    return [c for c in CONFIG_COLUMNS if c in frame.columns and c != "seed"]


def _clean(value):
    """A configuration value for a label: whole numbers without '.0', other
    floats to 4 significant digits (a gain of sqrt(2) reads 1.414)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def as_text(series):
    """Values as comparable text: NaN -> "", 1.0 -> "1" (CSV files differ in dtypes)."""
    return series.map(lambda v: "" if (isinstance(v, float) and math.isnan(v)) else _clean(v))


def configurations(frame):
    """[(label, style, rows)] per configuration, in order of first appearance.

    The label names the activation and init (with their parameters) and any
    other configuration column that differs between configurations; the style
    is a dict of matplotlib line properties (colour, marker and draw order by
    activation, dash by init; see ACTIVATION_MARKERS).
    """
    keys = config_key_columns(frame)
    if not keys:
        return [("all rows", {"color": "#1f77b4", "linestyle": "-", "marker": "o",
                              "linewidth": 1.6}, frame)]
    frame = frame.copy()
    frame[keys] = frame[keys].fillna("")
    groups = list(frame.groupby(keys, sort=False, dropna=False))
    # Known activations in their canonical order, then the rest as they come;
    # the sort is stable, so inits keep their order of appearance.
    order = list(ACTIVATION_COLOURS)
    if "activation" in keys:
        at = keys.index("activation")
        groups.sort(key=lambda g: order.index(g[0][at]) if g[0][at] in order else len(order))
    varying = [k for k in keys if frame[k].nunique() > 1]
    inits = list(dict.fromkeys(frame["init"])) if "init" in frame else []
    out = []
    for index, (values, rows) in enumerate(groups):
        values = dict(zip(keys, values if isinstance(values, tuple) else (values,)))
        parts = []
        if "activation" in values:
            param = _clean(values.get("act_param", ""))
            parts.append(values["activation"] + (f"({param})" if param else ""))
        if "init" in values:
            param = _clean(values.get("init_param", ""))
            parts.append(values["init"] + (f"({param})" if param else ""))
        for k in varying:
            if k not in ("activation", "act_param", "init", "init_param"):
                parts.append(f"{k}={_clean(values[k])}")
        colour = ACTIVATION_COLOURS.get(values.get("activation"), f"C{index % 10}")
        dash = INIT_STYLES[inits.index(values["init"]) % len(INIT_STYLES)] if inits else "-"
        activation = values.get("activation")
        rank = order.index(activation) if activation in order else len(order)
        style = {"color": colour, "linestyle": dash, "marker": ACTIVATION_MARKERS.get(activation, "o"),
                 "linewidth": 1.6, "zorder": 3 + (len(order) - rank) / 100}
        style.update(WIDE_BAND_ACTIVATIONS.get(activation, {}))
        out.append((" / ".join(parts), style, rows))
    return out


def seed_count(rows):
    return rows["seed"].nunique() if "seed" in rows else 1


def across_seeds(rows, x, y, geometric):
    """Per x: (x values, centre, low, high) of y over seeds.

    geometric: centre is the geometric mean of the positive values (norms
    spanning decades), else the arithmetic mean (fractions); low/high are the
    min and max over seeds.
    """
    xs, centre, low, high = [], [], [], []
    for value, group in rows.groupby(x, sort=True):
        ys = pd.to_numeric(group[y], errors="coerce").to_numpy(dtype=float)
        ys = ys[np.isfinite(ys)]
        if geometric:
            ys = ys[ys > 0]
        if len(ys) == 0:
            continue
        xs.append(value)
        centre.append(float(np.exp(np.mean(np.log(ys)))) if geometric else float(np.mean(ys)))
        low.append(float(ys.min()))
        high.append(float(ys.max()))
    return np.array(xs), np.array(centre), np.array(low), np.array(high)


def integer_ticks(ax):
    """Integer ticks on the x axis (layers, steps)."""
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def hidden_layers(frame):
    """Drops the linear head (kind == head, or layer > depth) if present."""
    if "kind" in frame.columns:
        return frame[frame["kind"].astype(str) != "head"]
    if "depth" in frame.columns:
        return frame[frame["layer"] <= frame["depth"]]
    return frame


def describe(frame, columns=("depth", "width", "batch", "loss", "dtype")):
    """'depth 20, width 256, ...' for the columns that are constant in frame."""
    parts = []
    for c in columns:
        if c in frame.columns and frame[c].nunique() == 1:
            parts.append(f"{c} {_clean(frame[c].iloc[0])}")
    seeds = frame["seed"].nunique() if "seed" in frame.columns else 1
    parts.append(f"{seeds} seed{'s' if seeds != 1 else ''}")
    return ", ".join(parts)


def format_power(value):
    """1.2e-12 -> '1e-12' style order of magnitude text."""
    if not (value > 0) or not math.isfinite(value):
        return str(value)
    return f"{value:.1e}"


def parse_int_list(text, option):
    """'1,5,10' -> [1, 5, 10]; UsageError naming option otherwise."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{option} must be a comma list of integers, got '{text}'") from None
    if not values:
        raise UsageError(f"{option} must name at least one value, got '{text}'")
    return values


def new_parser(description):
    return argparse.ArgumentParser(description=description,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
