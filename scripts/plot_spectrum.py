#!/usr/bin/python3
"""Jacobian spectrum: histograms of the singular values of J = da^L/dx.

Reads the --values-out CSV of `gradflow spectrum` (several concatenated are
fine) and draws one panel per activation, with one histogram per init
overlaid, of log10(s) over every sample's singular values: the picture of
Pennington, Schoenholz & Ganguli (2017), Figure 1. A spectrum concentrated
at s = 1 (log10 s = 0) is dynamically isometric; a wide one sends most
directions' gradients to 0 and a few to large values. Each legend entry gives
the measured var(s^2); singular values below 1e-12 (exact zeros of ReLU's
dead directions) cannot sit on a log axis and are counted in the legend.

Example:
  gradflow spectrum --activation relu --init he_normal --depth 32 --width 256 \\
      --values-out relu.csv -o /dev/null
  /usr/bin/python3 scripts/plot_spectrum.py relu.csv -o spectrum.png
"""

import sys

import numpy as np

import gradflow_plots as gp

DEFAULT_SIZE = (13, 4.5)
TINY = 1e-12  # below this a singular value counts as zero


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="--values-out CSV files of gradflow spectrum")
    gp.add_selection_args(parser)
    parser.add_argument("--bins", type=int, default=60, help="bins over log10 s (default 60)")
    gp.add_output_args(parser, "spectrum", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not 1 <= args.bins <= 10000:
        raise gp.UsageError(f"--bins must be between 1 and 10000, got {args.bins}")
    frame = gp.read_csvs(args.csv, ["activation", "init", "sample", "value"],
                         "singular-value CSV (gradflow spectrum --values-out)")
    frame = gp.select(frame, args.activation, args.init)
    activations = list(dict.fromkeys(frame["activation"]))
    values = frame["value"].to_numpy(dtype=float)
    positive = values[values > TINY]
    if len(positive) == 0:
        raise gp.UsageError("no singular value above 1e-12 to draw")
    edges = np.linspace(np.log10(positive.min()), np.log10(positive.max()), args.bins + 1)
    if edges[0] == edges[-1]:
        edges = np.linspace(edges[0] - 0.5, edges[0] + 0.5, args.bins + 1)

    fig = gp.figure(args, DEFAULT_SIZE)
    axes = fig.subplots(1, len(activations), squeeze=False, sharex=True)[0]
    for ax, activation in zip(axes, activations):
        for label, style, rows in gp.configurations(frame[frame["activation"] == activation]):
            s = rows["value"].to_numpy(dtype=float)
            # var(s^2) of each sample's Jacobian, averaged (as the CSV's sv_var_sq).
            var_sq = np.mean([np.var(g["value"].to_numpy(dtype=float) ** 2)
                              for _, g in rows.groupby("sample")])
            zeros = np.mean(s <= TINY)
            text = f"{label.split(' / ', 1)[-1]}: var(s²) = {var_sq:.3g}"
            if zeros > 0:
                text += f", {100 * zeros:.0f}% s < 1e-12 not shown"
            ax.hist(np.log10(s[s > TINY]), bins=edges, density=True, histtype="step",
                    linewidth=1.6, color=style["color"], linestyle=style["linestyle"], label=text)
        ax.axvline(0, color="0.5", linewidth=0.8, linestyle=":")
        ax.set_title(activation, fontsize=10)
        ax.set_xlabel(r"$\log_{10} s$ (singular value of $J = \partial a^L/\partial x$)")
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("density")
    title = args.title or (f"Singular values of the input-output Jacobian at initialisation "
                           f"({gp.describe(frame, ('depth', 'width', 'batch', 'dtype'))}; "
                           f"batch = samples); dotted: s = 1, dynamical isometry")
    fig.suptitle(gp.wrap_to_width(fig, title, 10), fontsize=10)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
