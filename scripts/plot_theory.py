#!/usr/bin/python3
"""Theory overlay: measured per-layer quantities beside their mean-field predictions.

Reads per-layer CSVs of `gradflow run` or `sweep` that carry the theory
columns (pred_preact_q, pred_delta_ratio, pred_saturation_frac) and draws,
per layer, measured values as markers and predictions as lines, one colour per
configuration:
  1. ||delta^l|| / ||delta^L|| (L = last hidden layer) vs pred_delta_ratio, log y;
  2. q^l = mean (z^l)^2 (preact_q) vs pred_preact_q, log y;
  3. saturation_frac vs pred_saturation_frac, linear 0..1.
Measured ratios are taken per seed, then averaged geometrically (min-max band
when several seeds). Predictions assume the random-probe loss at
initialisation (see THEORY.md).

Example:
  /usr/bin/python3 scripts/plot_theory.py results/runs.csv -o results/theory.png
"""

import sys

import numpy as np

import gradflow_plots as gp

REQUIRED = ["layer", "delta_norm", "preact_q", "saturation_frac",
            "pred_preact_q", "pred_delta_ratio", "pred_saturation_frac"]
PANELS = [
    ("delta_ratio", "pred_delta_ratio", True,
     r"$\|\delta^l\| / \|\delta^L\|$ (log scale)", "back-propagated gradient relative to layer L"),
    ("preact_q", "pred_preact_q", True,
     r"$q^l = \mathrm{mean}\,(z^l)^2$ (log scale)", "pre-activation second moment"),
    ("saturation_frac", "pred_saturation_frac", False,
     "saturated fraction (linear, 0..1)", "saturated fraction of (unit, sample) pairs"),
]
DEFAULT_SIZE = (15, 5)


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="per-layer CSV file(s) with pred_* columns")
    gp.add_selection_args(parser)
    gp.add_output_args(parser, "theory", DEFAULT_SIZE)
    return parser.parse_args(argv)


def with_delta_ratio(frame):
    """Adds delta_ratio = delta_norm / delta_norm of the run's last hidden layer."""
    keys = gp.config_key_columns(frame) + (["seed"] if "seed" in frame else [])
    if "step" in frame:
        keys.append("step")
    if not keys:
        last = frame.loc[frame["layer"].idxmax(), "delta_norm"]
        return frame.assign(delta_ratio=frame["delta_norm"] / last)
    filled = frame[keys].astype(str)
    run_id = filled.apply(lambda r: "\x1f".join(r), axis=1)
    last_layer = frame.groupby(run_id)["layer"].transform("max")
    last = frame["delta_norm"].where(frame["layer"] == last_layer)
    last = last.groupby(run_id).transform("max")
    return frame.assign(delta_ratio=frame["delta_norm"] / last)


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "per-layer CSV with theory columns (gradflow run)")
    frame = gp.hidden_layers(gp.select(frame, args.activation, args.init))
    frame = with_delta_ratio(frame)
    configs = gp.configurations(frame)
    seeds = frame["seed"].nunique() if "seed" in frame else 1

    fig = gp.figure(args, DEFAULT_SIZE)
    grid, legend_ax = gp.panels(fig, 1, len(PANELS), legend_width=0.7, sharex=True)
    axes = list(grid[0])
    for ax, (measured, predicted, log, ylabel, title) in zip(axes, PANELS):
        for label, style, rows in configs:
            layers, centre, low, high = gp.across_seeds(rows, "layer", measured, geometric=log)
            ax.plot(layers, centre, marker=style["marker"], markersize=4, linestyle="none",
                    color=style["color"], zorder=style["zorder"],
                    label=f"{label} measured" if ax is axes[0] else None)
            if seeds > 1:
                ax.fill_between(layers, low, high, color=style["color"], alpha=0.12, linewidth=0)
            p_layers, p_centre, _, _ = gp.across_seeds(rows, "layer", predicted, geometric=False)
            ax.plot(p_layers, p_centre, linewidth=style["linewidth"], color=style["color"],
                    alpha=style.get("alpha", 1.0),
                    linestyle=style["linestyle"],
                    label=f"{label} predicted" if ax is axes[0] else None)
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(-0.03, 1.03)
        gp.integer_ticks(ax)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
    fig.suptitle(args.title or "Measured (markers) vs mean-field prediction (lines) per layer\n"
                 f"({gp.describe(frame)})")
    handles, labels = axes[0].get_legend_handles_labels()
    gp.legend_in(legend_ax, handles, labels, fontsize=7, title="configuration", title_fontsize=8)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
