#!/usr/bin/python3
"""Saturation and the gradient reaching layer 1, against the initial weight and bias scales.

Reads the per-layer CSV of `gradflow sweep`s over activations and scales (--gain or --init
normal --init-std for the weights, --bias-std for the biases) with the predicted columns, and
per (activation, init, weight scale, bias_std) takes, averaged over seeds:
  mean_saturation       mean over hidden layers of saturation_frac
  pred_mean_saturation  the same of pred_saturation_frac (mean-field theory)
  vanishing_ratio       delta_norm[1] / delta_norm[L] (geometric mean over seeds)
  pred_vanishing_ratio  pred_delta_ratio of layer 1
Left: the saturated fraction; right: log10 of the vanishing ratio; measured as markers,
predicted as lines. Top row: the runs with zero biases against sigma_w^2 of the hidden layers;
bottom row (when the data has bias_std > 0): the runs at the smallest sigma_w^2 with nonzero
biases present, against bias_std. --table-out writes the table.

Example:
  /usr/bin/python3 scripts/plot_saturation_vs_scale.py results/saturation_vs_scale_runs.csv \\
      -o results/saturation_vs_scale.png --table-out results/saturation_vs_scale.csv
"""

import sys

import numpy as np

import gradflow_plots as gp

DEFAULT_SIZE = (13, 8)
REQUIRED = ["activation", "init", "init_param", "gain", "bias_std", "seed", "layer", "kind",
            "fan_in",
            "saturation_frac", "pred_saturation_frac", "delta_norm", "pred_delta_ratio"]
# sigma_w^2 = fan_in * Var(W) for a square layer, before the gain (gradflow list).
SIGMA_W2 = {"xavier_normal": 1.0, "xavier_uniform": 1.0, "he_normal": 2.0, "he_uniform": 2.0,
            "lecun_normal": 1.0, "lecun_uniform": 1.0, "orthogonal": 1.0}


def sigma_w2(row):
    """sigma_w^2 of the square hidden layers of a run (row: one of its CSV rows)."""
    init, gain = row["init"], float(row["gain"])
    if init in SIGMA_W2:
        return SIGMA_W2[init] * gain ** 2
    if init == "normal":
        return float(row["init_param"]) ** 2 * float(row["fan_in"]) * gain ** 2
    if init == "uniform":
        return float(row["init_param"]) ** 2 / 3 * float(row["fan_in"]) * gain ** 2
    raise gp.UsageError(f"init {init}: sigma_w^2 unknown to this script")


def summarise(frame):
    """One row per (activation, init, sigma_w^2): the four quantities over seeds."""
    hidden = frame[frame["kind"] == "hidden"]
    rows = []
    for (activation, init, init_param, gain, bias_std), runs in hidden.groupby(
            ["activation", "init", "init_param", "gain", "bias_std"], dropna=False, sort=False):
        deep = runs[runs["layer"] > 1]  # layers after the first: their fan_in is the width
        s2 = sigma_w2((deep if len(deep) else runs).iloc[0])
        per_seed = []
        for _, layers in runs.groupby("seed"):
            layers = layers.sort_values("layer")
            first, last = layers.iloc[0], layers.iloc[-1]
            per_seed.append((layers["saturation_frac"].mean(),
                             layers["pred_saturation_frac"].mean(),
                             first["delta_norm"] / last["delta_norm"],
                             first["pred_delta_ratio"]))
        values = np.array(per_seed, dtype=float)
        with np.errstate(divide="ignore"):
            vanishing = float(np.exp(np.mean(np.log(values[:, 2]))))
        rows.append({"activation": activation, "init": init, "gain": gain, "sigma_w2": s2,
                     "bias_std": bias_std,
                     "depth": int(runs["layer"].max()), "seeds": len(per_seed),
                     "mean_saturation": values[:, 0].mean(),
                     "pred_mean_saturation": values[:, 1].mean(),
                     "vanishing_ratio": vanishing, "pred_vanishing_ratio": values[0, 3]})
    return rows


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="per-layer CSV file(s) of the sweep")
    gp.add_selection_args(parser)
    parser.add_argument("--table-out", help="write the per-scale table to this CSV")
    gp.add_output_args(parser, "saturation_vs_scale", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "per-layer CSV (gradflow sweep) with pred_ columns")
    frame = gp.select(frame, args.activation, args.init)
    rows = summarise(frame)
    if args.table_out:
        import pandas as pd
        pd.DataFrame(rows).to_csv(args.table_out, index=False, float_format="%.6g")
    weight_rows = [r for r in rows if r["bias_std"] == 0]
    biased = [r for r in rows if r["bias_std"] > 0]
    panels = [("sigma_w2", weight_rows, r"$\sigma_w^2$ of the hidden layers (Xavier: 1, He: 2), "
               "zero biases")]
    if biased:
        base = min(r["sigma_w2"] for r in biased)
        bias_rows = [r for r in rows if r["sigma_w2"] == base]
        panels.append(("bias_std", [r for r in bias_rows if r["bias_std"] > 0] +
                       [r for r in bias_rows if r["bias_std"] == 0],
                       rf"$\sigma_b$ (bias std) at $\sigma_w^2$ = {base:g}"))
    fig = gp.figure(args, DEFAULT_SIZE)
    grid, legend_ax = gp.panels(fig, len(panels), 2, legend_width=0.45)
    for (x_name, subset, x_label), (sat_ax, van_ax) in zip(panels, grid):
        for activation in dict.fromkeys(r["activation"] for r in subset):
            mine = sorted((r for r in subset if r["activation"] == activation),
                          key=lambda r: r[x_name])
            x = [r[x_name] for r in mine]
            colour = gp.ACTIVATION_COLOURS.get(activation, "#333333")
            marker = gp.ACTIVATION_MARKERS.get(activation, "o")
            sat_ax.plot(x, [r["pred_mean_saturation"] for r in mine], "-", color=colour,
                        label=f"{activation}: predicted")
            sat_ax.plot(x, [r["mean_saturation"] for r in mine], marker, color=colour,
                        linestyle="none", label=f"{activation}: measured")
            with np.errstate(divide="ignore"):
                van_ax.plot(x, np.log10([r["pred_vanishing_ratio"] for r in mine]), "-",
                            color=colour)
                van_ax.plot(x, np.log10([r["vanishing_ratio"] for r in mine]), marker,
                            color=colour, linestyle="none")
        for ax in (sat_ax, van_ax):
            ax.set_xscale("symlog" if x_name == "bias_std" else "log",
                          **({"linthresh": 0.5} if x_name == "bias_std" else {}))
            ax.set_xlabel(x_label)
            ax.grid(True, alpha=0.3)
        van_ax.axhline(0.0, color="k", linestyle=":", linewidth=1)
        sat_ax.set_ylim(-0.03, 1.03)
        sat_ax.set_ylabel("mean saturated fraction\nover the hidden layers")
        sat_ax.set_title(r"saturation: $|\phi'(z)| < \tau \max|\phi'|$")
        van_ax.set_ylabel(r"log10 $\|\delta^1\| / \|\delta^L\|$")
        van_ax.set_title("gradient reaching layer 1, relative to layer L")
    depth = rows[0]["depth"] if rows else 0
    fig.suptitle(args.title or f"Saturated neurons and the gradient: depth {depth}, measured "
                 f"(markers, mean over {rows[0]['seeds'] if rows else 0} seeds) against "
                 "mean-field theory (lines)")
    handles, labels = grid[0][0].get_legend_handles_labels()
    gp.legend_in(legend_ax, handles, labels, fontsize=8)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
