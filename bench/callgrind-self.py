"""Self instructions per frame by function from a callgrind dump (bench/instructions.sh writes them).

    python3 bench/callgrind-self.py bench/out/instructions-tapnet.callgrind.1 FRAMES [TOP]

callgrind_annotate 3.19 mixes inclusive costs into its listing for these dumps, so this reads the format itself
(valgrind docs, "Callgrind Format Specification"): cost lines belong to the current fn=, except the line right after a
calls= line, which is the call's inclusive cost and is skipped.
"""
import re
import sys

path, frames = sys.argv[1], int(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
names, self_cost, fn, skip = {}, {}, None, False
for line in open(path, errors="replace"):
    line = line.rstrip("\n")
    if skip:
        skip = False
        continue
    m = re.match(r"^(c?)fn=\((\d+)\)(?: (.*))?$", line)
    if m:
        if m.group(3):
            names[m.group(2)] = m.group(3)  # a name is defined at its first use, in fn= or cfn=
        if not m.group(1):
            fn = names.get(m.group(2), m.group(2))
        continue
    if line.startswith("calls="):
        skip = True
        continue
    if fn is not None and re.match(r"^[+\-*0-9]", line):
        parts = line.split()
        if len(parts) >= 2:
            self_cost[fn] = self_cost.get(fn, 0) + int(parts[1])
total = sum(self_cost.values())
print(f"{total / frames:8.1f}  all (self costs summed, per frame)")
for name, cost in sorted(self_cost.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{cost / frames:8.1f}  {name}")
