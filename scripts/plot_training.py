#!/usr/bin/python3
"""Training dynamics: do vanishing gradients stop the early layers from learning?

Reads the per-layer CSV of `gradflow train` (a `step` column, the run's
per-layer columns, `weight_change` = ||W_t - W_0||_F / ||W_0||_F) and, with
--curves, its `--curve-out` CSV (step, train_loss, test_loss, optional
test_accuracy). One column of panels per configuration (activation, init,
and whatever else differs), rows:
  1. heatmap of ||delta^l||_F, layer (y) x logged step (x), log colour scale;
  2. relative weight change ||W_t - W_0|| / ||W_0|| per layer over steps, log y,
     one line per layer (colour = layer, dark = near the input);
  3. train and test loss over steps (and test accuracy on a right axis).
Curve rows are matched to configurations by the configuration columns both
files have; a curve file without them is matched to the per-layer file in the
same position on the command line.

Example:
  /usr/bin/python3 scripts/plot_training.py results/train.csv --curves results/train_curve.csv \\
      -o results/training.png
"""

import sys

import matplotlib
import matplotlib.ticker
import numpy as np

import gradflow_plots as gp

LAYER_REQUIRED = ["step", "layer", "delta_norm", "weight_change"]
CURVE_REQUIRED = ["step", "train_loss", "test_loss"]


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="per-layer train CSV file(s)")
    parser.add_argument("--curves", nargs="+", default=[],
                        help="curve CSV file(s) of train --curve-out (loss rows)")
    gp.add_selection_args(parser)
    gp.add_output_args(parser, "training", "4 x configurations + 1.5 by 10")
    return parser.parse_args(argv)


def read_inputs(args):
    """Per-layer rows and curve rows, each with a `source` index for matching."""
    layers = []
    for index, path in enumerate(args.csv):
        frame = gp.read_csvs([path], LAYER_REQUIRED, "per-layer train CSV (gradflow train)")
        layers.append(frame.assign(source=index))
    layers = gp.pd.concat(layers, ignore_index=True)
    curves = []
    for index, path in enumerate(args.curves):
        frame = gp.read_csvs([path], CURVE_REQUIRED, "curve CSV (gradflow train --curve-out)")
        curves.append(frame.assign(source=index))
    curves = gp.pd.concat(curves, ignore_index=True) if curves else None
    if curves is not None and not gp.config_key_columns(curves) and \
            len(args.curves) != len(args.csv):
        raise gp.UsageError(f"--curves: {len(args.curves)} curve file(s) without configuration "
                            f"columns for {len(args.csv)} per-layer file(s); give one per file, "
                            "in the same order")
    return layers, curves


def curve_rows(curves, rows):
    """The curve rows of the configuration of `rows` (per-layer rows)."""
    if curves is None:
        return None
    keys = [k for k in gp.config_key_columns(curves) if k in rows.columns]
    if not keys:
        match = curves[curves["source"].isin(rows["source"].unique())]
    else:
        match = curves
        for k in keys:
            wanted = gp.as_text(rows[k].iloc[:1]).iloc[0]
            match = match[gp.as_text(match[k]) == wanted]
    if "seed" in match.columns and "seed" in rows.columns:
        match = match[match["seed"] == rows["seed"].iloc[0]]
    return match.sort_values("step")


def main(argv=None):
    args = parse_args(argv)
    layers, curves = read_inputs(args)
    layers = gp.hidden_layers(gp.select(layers, args.activation, args.init))
    configs = gp.configurations(layers)
    cols = len(configs)
    fig = gp.figure(args, (4 * cols + 1.5, 10))
    axes = fig.subplots(3, cols, squeeze=False)
    norm_rows = layers["delta_norm"][layers["delta_norm"] > 0]
    colour_norm = matplotlib.colors.LogNorm(vmin=norm_rows.min() if len(norm_rows) else 1e-12,
                                            vmax=norm_rows.max() if len(norm_rows) else 1)
    mesh = None
    for c, (label, style, rows) in enumerate(configs):
        if "seed" in rows.columns:  # one seed per panel: the first
            rows = rows[rows["seed"] == rows["seed"].min()]
        steps = np.sort(rows["step"].unique())
        depth = int(rows["layer"].max())
        # 1. Heatmap: layer x logged step, log colour.
        grid = rows.pivot_table(index="layer", columns="step", values="delta_norm",
                                aggfunc="first").reindex(index=range(1, depth + 1), columns=steps)
        values = np.ma.masked_invalid(np.where(grid.to_numpy() > 0, grid.to_numpy(), np.nan))
        ax = axes[0, c]
        mesh = ax.pcolormesh(np.arange(len(steps) + 1), np.arange(0.5, depth + 1), values,
                             norm=colour_norm, cmap="viridis", shading="flat")
        ticks = np.unique(np.round(np.linspace(0, len(steps) - 1, min(6, len(steps)))).astype(int))
        ax.set_xticks(ticks + 0.5, [str(steps[t]) for t in ticks])
        ax.set_xlabel("logged step (one column each)")
        ax.set_ylabel("layer l (1 = next to the input)")
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(f"{label}\n" r"$\|\delta^l\|_F$ per layer and step", fontsize=9)
        # 2. Relative weight change per layer.
        ax = axes[1, c]
        if c > 0:
            ax.sharey(axes[1, 0])  # one scale: early layers that barely move stand out
        cmap = matplotlib.colormaps["viridis"]
        for layer, layer_rows in rows.groupby("layer"):
            layer_rows = layer_rows.sort_values("step")
            positive = layer_rows[layer_rows["weight_change"] > 0]
            ax.plot(positive["step"], positive["weight_change"], linewidth=1.2,
                    color=cmap((layer - 1) / max(depth - 1, 1)))
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(r"$\|W^l_t - W^l_0\|_F / \|W^l_0\|_F$ (log scale)")
        ax.set_title("relative weight change per layer\n(dark = layer 1, yellow = last)",
                     fontsize=9)
        ax.grid(True, alpha=0.3)
        # 3. Loss curves, on one y scale for every configuration: a 5% drop must
        # not look as steep as a 56% one.
        ax = axes[2, c]
        if c > 0:
            ax.sharey(axes[2, 0])
        curve = curve_rows(curves, rows)
        if curve is None or curve.empty:
            ax.text(0.5, 0.5, "no curve CSV (--curves)", transform=ax.transAxes, ha="center")
            ax.set_axis_off()
            continue
        ax.plot(curve["step"], curve["train_loss"], color=style["color"], label="train loss")
        ax.plot(curve["step"], curve["test_loss"], color=style["color"], linestyle="--",
                label="test loss")
        ax.set_xlabel("step")
        ax.set_ylabel("loss (linear scale)")
        ax.set_title("loss" + (" and test accuracy" if "test_accuracy" in curve else ""),
                     fontsize=9)
        ax.grid(True, alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if "test_accuracy" in curve and curve["test_accuracy"].notna().any():
            twin = ax.twinx()
            twin.plot(curve["step"], curve["test_accuracy"], color="0.4", linestyle=":",
                      label="test accuracy")
            twin.set_ylim(0, 1)
            twin.set_ylabel("test accuracy (fraction)")
            more_handles, more_labels = twin.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels, fontsize=7)
    if mesh is not None:
        fig.colorbar(mesh, ax=list(axes[0]), label=r"$\|\delta^l\|_F$ (log colour scale)",
                     shrink=0.9)
    fig.suptitle(args.title or f"Training: gradients, learning per layer and loss\n"
                 f"({gp.describe(layers)})")
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
