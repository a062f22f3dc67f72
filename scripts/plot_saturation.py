#!/usr/bin/python3
"""Saturation and dead units per layer, one line per configuration.

Reads per-layer CSVs of `gradflow run` (or `sweep`, or `train` at one step)
and draws against the layer index:
  saturation_frac  fraction of (unit, sample) pairs with |phi'(z)| < tau * max|phi'|
  dead_frac        fraction of units with phi'(z) = 0 for every sample of the batch
on a linear 0..1 axis; one line per configuration (colour = activation,
dash = init), the mean over seeds with a min-max band when there are several.

Example:
  /usr/bin/python3 scripts/plot_saturation.py results/runs.csv -o results/saturation.png
"""

import sys

import gradflow_plots as gp
from plot_gradient_flow import at_step

METRICS = {
    "saturation_frac": "saturated fraction of (unit, sample) pairs\n"
                       r"($|\phi'(z)| < \tau \cdot \max\,|\phi'|$)",
    "dead_frac": "dead fraction of units\n" r"($\phi'(z) = 0$ on every sample)",
    "saturated_unit_frac": "fraction of units saturated\non >= 99% of the batch",
}
DEFAULT_SIZE = (13, 5)


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    gp.add_per_layer_args(parser, "saturation_frac,dead_frac",
                          "comma list of fraction columns, one panel each (default "
                          "saturation_frac,dead_frac; also saturated_unit_frac)")
    gp.add_output_args(parser, "saturation", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise gp.UsageError(f"--metrics: unknown {', '.join(unknown) or '(none)'}; "
                            f"allowed: {', '.join(METRICS)}")
    frame = gp.read_csvs(args.csv, ["layer"] + metrics, "per-layer CSV (gradflow run/sweep)")
    frame = gp.hidden_layers(gp.select(frame, args.activation, args.init))
    frame, step = at_step(frame, args.step)
    configs = gp.configurations(frame)
    seeds = frame["seed"].nunique() if "seed" in frame else 1

    fig = gp.figure(args, DEFAULT_SIZE)
    grid, legend_ax = gp.panels(fig, 1, len(metrics), legend_width=0.6, sharex=True)
    axes = list(grid[0])
    for ax, metric in zip(axes, metrics):
        for label, style, rows in configs:
            layers, centre, low, high = gp.across_seeds(rows, "layer", metric, geometric=False)
            ax.plot(layers, centre, markersize=3.5, label=label if ax is axes[0] else None,
                    **style)
            if seeds > 1:
                ax.fill_between(layers, low, high, color=style["color"], alpha=0.15, linewidth=0)
        ax.set_ylim(-0.03, 1.03)
        gp.integer_ticks(ax)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel(METRICS[metric] + " (linear, 0..1)")
        ax.set_title(METRICS[metric].split("\n")[0] + " per layer")
        ax.grid(True, alpha=0.3)
    band = (f"; line = mean over {seeds} seeds, band = min-max" if seeds > 1 else "")
    when = f"step {step}" if step is not None else "at initialisation"
    fig.suptitle(args.title or f"Saturation and dead units {when}\n"
                 f"({gp.describe(frame)}{band})")
    handles, labels = axes[0].get_legend_handles_labels()
    gp.legend_in(legend_ax, handles, labels, fontsize=8, title="configuration", title_fontsize=8)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
