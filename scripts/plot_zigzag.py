#!/usr/bin/python3
"""The zig-zag of a neuron whose inputs all have one sign (the seed post's second reason).

A two-weight linear neuron y = w . x learns a target weight vector w* = (1, -1), which lies in
the (+, -) quadrant, by stochastic gradient descent on (y - w* . x)^2 / 2, one sample per step,
from w = (0, 0). Its gradient for one sample is (y - w* . x) x: a multiple of x. With sigmoid-like
inputs (x = sigmoid(2u), u ~ N(0, I), every entry in (0, 1)) each step moves both weights up
together or down together, so the path to (1, -1) is a staircase; with zero-centred inputs
(x = sigmoid(2u) - 1/2, the same numbers shifted) a step can move them in opposite directions.

Both cases see the same u. The figure shows one path of each at a shared learning rate and
the direction of every step; the CSV (--table-out) gives, over --seeds seeds, the mean number of
steps until |w - w*| < --tolerance at the shared rate and at each case's best rate from a grid
(a larger rate is stable with centred inputs: their second-moment matrix has no large
common-mode eigenvalue).

This is a two-weight, numpy-only experiment on purpose: it needs each step's weights, which a
gradflow pass does not record, and it is small enough to read in full.

Example:
  /usr/bin/python3 scripts/plot_zigzag.py -o results/zigzag.png --table-out results/zigzag.csv
"""

import csv
import sys

import numpy as np
from matplotlib.patches import Circle

import gradflow_plots as gp

TARGET = np.array([1.0, -1.0])
RATES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_SIZE = (12, 5.5)
CASES = (("all-positive inputs (sigmoid outputs)", False, "#d62728"),
         ("zero-centred inputs (sigmoid - 1/2)", True, "#1f77b4"))


def sgd_path(centred, rate, seed, tolerance, max_steps):
    """Weights after each step, and the steps taken to reach the tolerance (None: never)."""
    rng = np.random.default_rng(seed)
    w = np.zeros(2)
    path = [w.copy()]
    for step in range(1, max_steps + 1):
        x = 1 / (1 + np.exp(-2 * rng.standard_normal(2)))
        if centred:
            x = x - 0.5
        with np.errstate(over="ignore", invalid="ignore"):  # a too-large rate diverges
            w = w - rate * ((w - TARGET) @ x) * x
        path.append(w.copy())
        if not np.all(np.isfinite(w)):
            return np.array(path), None
        if np.linalg.norm(w - TARGET) < tolerance:
            return np.array(path), step
    return np.array(path), None


def mean_steps(centred, rate, seeds, tolerance, max_steps):
    """Mean steps over seeds, or None when some seed never got there (diverged or too slow)."""
    steps = [sgd_path(centred, rate, s, tolerance, max_steps)[1] for s in range(seeds)]
    return None if any(s is None for s in steps) else float(np.mean(steps))


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("--rate", type=float, default=1.0, help="the shared learning rate (1)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds averaged in the table (20)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="|w - w*| to reach (0.05)")
    parser.add_argument("--max-steps", type=int, default=2000, help="give up after this (2000)")
    parser.add_argument("--table-out", help="CSV of the steps needed (case, rate, mean_steps)")
    gp.add_output_args(parser, "zigzag", DEFAULT_SIZE)
    args = parser.parse_args(argv)
    if not (args.rate > 0 and args.tolerance > 0 and args.seeds >= 1 and args.max_steps >= 1):
        raise gp.UsageError("--rate and --tolerance must be > 0, --seeds and --max-steps >= 1")
    return args


def table(args):
    """Rows: (case, 'shared' or 'best', rate, mean steps or None)."""
    rows = []
    for label, centred, _ in CASES:
        rows.append((label, "shared", args.rate,
                     mean_steps(centred, args.rate, args.seeds, args.tolerance, args.max_steps)))
        best = None
        for rate in RATES:
            steps = mean_steps(centred, rate, args.seeds, args.tolerance, args.max_steps)
            if steps is not None and (best is None or steps < best[1]):
                best = (rate, steps)
        rows.append((label, "best", best[0] if best else "", best[1] if best else None))
    return rows


def main(argv=None):
    args = parse_args(argv)
    rows = table(args)
    if args.table_out:
        with open(args.table_out, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["inputs", "rate_choice", "rate", "mean_steps", "seeds", "tolerance"])
            for label, choice, rate, steps in rows:
                out.writerow([label, choice, rate, "" if steps is None else f"{steps:.1f}",
                              args.seeds, args.tolerance])
    fig = gp.figure(args, DEFAULT_SIZE)
    path_ax, sign_ax = fig.subplots(1, 2)
    for label, centred, colour in CASES:
        path, steps = sgd_path(centred, args.rate, 0, args.tolerance, args.max_steps)
        reached = f"{steps} steps" if steps is not None else "not reached"
        path_ax.plot(path[:, 0], path[:, 1], "-o", color=colour, markersize=2.5, linewidth=1,
                     label=f"{label}: {reached}")
        moves = np.diff(path, axis=0)
        same = np.sign(moves[:, 0]) == np.sign(moves[:, 1])
        sign_ax.bar(label.split(" (")[0], 100 * same.mean(), color=colour)
    path_ax.plot(*TARGET, "k*", markersize=14, label="target w* = (1, -1)")
    path_ax.plot(0, 0, "ks", markersize=6, label="start (0, 0)")
    path_ax.add_patch(Circle(TARGET, args.tolerance, fill=False, linestyle=":", color="k"))
    path_ax.set_xlabel("w1")
    path_ax.set_ylabel("w2")
    path_ax.set_aspect("equal", adjustable="datalim")
    path_ax.grid(True, alpha=0.3)
    path_ax.set_title(f"SGD paths, seed 0, learning rate {args.rate:g}")
    path_ax.legend(fontsize=8, loc="lower left")
    sign_ax.set_ylim(0, 105)
    sign_ax.set_ylabel("% of steps moving w1 and w2 in the same direction")
    summary = "; ".join(
        f"{label.split(' (')[0]}: {steps:.0f} steps at rate {rate:g}" if steps is not None
        else f"{label.split(' (')[0]}: not reached at rate {rate}"
        for label, choice, rate, steps in rows if choice == "best")
    sign_ax.set_title("steps whose two weight changes share a sign (the paths at left)")
    fig.suptitle(args.title or "Zig-zag: one-signed inputs make every step move both weights "
                 "the same way\n" + f"(mean over {args.seeds} seeds to |w - w*| < "
                 f"{args.tolerance:g}, each at its best rate: {summary})", fontsize=10)
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
