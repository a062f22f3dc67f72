#!/usr/bin/python3
"""Remedies: which of batch norm, layer norm and residual connections rescue sigmoid?

Reads a per-layer run CSV (`gradflow run`/`sweep -o`, with the norm and
residual configuration columns) and, with --curves, learning curves of
`gradflow train --curve-out` for the same variants. One line per variant
(activation, init, norm, residual; seeds: geometric mean, min-max band).
Panels:
  1. ||dLoss/dz^l||_F (delta_norm) per layer, log y: the gradient reaching each
     layer's weights;
  2. ||dLoss/da^l||_F (delta_norm_post) per layer, log y: the gradient at each
     block's output, which a residual connection carries down unchanged;
  3. (with --curves) the training loss over steps, log y.

Example:
  /usr/bin/python3 scripts/plot_remedies.py results/remedies.csv \\
      --curves results/remedies_train_curve.csv -o results/remedies.png
"""

import sys

import gradflow_plots as gp

REQUIRED = ["activation", "init", "norm", "residual", "layer", "delta_norm", "delta_norm_post"]
CURVE_REQUIRED = ["activation", "init", "norm", "residual", "step", "train_loss"]
# One colour per variant of sigmoid; the references in their activation's colour.
VARIANT_COLOURS = {
    ("none", ""): "#d62728", ("batch", ""): "#9467bd", ("layer", ""): "#2ca02c",
    ("none", "r"): "#8c564b", ("layer", "r"): "#e377c2", ("batch", "r"): "#bcbd22",
}


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="per-layer run CSV file(s)")
    parser.add_argument("--curves", nargs="+", default=[],
                        help="learning-curve CSV file(s) of gradflow train --curve-out")
    gp.add_selection_args(parser)
    gp.add_output_args(parser, "remedies", "15 x 5 (10 x 5 without --curves)")
    return parser.parse_args(argv)


def variant_key(rows):
    """(activation, init, norm, residual text) of a group's first row."""
    first = rows.iloc[0]
    residual = gp.as_text(rows["residual"].iloc[:1]).iloc[0]
    return str(first["activation"]), str(first["init"]), str(first["norm"]), residual


def label_and_style(key, reference_activations):
    activation, init, norm, residual = key
    parts = [activation + ("" if init == "xavier_uniform" else f"/{init}")]
    if norm != "none":
        parts.append(f"{norm} norm")
    if residual:
        parts.append("residual" + ("" if residual == "1" else f" (s={residual})"))
    if len(parts) == 1:
        parts.append("plain")
    label = " + ".join(parts)
    if activation in reference_activations:
        colour = gp.ACTIVATION_COLOURS.get(activation, "#000000")
        style = {"color": colour, "linestyle": "--", "marker": gp.ACTIVATION_MARKERS.get(activation, "o")}
    else:
        colour = VARIANT_COLOURS.get((norm, "r" if residual else ""), "#7f7f7f")
        style = {"color": colour, "linestyle": "-", "marker": "o"}
    style.update({"linewidth": 1.6, "markersize": 3.5})
    return label, style


def groups(frame):
    """[(key, rows)] per variant, in order of first appearance."""
    frame = frame.assign(residual=gp.as_text(frame["residual"]))
    return [(variant_key(rows), rows) for _, rows in
            frame.groupby(["activation", "init", "norm", "residual"], sort=False, dropna=False)]


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "per-layer run CSV (gradflow run/sweep)")
    frame = gp.hidden_layers(gp.select(frame, args.activation, args.init))
    if frame.empty:
        raise gp.UsageError("no hidden-layer rows left after --activation/--init")
    curves = None
    if args.curves:
        curves = gp.read_csvs(args.curves, CURVE_REQUIRED, "curve CSV (gradflow train --curve-out)")
        curves = gp.select(curves, args.activation, args.init)
        curves = curves.assign(residual=gp.as_text(curves["residual"]))
    variants = groups(frame)
    # A reference is an activation that appears only plain (no norm, no residual).
    plain_only = {a for a in frame["activation"].astype(str).unique()
                  if all(k[2] == "none" and not k[3] for k, _ in variants if k[0] == a)}
    many = len({k[0] for k, _ in variants}) > 1
    references = plain_only if many else set()
    variants.sort(key=lambda kv: kv[0][0] in references)  # stable: references last
    ncols = 3 if curves is not None else 2
    fig = gp.figure(args, (15, 5) if ncols == 3 else (10, 5))
    axes, legend_ax = gp.panels(fig, 1, ncols, legend_width=0.55)
    handles, labels = [], []
    for key, rows in variants:
        label, style = label_and_style(key, references)
        for ax, column in zip(axes[0], ("delta_norm", "delta_norm_post")):
            x, centre, low, high = gp.across_seeds(rows, "layer", column, geometric=True)
            if len(x) == 0:
                continue
            (line,) = ax.plot(x, centre, label=label, **style)
            if gp.seed_count(rows) > 1:
                ax.fill_between(x, low, high, color=style["color"], alpha=0.15, linewidth=0)
        handles.append(line)
        labels.append(label)
        if curves is not None:
            match = curves
            for column, value in zip(("activation", "init", "norm", "residual"), key):
                match = match[gp.as_text(match[column]) == value]
            if len(match):
                x, centre, low, high = gp.across_seeds(match, "step", "train_loss", geometric=True)
                axes[0][2].plot(x, centre, **dict(style, marker=None))
    titles = ("delta_norm = ||dLoss/dz^l||\n(at the linear output)",
              "delta_norm_post = ||dLoss/da^l||\n(at the block's output)")
    for ax, title in zip(axes[0], titles):
        ax.set_yscale("log")
        ax.set_xlabel("layer (1 = next to the input)")
        ax.set_title(title, fontsize=9)
        gp.integer_ticks(ax)
        ax.grid(True, which="major", alpha=0.3)
    if curves is not None:
        ax = axes[0][2]
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_title("training loss\n(gradflow train --curve-out)", fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
    gp.legend_in(legend_ax, handles, labels, fontsize=8)
    fig.suptitle(args.title or f"Remedies for vanishing gradients ({gp.describe(frame)})",
                 fontsize=11)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
