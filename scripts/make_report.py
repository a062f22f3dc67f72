#!/usr/bin/python3
"""A one-page, self-contained HTML report: figures embedded, summary table, commands.

Embeds each figure (PNG or SVG) into the page itself, so the file can be
mailed or attached to a CI run on its own; adds the run-summary table (one row
per configuration: seeds, vanishing ratio ||delta^1||/||delta^L|| as geometric
mean and range over seeds, mean saturation, verdicts) and the exact command
lines that made the data.

Example:
  /usr/bin/python3 scripts/make_report.py --html results/report.html \\
      --figures results/*.png --summary results/summary.csv --commands results/commands.txt
"""

import base64
import html
import os
import sys

import numpy as np

import gradflow_plots as gp

SUMMARY_REQUIRED = ["activation", "init", "vanishing_ratio", "verdict"]


def parse_args(argv):
    parser = gp.new_parser(__doc__)
    parser.add_argument("--html", required=True, help="output HTML file")
    parser.add_argument("--figures", nargs="*", default=[], help="PNG or SVG figures to embed")
    parser.add_argument("--caption", action="append", default=[], metavar="NAME=TEXT",
                        help="caption of the figure whose file name is NAME (repeatable); "
                             "a figure without one is captioned with its file name")
    parser.add_argument("--summary", nargs="*", default=[],
                        help="summary CSV(s) of gradflow run --summary-out (or sweep)")
    parser.add_argument("--commands", default=None,
                        help="text file with the command lines that made the data")
    parser.add_argument("--title", default="gradflow report", help="page title")
    return parser.parse_args(argv)


def parse_captions(items):
    """{file name: caption} from NAME=TEXT items."""
    captions = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name or not text:
            raise gp.UsageError(f"--caption: expected NAME=TEXT, got '{item}'")
        captions[name] = text
    return captions


def figure_html(path, caption=None):
    if not os.path.isfile(path):
        raise gp.UsageError(f"--figures: {path}: no such file")
    ext = os.path.splitext(path)[1].lower()
    mime = {".png": "image/png", ".svg": "image/svg+xml"}.get(ext)
    if mime is None:
        raise gp.UsageError(f"--figures: {path}: only .png and .svg can be embedded")
    with open(path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    name = html.escape(os.path.basename(path))
    text = f"<b>{name}</b>: {html.escape(caption)}" if caption else name
    return (f'<figure><img alt="{name}" src="data:{mime};base64,{data}">'
            f"<figcaption>{text}</figcaption></figure>")


def summary_html(paths):
    frame = gp.read_csvs(paths, SUMMARY_REQUIRED, "summary CSV (gradflow run --summary-out)")
    rows = []
    for label, _, group in gp.configurations(frame):
        ratios = group["vanishing_ratio"].to_numpy(dtype=float)
        positive = ratios[np.isfinite(ratios) & (ratios > 0)]
        centre = float(np.exp(np.mean(np.log(positive)))) if len(positive) else float("nan")
        saturation = (f"{group['mean_saturation'].mean():.3f}"
                      if "mean_saturation" in group else "")
        verdicts = ", ".join(sorted(set(group["verdict"].astype(str))))
        rows.append(
            f"<tr><td>{html.escape(label)}</td><td>{gp.seed_count(group)}</td>"
            f"<td>{centre:.3g}</td><td>{np.nanmin(ratios):.3g} .. {np.nanmax(ratios):.3g}</td>"
            f"<td>{saturation}</td><td>{html.escape(verdicts)}</td></tr>")
    head = ("<tr><th>configuration</th><th>seeds</th><th>vanishing ratio "
            "‖δ¹‖/‖δᴸ‖ (geometric mean)</th><th>range over seeds</th>"
            "<th>mean saturation</th><th>verdict</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def main(argv=None):
    args = parse_args(argv)
    parts = [f"<h1>{html.escape(args.title)}</h1>"]
    if args.summary:
        parts += ["<h2>Summary</h2>", summary_html(args.summary)]
    if args.figures:
        captions = parse_captions(args.caption)
        parts += ["<h2>Figures</h2>"] + [figure_html(p, captions.get(os.path.basename(p)))
                                         for p in args.figures]
    if args.commands:
        if not os.path.isfile(args.commands):
            raise gp.UsageError(f"--commands: {args.commands}: no such file")
        with open(args.commands) as f:
            parts += ["<h2>Commands</h2>",
                      "<p>Paste them into a shell at the repository root to remake the "
                      "per-run files:</p>", f"<pre>{html.escape(f.read())}</pre>"]
    style = ("body{font-family:sans-serif;max-width:1500px;margin:2em auto;padding:0 1em}"
             "img{max-width:100%;border:1px solid #ddd}figure{margin:1.5em 0}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:left}pre{background:#f4f4f4;padding:1em;overflow-x:auto}")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
            f"{html.escape(args.title)}</title><style>{style}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    folder = os.path.dirname(args.html) or "."
    if not os.path.isdir(folder):
        raise gp.UsageError(f"--html: folder '{folder}' does not exist")
    temp = args.html + ".tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(temp, args.html)
    print(f"wrote {args.html}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(gp.run_main(main))
