#!/usr/bin/python3
"""Exit 0 when two CSV files hold the same table up to floating-point noise.

Used by the main job so that a clone's run does not rewrite committed results
whose numbers did not really change: the same header, the same number of rows,
every non-numeric cell identical, and every numeric cell within --rtol of the
other (relative to the larger magnitude; NaN equals NaN, ±inf equal only
themselves). Means of signed values (columns ending in `_mean`) cancel to
near zero, where last-bit noise is large relatively: for those the tolerance
is --rtol times the largest magnitude in that column of the old file.
Prints the first difference on stderr and exits 1 otherwise.

    /usr/bin/python3 scripts/same_within_tolerance.py NEW.csv OLD.csv [--rtol 1e-2]
"""
import argparse
import csv
import math
import sys


def as_number(text):
    try:
        return float(text)
    except ValueError:
        return None


def cells_match(a, b, rtol, floor=0.0):
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        return False
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
        return (math.isnan(x) and math.isnan(y)) or x == y
    return abs(x - y) <= rtol * max(abs(x), abs(y), floor)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new")
    parser.add_argument("old")
    parser.add_argument("--rtol", type=float, default=1e-2,
                        help="relative tolerance on numeric cells (default 1e-2: float32 rounding, amplified by 20 chaotic maxout layers, moves grad_b_norm by 1.4e-3 between OpenBLAS kernels)")
    args = parser.parse_args()
    try:
        with open(args.new, newline="") as f:
            new = list(csv.reader(f))
        with open(args.old, newline="") as f:
            old = list(csv.reader(f))
    except OSError as error:
        print(f"same_within_tolerance: {error}", file=sys.stderr)
        return 2
    if not new or not old or new[0] != old[0]:
        print("same_within_tolerance: headers differ", file=sys.stderr)
        return 1
    if len(new) != len(old):
        print(f"same_within_tolerance: {len(new) - 1} rows vs {len(old) - 1}", file=sys.stderr)
        return 1
    header = new[0]
    floors = {}
    for column, name in enumerate(header):
        if name.endswith("_mean"):
            values = [as_number(row[column]) for row in old[1:] if column < len(row)]
            finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
            floors[name] = max(finite, default=0.0)
    for line, (a_row, b_row) in enumerate(zip(new[1:], old[1:]), start=2):
        if len(a_row) != len(b_row):
            print(f"same_within_tolerance: line {line}: field counts differ", file=sys.stderr)
            return 1
        for name, a, b in zip(header, a_row, b_row):
            if not cells_match(a, b, args.rtol, floors.get(name, 0.0)):
                print(f"same_within_tolerance: line {line}, {name}: {a} vs {b}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
