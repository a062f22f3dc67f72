#!/usr/bin/python3
"""What each activation costs: the CSV of `gradflow bench`.

Left: ns per element of phi alone and of phi with phi' (one pass, as the network runs them),
per activation, float32 and float64 side by side. Right: the share of one whole `run` pass
spent in the activation and in the matrix products (each timed on its own at the pass's
shapes; the rest, metrics and copies, is what is left), per activation, float32.

Example:
  /usr/bin/python3 scripts/plot_activation_cost.py results/activation_cost.csv \\
      -o results/activation_cost.png
"""

import sys

import numpy as np

import gradflow_plots as gp

DEFAULT_SIZE = (14, 6)
REQUIRED = ["activation", "dtype", "phi_ns", "phi_dphi_ns", "activation_share", "gemm_share"]


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", help="activation cost CSV (gradflow bench -o)")
    parser.add_argument("--pass-dtype", default="float32", help="dtype of the right panel")
    gp.add_output_args(parser, "activation_cost", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs([args.csv], REQUIRED, "activation cost CSV (gradflow bench)")
    names = list(dict.fromkeys(frame["activation"]))
    dtypes = list(dict.fromkeys(frame["dtype"]))
    fig = gp.figure(args, DEFAULT_SIZE)
    time_ax, share_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(len(names))
    width = 0.8 / (2 * len(dtypes))
    shades = {"phi_ns": 1.0, "phi_dphi_ns": 0.55}
    for d, dtype in enumerate(dtypes):
        rows = frame[frame["dtype"] == dtype].set_index("activation").reindex(names)
        for q, (column, what) in enumerate((("phi_ns", "phi"), ("phi_dphi_ns", "phi and phi'"))):
            offset = (2 * d + q - (2 * len(dtypes) - 1) / 2) * width
            time_ax.bar(x + offset, rows[column], width, alpha=shades[column],
                        color=("#1f77b4", "#ff7f0e")[d % 2], label=f"{dtype}: {what}")
    time_ax.set_xticks(x, names, rotation=45, ha="right")
    time_ax.set_ylabel("ns per element (fastest of the repeats, one thread)")
    time_ax.set_title("time per element")
    time_ax.grid(True, axis="y", alpha=0.3)
    time_ax.legend(fontsize=8)
    rows = frame[frame["dtype"] == args.pass_dtype].set_index("activation").reindex(names)
    if rows["activation_share"].notna().any():
        act = rows["activation_share"].to_numpy(dtype=float)
        gemm = rows["gemm_share"].to_numpy(dtype=float)
        rest = np.clip(1 - act - gemm, 0, None)
        share_ax.barh(x, 100 * gemm, color="#7f7f7f", label="matrix products")
        share_ax.barh(x, 100 * act, left=100 * gemm, color="#d62728", label="activation")
        share_ax.barh(x, 100 * rest, left=100 * (gemm + act), color="#dddddd",
                      label="rest (metrics, bias, copies)")
        for i, a in enumerate(act):
            share_ax.text(100 * (gemm[i] + a) + 1, i, f"{100 * a:.1f}%", va="center", fontsize=8)
        share_ax.set_yticks(x, names)
        share_ax.invert_yaxis()
        share_ax.set_xlim(0, 115)
        share_ax.set_xlabel("% of one whole run pass")
        share_ax.legend(fontsize=8, loc="lower right")
        share_ax.set_title(f"share of a run pass, {args.pass_dtype}")
    else:
        share_ax.axis("off")
        share_ax.text(0.5, 0.5, "no pass timed (--no-pass)", ha="center")
    fig.suptitle(args.title or "The cost of exp: activation time per element and its share of "
                 "a whole forward/backward pass")
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
