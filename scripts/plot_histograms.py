#!/usr/bin/python3
"""Per-layer histograms: the CS231n figure, several configurations side by side.

Reads the histogram CSV of `gradflow run --histograms FILE` (columns:
configuration, step, layer, quantity, bin_lo, bin_hi, count) and draws one
small panel per (configuration, layer): rows are configurations, columns are
layers from the input (left) to the output (right). Each panel shows the
fraction of the layer's (unit, sample) values in each bin.

Quantities (--quantity):
  act     a^l = phi(z^l), linear axis
  preact  z^l, linear axis
  delta   log10|delta^l|, delta^l = dLoss/dz^l; the share of exact zeros
          (ReLU's negative side, maxout's losing pieces) is printed in the panel
By default a row shares its x axis (act, preact) so a shrinking or saturating
distribution shows as such; for delta all panels share it, so gradients that
vanish toward the input show as histograms sliding left, decade by decade.

Example:
  /usr/bin/python3 scripts/plot_histograms.py results/histograms.csv --quantity delta \\
      -o results/histograms_delta.png
"""

import sys

import numpy as np

import gradflow_plots as gp

QUANTITIES = {
    "act": r"activation $a^l = \phi(z^l)$ (linear scale)",
    "preact": r"pre-activation $z^l = W^l a^{l-1} + b^l$ (linear scale)",
    "delta": r"$\log_{10}|\delta^l|$, $\delta^l = \partial L/\partial z^l$ "
             r"(one unit = a factor of 10)",
}
REQUIRED = ["layer", "quantity", "bin_lo", "bin_hi", "count"]


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="histogram CSV file(s) (concatenated)")
    parser.add_argument("--quantity", choices=list(QUANTITIES), default="act",
                        help="which histograms (default act)")
    parser.add_argument("--layers", default=None,
                        help="comma list of layers, one column each (default: up to --max-layers "
                        "evenly spaced hidden layers, first and last included)")
    parser.add_argument("--max-layers", type=int, default=6,
                        help="columns when --layers is not given (default 6)")
    gp.add_selection_args(parser)
    parser.add_argument("--seed", type=int, default=None,
                        help="the seed to draw when the files hold several (default: the first)")
    parser.add_argument("--step", type=int, default=None,
                        help="the step to draw (default: the first; run writes step 0)")
    parser.add_argument("--sharex", choices=["row", "all", "none"], default=None,
                        help="x axis shared by each configuration's row, by all panels, or none "
                        "(default: all for delta, row otherwise)")
    gp.add_output_args(parser, "histograms", "2.1 x layers + 2 by 1.35 x configurations + 1.3")
    return parser.parse_args(argv)


def pick(frame, column, value, option):
    """Rows with frame[column] == value (default: the smallest value present)."""
    if column not in frame.columns:
        if value is not None:
            raise gp.UsageError(f"{option} given but the CSV has no {column} column")
        return frame, None
    values = sorted(frame[column].unique())
    chosen = values[0] if value is None else value
    if chosen not in values:
        raise gp.UsageError(f"{option} {value} not in the data (has: "
                            f"{', '.join(map(str, values))})")
    return frame[frame[column] == chosen], chosen


def default_layers(frame, count):
    layers = sorted(gp.hidden_layers(frame)["layer"].unique())
    if count < 1:
        raise gp.UsageError(f"--max-layers must be >= 1, got {count}")
    if len(layers) <= count:
        return layers
    picks = np.unique(np.round(np.linspace(0, len(layers) - 1, count)).astype(int))
    return [layers[i] for i in picks]


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "histogram CSV (gradflow run --histograms)")
    frame = gp.select(frame, args.activation, args.init)
    frame = frame[frame["quantity"] == args.quantity]
    if frame.empty:
        raise gp.UsageError(f"--quantity {args.quantity}: no such rows in the data")
    frame, seed = pick(frame, "seed", args.seed, "--seed")
    frame, step = pick(frame, "step", args.step, "--step")
    layers = (gp.parse_int_list(args.layers, "--layers") if args.layers
              else default_layers(frame, args.max_layers))
    missing = sorted(set(layers) - set(frame["layer"].unique()))
    if missing:
        raise gp.UsageError(f"--layers: {', '.join(map(str, missing))} not in the data")
    configs = gp.configurations(frame)
    sharex = args.sharex or ("all" if args.quantity == "delta" else "row")

    rows, cols = len(configs), len(layers)
    default_size = (2.1 * cols + 2, 1.35 * rows + 1.3)
    fig = gp.figure(args, default_size)
    axes = fig.subplots(rows, cols, squeeze=False,
                        sharex={"row": "row", "all": "all", "none": False}[sharex])
    for r, (label, style, config_rows) in enumerate(configs):
        for c, layer in enumerate(layers):
            ax = axes[r, c]
            draw_panel(ax, config_rows[config_rows["layer"] == layer], style["color"],
                       args.quantity == "delta")
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"layer {layer}", fontsize=9)
            if c == 0:
                ax.set_ylabel(label.replace(" / ", "\n"), fontsize=8, rotation=0, ha="right",
                              va="center")
    fig.supxlabel(QUANTITIES[args.quantity], fontsize=10)
    fig.supylabel("fraction of the layer's (unit, sample) values per bin (linear, own scale "
                  "per panel)", fontsize=8)
    when = f"step {step}" if step is not None and step != 0 else "at initialisation"
    seed_text = f", seed {seed}" if seed is not None else ""
    title = args.title or (f"Histograms of {args.quantity} per layer {when} "
                           f"({gp.describe(frame).rsplit(', ', 1)[0]}{seed_text}); "
                           f"layers from the input (left) to the output (right)")
    fig.suptitle(gp.wrap_to_width(fig, title, 10), fontsize=10)
    for ax in axes.flat:
        note_if_squeezed(ax)
    gp.save(fig, args)
    return 0


def note_if_squeezed(ax):
    """A panel whose values span under 3% of its (shared) x axis looks empty:
    say where its values are."""
    span = getattr(ax, "gradflow_span", None)
    if span is None:
        return
    left, right = ax.get_xlim()
    if right > left and (span[1] - span[0]) < 0.03 * (right - left):
        ax.text(0.97, 0.55, f"all values in\n[{span[0]:.3g}, {span[1]:.3g}]", transform=ax.transAxes,
                ha="right", va="top", fontsize=6.5, color="0.2")


def draw_panel(ax, rows, colour, log_abs):
    """Fractions per bin as a filled step plot; exact-value bins as text
    (log_abs: the -inf bin holds the exact zeros of delta)."""
    total = rows["count"].sum()
    if total <= 0:
        ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", fontsize=7)
        return
    lo = rows["bin_lo"].to_numpy(dtype=float)
    hi = rows["bin_hi"].to_numpy(dtype=float)
    count = rows["count"].to_numpy(dtype=float)
    regular = np.isfinite(lo) & np.isfinite(hi) & (lo < hi)
    order = np.argsort(lo[regular])
    edges = np.append(lo[regular][order], hi[regular][order][-1:]) if regular.any() else None
    notes = []
    if edges is not None:
        fractions = count[regular][order] / total
        ax.stairs(fractions, edges, fill=True, color=colour, alpha=0.75)
        # One spike (ReLU's exact zeros) would flatten the rest: clip it, say so.
        ranked = np.sort(fractions)
        if len(ranked) > 1 and ranked[-1] > 4 * ranked[-2] > 0:
            ax.set_ylim(0, 2 * ranked[-2])
            top = int(np.argmax(fractions))
            at_zero = edges[top] <= 0 <= edges[top + 1]
            notes.append(f"{100 * ranked[-1]:.0f}% " + ("at 0" if at_zero else "in one bin") +
                         " (bar clipped)")
        ax.gradflow_span = (edges[0], edges[-1])  # for note_if_squeezed
    for name, mask in (("zero" if log_abs else "-inf", (lo == -np.inf) & (hi == -np.inf)),
                       ("+inf", (lo == np.inf) & (hi == np.inf)),
                       ("NaN", np.isnan(lo))):
        share = count[mask].sum() / total
        if share > 0:
            notes.append(f"{name}: {100 * share:.0f}%")
    if notes:
        ax.text(0.97, 0.95, "\n".join(notes), transform=ax.transAxes, ha="right", va="top",
                fontsize=6.5, color="0.2")


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
