#!/usr/bin/env python3
"""The summary of bench/compare.sh and bench/stream-compare.sh: per metric, each forwarder's median over the rounds
with min-max, and the ratios of the medians (each tapnet kind against every other kind, tapnet-uring against tapnet,
the C reference against QEMU, the reference with idle threads (and with them but its own fd table) against the one
without, the io_uring reference
against QEMU and the epoll reference: whichever of them ran). Then the same pairs round by round: round i of one
against round i of the other, the median of those ratios with its quartiles. Rounds are interleaved, so a slow
stretch of the machine slows both of a pair, and these ratios spread less than the forwarders' own figures.

    summary.py 'METRIC|METRIC|...' 'KIND VALUE VALUE ...' ...    # one argument a round of a forwarder
"""
import math
import statistics
import sys

names = sys.argv[1].split("|")
rows = {}
for arg in sys.argv[2:]:
    kind, *values = arg.split()
    rows.setdefault(kind, []).append(list(map(float, values)))
tapnets = ("tapnet", "tapnet-uring", "tapnet-b")
pairs = [(t, k) for t in tapnets for k in rows if k not in tapnets]
pairs += [("tapnet-uring", "tapnet"), ("tapnet-b", "tapnet"), ("tapnet-b", "tapnet-uring"), ("reference", "qemu"),
          ("reference-mt", "reference"),
          ("reference-mt-own-fds", "reference"), ("reference-mt-own-fds", "reference-mt"),
          ("reference-deep", "reference"), ("reference-code", "reference"),
          ("reference-uring", "qemu"), ("reference-uring", "reference"),
          ("reference-uring-coop", "reference-uring")]
pairs = [(a, b) for a, b in pairs if a in rows and b in rows]


def median(runs, i):
    v = [r[i] for r in runs if not math.isnan(r[i])]
    return (statistics.median(v), min(v), max(v)) if v else (math.nan, math.nan, math.nan)


def fmt(x):
    return "nan" if math.isnan(x) else f"{x:.0f}" if abs(x) >= 1000 else f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3g}"


table = [["metric"] + [f"{k} median (min-max)" for k in rows] + [f"{a}/{b}" for a, b in pairs]]
for i, name in enumerate(names):
    m = {k: median(runs, i) for k, runs in rows.items()}
    table.append([name] + [f"{fmt(m[k][0])} ({fmt(m[k][1])}-{fmt(m[k][2])})" for k in rows]
                 + [f"{m[a][0] / m[b][0] if m[b][0] else math.nan:.2f}" for a, b in pairs])


def show(title, rows_of_cells):
    widths = [max(len(row[c]) for row in rows_of_cells) for c in range(len(rows_of_cells[0]))]
    print(title)
    for row in rows_of_cells:
        print(row[0].ljust(widths[0]) + "".join("  " + cell.rjust(w) for cell, w in zip(row[1:], widths[1:])))


show(f"\nmedians of {max(len(r) for r in rows.values())} round(s), ratios of the medians", table)

paired = [["metric"] + [f"{a}/{b}" for a, b in pairs]]


def per_round(a, b, i):
    v = sorted(x[i] / y[i] for x, y in zip(rows[a], rows[b])
               if not math.isnan(x[i]) and not math.isnan(y[i]) and y[i])
    if not v:
        return "nan"
    low, _, high = statistics.quantiles(v, n=4) if len(v) >= 4 else (v[0], None, v[-1])
    return f"{statistics.median(v):.2f} ({low:.2f}-{high:.2f})"


if pairs and max(len(r) for r in rows.values()) > 1:
    for i, name in enumerate(names):
        paired.append([name] + [per_round(a, b, i) for a, b in pairs])
    show("\nround by round: median of the per-round ratios (quartiles, or min-max under 4 rounds)", paired)
