#!/usr/bin/python3
"""The order/chaos phase picture: log10 vanishing_ratio over (sigma_w^2, depth).

Reads the summary CSV of a `gradflow sweep` of one activation over --gain (xavier_normal, so
sigma_w^2 = gain^2 on square layers) and --depth, and draws a heatmap of
log10(delta_norm[1] / delta_norm[L]) (blue: the gradient vanishes toward the input, red: it
explodes). The line is the theory's order/chaos boundary chi_1 = 1, where chi_1 (the summary's
chi1 column, from `gradflow theory`) is interpolated in log sigma_w^2 between the grid points
on either side of 1.

Example:
  /usr/bin/python3 scripts/plot_phase.py results/phase_tanh.csv -o results/phase_tanh.png
"""

import sys

import numpy as np

import gradflow_plots as gp

DEFAULT_SIZE = (10, 6)
REQUIRED = ["activation", "init", "gain", "bias_std", "depth", "vanishing_ratio", "chi1"]


def boundary(sigma_w2, chi1):
    """sigma_w^2 where chi1 crosses 1 (linear in log sigma_w^2), or None."""
    order = np.argsort(sigma_w2)
    s, c = np.asarray(sigma_w2)[order], np.asarray(chi1)[order]
    for i in range(len(s) - 1):
        if (c[i] - 1) * (c[i + 1] - 1) <= 0 and c[i] != c[i + 1]:
            t = (1 - c[i]) / (c[i + 1] - c[i])
            return float(np.exp(np.log(s[i]) + t * (np.log(s[i + 1]) - np.log(s[i]))))
    return None


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("csv", nargs="+", help="summary CSV file(s) of the sweep")
    gp.add_selection_args(parser)
    gp.add_output_args(parser, "phase", DEFAULT_SIZE)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    frame = gp.read_csvs(args.csv, REQUIRED, "summary CSV (gradflow sweep --summary-out)")
    frame = gp.select(frame, args.activation, args.init)
    if frame["activation"].nunique() != 1 or set(frame["init"]) - {"xavier_normal"}:
        raise gp.UsageError("expected one activation with --init xavier_normal (sigma_w^2 = "
                            f"gain^2); got {sorted(set(frame['activation']))}, "
                            f"{sorted(set(frame['init']))}")
    frame = frame.assign(sigma_w2=frame["gain"].astype(float) ** 2)
    with np.errstate(divide="ignore"):
        frame = frame.assign(log_ratio=np.log10(frame["vanishing_ratio"].astype(float)))
    table = frame.groupby(["depth", "sigma_w2"])["log_ratio"].mean().unstack("sigma_w2")
    s2 = table.columns.to_numpy(dtype=float)
    depths = table.index.to_numpy(dtype=float)
    values = table.to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, np.nan)
    limit = max(1.0, np.nanmax(np.abs(values)))

    def edges(centres, log):
        c = np.log(centres) if log else centres
        mid = (c[1:] + c[:-1]) / 2
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
        return np.exp(e) if log else e

    fig = gp.figure(args, DEFAULT_SIZE)
    ax = fig.subplots()
    mesh = ax.pcolormesh(edges(s2, True), edges(depths, False), values, cmap="RdBu_r",
                         vmin=-limit, vmax=limit, shading="flat")
    fig.colorbar(mesh, ax=ax, label=r"log10 $\|\delta^1\| / \|\delta^L\|$ (mean over seeds)")
    chi = frame.groupby("sigma_w2")["chi1"].first()
    edge = boundary(chi.index.to_numpy(dtype=float), chi.to_numpy(dtype=float))
    if edge is not None:
        ax.axvline(edge, color="k", linewidth=2,
                   label=rf"$\chi_1 = 1$ at $\sigma_w^2$ = {edge:.3g} (order | chaos)")
        ax.legend(loc="upper right")
    ax.set_xscale("log")
    ax.set_xticks(s2, [f"{v:.3g}" for v in s2], rotation=45)
    ax.minorticks_off()
    ax.set_yticks(depths)
    ax.set_xlabel(r"$\sigma_w^2$ (xavier_normal, gain$^2$)")
    ax.set_ylabel("depth L")
    activation = frame["activation"].iloc[0]
    sigma_b = float(frame["bias_std"].iloc[0])
    fig.suptitle(args.title or f"{activation}, " rf"$\sigma_b$ = {sigma_b:g}: gradients vanish "
                 "(blue) or explode (red) with depth\n" f"({gp.describe(frame)})")
    gp.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
