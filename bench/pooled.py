#!/usr/bin/env python3
"""Per-round ratios of two forwarders pooled over many compare.sh outputs (issue 13 §1).

One run of compare.sh moves by +-5-10% from the next; a goal such as "0.95x the C reference" is decided by many rounds.
This reads the round lines of every file given (each a compare.sh output, several runs per file allowed), pairs the
rounds in which both forwarders ran, and prints, pinned and unpinned apart, the median of the per-round ratios A/B
with a bootstrap 95% interval of that median (2000 resamples, fixed seed: the same files give the same figures).

    python3 bench/pooled.py [--a tapnet] [--b reference] bench/results/2026-12-0[45]*.txt
"""
import argparse
import random
import re
import statistics

# The first four numbers of a round line, in compare.sh's order; CPU is "lower is better".
METRICS = ["TCP A->B", "TCP B->A", "UDP 64 B pkt/s", "CPU us/pkt"]


def rounds(path, a, b):
    """(pinned, ratios) for every round of every run in PATH where both A and B ran."""
    text = open(path, encoding="utf-8").read()
    for run in re.split(r"(?m)^(?=pinned:)", text):
        head = re.match(r"pinned: (\S+)", run)
        if not head:
            continue
        pinned = head[1] == "forwarder"
        by_round = {}
        for line in run.splitlines():
            words = line.split()
            if len(words) > 6 and words[0] in (a, b) and words[1].isdigit():
                try:
                    by_round.setdefault(words[1], {})[words[0]] = [float(x) for x in words[2:6]]
                except ValueError:
                    continue  # a round whose figures did not come out (nan is a float; text is not)
        for both in by_round.values():
            if a in both and b in both and all(y > 0 for y in both[b]):
                yield pinned, [x / y for x, y in zip(both[a], both[b])]


def median_interval(values, rng):
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(2000))
    return medians[50], medians[1949]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", default="tapnet")
    parser.add_argument("--b", default="reference")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    pooled = {True: [], False: []}
    runs = {True: set(), False: set()}
    for path in args.files:
        for pinned, ratios in rounds(path, args.a, args.b):
            pooled[pinned].append(ratios)
            runs[pinned].add(path)
    for pinned in (True, False):
        rows = pooled[pinned]
        print(f"{'pinned' if pinned else 'unpinned'}: {len(rows)} rounds in {len(runs[pinned])} files, "
              f"{args.a}/{args.b} per round")
        for i, name in enumerate(METRICS):
            values = [r[i] for r in rows]
            if not values:
                continue
            low, high = median_interval(values, random.Random(1))
            print(f"  {name:15} median {statistics.median(values):.3f}  (95% interval of the median "
                  f"{low:.3f}-{high:.3f}; mean {statistics.mean(values):.3f})")


if __name__ == "__main__":
    main()
