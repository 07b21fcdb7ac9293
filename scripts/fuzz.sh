#!/usr/bin/env bash
# Fuzzes TapNet with AFL++ and SharpFuzz: bash scripts/fuzz.sh TARGET|all [SECONDS]
#
# Installs what is missing (afl++ from Debian, the sharpfuzz local tool), publishes fuzz/Tap.Fuzz into fuzz/out/bin,
# instruments that copy of Tap.Core.dll (never the build output other projects use), then runs afl-fuzz on each
# target for SECONDS (default 600) from its seed corpus fuzz/corpus/TARGET (with the dictionary fuzz/dict/TARGET.dict
# when there is one), one target at a time. At the end it
# prints executions, execs/s, corpus paths, edge coverage, crashes and hangs per target, and copies every crash and
# hang into fuzz/regressions/TARGET/ (named by content hash), where Tap.Tests/Fuzz runs it on every test run.
#
# FUZZ_TIMEOUT_MS (default 2000): an input running longer is a hang. Findings stay in fuzz/out/findings/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

# A target is a class in fuzz/Tap.Fuzz.Targets, a line in FuzzTargets.All and its seed corpus folder.
targets_all=()
for d in fuzz/corpus/*/; do targets_all+=("$(basename "$d")"); done
target=${1:-}
seconds=${2:-600}
timeout_ms=${FUZZ_TIMEOUT_MS:-2000}
if [ -z "$target" ]; then
  echo "usage: bash scripts/fuzz.sh TARGET|all [SECONDS]   (targets: ${targets_all[*]})" >&2
  exit 2
fi
if [ "$target" = all ]; then
  targets=("${targets_all[@]}")
else
  targets=("$target")
fi
for t in "${targets[@]}"; do
  if [ ! -d "fuzz/corpus/$t" ]; then
    echo "fuzz: no seed corpus fuzz/corpus/$t: unknown target '$t' (targets: ${targets_all[*]})" >&2
    exit 2
  fi
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing afl++"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
dotnet tool restore >/dev/null

# A fresh copy each time: sharpfuzz refuses an assembly it has already instrumented.
bin=fuzz/out/bin
rm -rf "$bin"
dotnet publish fuzz/Tap.Fuzz -c Release -o "$bin" --nologo -v quiet
dotnet sharpfuzz "$bin/Tap.Core.dll"

# The dotnet host is not AFL-instrumented (SharpFuzz instruments the IL); the machine's CPU governor and core
# pattern belong to the host, and it is shared: no pinning to a core.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1

stat() { grep -E "^$2 *:" "$1" | sed -E 's/^[^:]*: *//'; }

summary=()
for t in "${targets[@]}"; do
  out=fuzz/out/findings/$t
  rm -rf "$out"
  mkdir -p fuzz/out/findings
  echo "fuzz: $t for ${seconds}s (timeout ${timeout_ms} ms)"
  dict=()
  [ ! -f "fuzz/dict/$t.dict" ] || dict=(-x "fuzz/dict/$t.dict")
  afl-fuzz -i "fuzz/corpus/$t" -o "$out" "${dict[@]}" -t "$timeout_ms" -m none -V "$seconds" -- "$(command -v dotnet)" "$bin/Tap.Fuzz.dll" "$t" \
    > "fuzz/out/$t.log" 2>&1 || { echo "fuzz: afl-fuzz failed for $t, see fuzz/out/$t.log:" >&2; tail -n 30 "fuzz/out/$t.log" >&2; exit 1; }
  stats=$out/default/fuzzer_stats
  kept=0
  for kind in crashes hangs; do
    for f in "$out/default/$kind"/id:*; do
      [ -e "$f" ] || continue
      name=${kind%es}; name=${name%s}-$(sha256sum "$f" | cut -c1-12)
      cp "$f" "fuzz/regressions/$t/$name"
      kept=$((kept + 1))
    done
  done
  summary+=("$(printf '%-12s %12s %9s %6s %8s %7s %5s' "$t" "$(stat "$stats" execs_done)" "$(stat "$stats" execs_per_sec)" \
    "$(stat "$stats" corpus_count)" "$(stat "$stats" bitmap_cvg)" "$(stat "$stats" saved_crashes)" "$(stat "$stats" saved_hangs)")")
  [ "$kept" -eq 0 ] || echo "fuzz: $t: $kept crash/hang inputs copied to fuzz/regressions/$t/"
done

printf '%-12s %12s %9s %6s %8s %7s %5s\n' target execs execs/s paths coverage crashes hangs
printf '%s\n' "${summary[@]}"
