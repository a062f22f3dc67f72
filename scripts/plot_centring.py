#!/usr/bin/python3
"""Does centring the activation alone speed up training? Steps to a loss target.

Reads learning-curve CSVs of `gradflow train --curve-out` (one run per activation and seed,
same task, data and optimiser) and reports, per activation, the first logged step at which
the training loss is at or below --target (empty when never reached), averaged over seeds;
--table-out writes it. The figure draws the training loss against the step (mean over seeds,
min-max band) with the target as a dashed line.

Example:
  /usr/bin/python3 scripts/plot_centring.py results/centring_curve.csv --target 0.5 \\
      -o results/centring.png --table-out results/centring.csv
"""

import sys

import numpy as np

import gradflow_plots as gp

DEFAULT_SIZE = (10, 5.5)
REQUIRED = ["step", "train_loss", "activation", "seed", "depth", "width", "optimizer", "lr"]


def steps_to(curve, target):
    """First logged step with train_loss <= target, or None."""
    reached = curve[curve["train_loss"] <= target]
    return int(reached["step"].min()) if len(reached) else None


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="learning-curve CSV file(s)")
    parser.add_argument("--target", type=float, required=True, help="training-loss target")
    parser.add_argument("--table-out", help="write steps to the target per activation to a CSV")
    gp.add_selection_args(parser)
    gp.add_output_args(parser, "centring", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "learning-curve CSV (gradflow train --curve-out)")
    frame = gp.select(frame, args.activation, args.init)
    rows = []
    fig = gp.figure(args, DEFAULT_SIZE)
    ax = fig.subplots()
    for activation, runs in frame.groupby("activation", sort=False):
        per_seed = [steps_to(curve, args.target) for _, curve in runs.groupby("seed")]
        reached = [s for s in per_seed if s is not None]
        mean = float(np.mean(reached)) if len(reached) == len(per_seed) else None
        final = runs[runs["step"] == runs["step"].max()]["train_loss"].mean()
        rows.append({"activation": activation, "seeds": len(per_seed),
                     "steps_to_target_mean": "" if mean is None else f"{mean:.1f}",
                     "steps_to_target_per_seed": " ".join("never" if s is None else str(s)
                                                          for s in per_seed),
                     "target": args.target, "final_train_loss_mean": f"{final:.6g}"})
        curve = runs.groupby("step")["train_loss"].agg(["mean", "min", "max"])
        colour = gp.ACTIVATION_COLOURS.get(activation, "#333333")
        when = f"{mean:.0f} steps" if mean is not None else "target not reached by every seed"
        ax.plot(curve.index, curve["mean"], color=colour, label=f"{activation}: {when}")
        ax.fill_between(curve.index, curve["min"], curve["max"], color=colour, alpha=0.15,
                        linewidth=0)
    if args.table_out:
        import pandas as pd
        pd.DataFrame(rows).to_csv(args.table_out, index=False)
    ax.axhline(args.target, color="k", linestyle="--", linewidth=1,
               label=f"target train loss {args.target:g}")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(title="steps to the target (mean over seeds)", fontsize=9)
    first = frame.iloc[0]
    fig.suptitle(args.title or f"Centring alone: depth {first['depth']}, width {first['width']}, "
                 f"{first['optimizer']} lr {first['lr']:g}, same data and seeds "
                 f"({frame['seed'].nunique()} seeds; band = min-max)")
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
