#!/usr/bin/env python3
"""Reads a Stryker mutation-report.json (mutation-testing-elements schema) and prints the surviving mutants, the
score per folder and `mutation score: N%` last. Score as Stryker counts it: detected (Killed, Timeout) over
detected plus undetected (Survived, NoCoverage); compile errors and ignored mutants do not count.

usage: mutation_score.py REPORT [--break N]   (exit 1 when the score is below N)
"""
import json
import os
import sys
from collections import defaultdict

DETECTED = {"Killed", "Timeout"}
UNDETECTED = {"Survived", "NoCoverage"}


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    report = argv[0]
    break_at = 0.0
    if len(argv) >= 3 and argv[1] == "--break":
        break_at = float(argv[2])
    with open(report, encoding="utf-8") as f:
        data = json.load(f)

    per_folder = defaultdict(lambda: [0, 0])
    survivors = []
    for path, entry in sorted(data.get("files", {}).items()):
        rel = path.replace(os.sep, "/")
        for marker in ("/Tap.Core/", "/Tap.Sim/"):
            if marker in rel:
                rel = rel.split(marker, 1)[1]
                break
        folder = rel.rsplit("/", 1)[0] if "/" in rel else "."
        lines = entry.get("source", "").splitlines()
        for m in entry.get("mutants", []):
            status = m.get("status")
            if status in DETECTED:
                per_folder[folder][0] += 1
            elif status in UNDETECTED:
                per_folder[folder][1] += 1
                line = m["location"]["start"]["line"]
                code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                survivors.append(f"  {status:<10} {rel}:{line} {m.get('mutatorName', '')}: "
                                 f"{m.get('replacement', '')!r} in `{code[:90]}`")

    detected = sum(d for d, _ in per_folder.values())
    undetected = sum(u for _, u in per_folder.values())
    if survivors:
        print(f"undetected mutants ({len(survivors)}):")
        print("\n".join(survivors))
    print("folder                detected  undetected  score")
    for folder, (d, u) in sorted(per_folder.items()):
        print(f"{folder:<20} {d:>9} {u:>11}  {100.0 * d / (d + u):5.1f}%")
    total = detected + undetected
    if total == 0:
        print("mutation score: n/a (no mutant was tested)")
        return 0
    score = 100.0 * detected / total
    print(f"mutation score: {score:.1f}%")
    if score < break_at:
        print(f"mutation score {score:.1f}% is below {break_at:g}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
