#!/usr/bin/python3
"""Gradient flow: per-layer gradient norms, one line per configuration.

Reads per-layer CSVs of `gradflow run` (or `sweep`, or `train` at one step)
and draws, against the layer index, the back-propagated gradient ||delta^l||_F
and the weight gradient ||dLoss/dW^l||_F on a log y axis: one line per
configuration (colour = activation, dash = init), the geometric mean over
seeds with a min-max band when there are several seeds. The legend gives each
configuration's vanishing ratio ||delta^1|| / ||delta^L||.

Example:
  /usr/bin/python3 scripts/plot_gradient_flow.py results/runs.csv -o results/gradient_flow.png
"""

import sys

import gradflow_plots as gp

METRICS = {
    "delta_norm": ("back-propagated gradient", r"$\|\delta^l\|_F = \|\partial L/\partial z^l\|_F$"),
    "grad_w_norm": ("weight gradient", r"$\|\partial L/\partial W^l\|_F$"),
    "grad_b_norm": ("bias gradient", r"$\|\partial L/\partial b^l\|_2$"),
    "grad_w_norm_per_example": ("per-example weight gradient",
                                r"$\sqrt{\mathrm{mean}_b\,\|\delta_b\|^2\|a_b^{l-1}\|^2}$"),
    "grad_to_weight": ("gradient-to-weight ratio", r"$\|\partial L/\partial W^l\|_F/\|W^l\|_F$"),
}
DEFAULT_SIZE = (13, 5.5)


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    gp.add_per_layer_args(parser, "delta_norm,grad_w_norm",
                          "comma list of norm columns, one panel each (default "
                          "delta_norm,grad_w_norm; also " + ", ".join(list(METRICS)[2:]) + ")")
    gp.add_output_args(parser, "gradient_flow", DEFAULT_SIZE)
    return parser.parse_args(argv)


def at_step(frame, step):
    """Rows of one step when the CSV has a step column (default: the first step)."""
    if "step" not in frame.columns:
        if step is not None:
            raise gp.UsageError("--step given but the CSV has no step column")
        return frame, None
    steps = sorted(frame["step"].unique())
    chosen = steps[0] if step is None else step
    if chosen not in steps:
        raise gp.UsageError(f"--step {step} not in the data (has: {', '.join(map(str, steps))})")
    return frame[frame["step"] == chosen], chosen


def vanishing_ratio(rows):
    """Geometric mean over seeds of delta_norm[1] / delta_norm[L]."""
    ratios = []
    for _, run in rows.groupby("seed") if "seed" in rows else [(0, rows)]:
        first = run.loc[run["layer"] == run["layer"].min(), "delta_norm"]
        last = run.loc[run["layer"] == run["layer"].max(), "delta_norm"]
        if len(first) and len(last) and last.iloc[0] > 0 and first.iloc[0] > 0:
            ratios.append(first.iloc[0] / last.iloc[0])
    if not ratios:
        return None
    return float(gp.np.exp(gp.np.mean(gp.np.log(ratios))))


def annotate_spread(ax, configs):
    """A double arrow at the first layer from the smallest delta_norm to ReLU/He's
    (else the largest), labelled with the orders of magnitude between them."""
    firsts = []
    for label, _, rows in configs:
        layers, centre, _, _ = gp.across_seeds(rows, "layer", "delta_norm", geometric=True)
        if len(layers):
            is_reference = (rows["activation"].iloc[0] == "relu" and rows["init"].iloc[0] ==
                            "he_normal") if {"activation", "init"} <= set(rows.columns) else False
            firsts.append((layers[0], centre[0], label, is_reference))
    if len(firsts) < 2:
        return
    layer = min(f[0] for f in firsts)
    at_layer = [f for f in firsts if f[0] == layer]
    low = min(at_layer, key=lambda f: f[1])
    references = [f for f in at_layer if f[3]]
    high = references[0] if references else max(at_layer, key=lambda f: f[1])
    if high[1] < 100 * low[1]:
        return
    decades = gp.math.log10(high[1] / low[1])
    ax.annotate("", xy=(layer, low[1]), xytext=(layer, high[1]),
                arrowprops={"arrowstyle": "<->", "color": "0.25", "linewidth": 1.2})
    ax.text(layer + 0.4, gp.math.sqrt(low[1] * high[1]),
            f"layer {layer:g}: {low[2]}\nis {decades:.0f} orders of magnitude\nbelow {high[2]}",
            fontsize=8, color="0.15", va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def main(argv=None):
    args = parse_args(argv)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise gp.UsageError(f"--metrics: unknown {', '.join(unknown) or '(none)'}; "
                            f"allowed: {', '.join(METRICS)}")
    frame = gp.read_csvs(args.csv, ["layer"] + metrics + (["delta_norm"] if "delta_norm" not in
                                                          metrics else []),
                         "per-layer CSV (gradflow run/sweep)")
    frame = gp.hidden_layers(gp.select(frame, args.activation, args.init))
    frame, step = at_step(frame, args.step)
    configs = gp.configurations(frame)

    fig = gp.figure(args, DEFAULT_SIZE)
    grid, legend_ax = gp.panels(fig, 1, len(metrics), legend_width=0.75, sharex=True)
    axes = list(grid[0])
    seeds = frame["seed"].nunique() if "seed" in frame else 1
    for ax, metric in zip(axes, metrics):
        name, symbol = METRICS[metric]
        for label, style, rows in configs:
            layers, centre, low, high = gp.across_seeds(rows, "layer", metric, geometric=True)
            if ax is axes[0]:
                ratio = vanishing_ratio(rows)
                label = f"{label}   ({gp.format_power(ratio)})" if ratio is not None else label
            else:
                label = None
            ax.plot(layers, centre, markersize=3.5, label=label, **style)
            if seeds > 1:
                ax.fill_between(layers, low, high, color=style["color"], alpha=0.15, linewidth=0)
        ax.set_yscale("log")
        gp.integer_ticks(ax)
        if metric == "delta_norm":
            annotate_spread(ax, configs)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel(f"{symbol} (log scale)")
        ax.set_title(f"{name} per layer")
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", axis="y", alpha=0.08)
    band = (f"; line = geometric mean over {seeds} seeds, band = min-max" if seeds > 1 else "")
    when = f"step {step}" if step is not None else "at initialisation"
    fig.suptitle(args.title or f"Gradient flow {when}: gradient norm per layer, log scale\n"
                 f"({gp.describe(frame)}{band})")
    handles, labels = axes[0].get_legend_handles_labels()
    gp.legend_in(legend_ax, handles, labels, fontsize=8, title_fontsize=8,
                 title="configuration  (vanishing ratio $\\|\\delta^1\\|/\\|\\delta^L\\|$)")
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
