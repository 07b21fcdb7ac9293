#!/usr/bin/env bash
# Runs the whole test suite with coverage, prints the line and branch coverage of Tap.Core, Tap.Trace and Tap.Sim,
# and fails when Tap.Core's or Tap.Trace's is below the floor. Then the real-kernel tests (Linux, Cli, Conformance)
# run again on the io_uring data path (TAPNET_IO=uring: every LinuxHost and every tapnet they start uses --io=uring),
# so both data paths pass the whole Linux suite; TAPNET_URING_PASS=0 leaves that pass out.
# TAPNET_PROPERTY_SCALE=N multiplies the number of property-test cases (for long campaigns).
set -euo pipefail
cd "$(dirname "$0")/.."

LINE_FLOOR=${TAPNET_LINE_FLOOR:-90}
BRANCH_FLOOR=${TAPNET_BRANCH_FLOOR:-80}
results=TestResults/coverage
rm -rf "$results"
find Tap.Tests/bin -name conformance-table.md -delete 2>/dev/null || true

# Each real-kernel test that got past its gate (root, TUN, tools) writes its name here.
export TAPNET_REAL_KERNEL_LOG="$PWD/$results/real-kernel-tests.txt"
mkdir -p "$results"
: > "$TAPNET_REAL_KERNEL_LOG"

test_status=0
dotnet test Tap.sln --nologo -c Release --settings coverage.runsettings \
  --collect "XPlat Code Coverage" --results-directory "$results" \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" "$@" || test_status=$?

# The QEMU 7.2 conformance table, written case by case by the conformance tests.
table=$(find Tap.Tests/bin -name conformance-table.md 2>/dev/null | head -n 1)
if [ -n "$table" ]; then
  echo "conformance with QEMU 7.2 ($(($(wc -l < "$table") - 2)) cases):"
  cat "$table"
fi

# The second pass, on io_uring, without coverage (the code under test is the same but for Tap.Linux's loop).
uring_status=0
uring_trx=
if [ "${TAPNET_URING_PASS:-1}" != 0 ]; then
  echo "the real-kernel tests again, on io_uring (TAPNET_IO=uring):"
  TAPNET_IO=uring TAPNET_REAL_KERNEL_LOG="$PWD/$results/real-kernel-tests-uring.txt" \
    dotnet test Tap.Tests/Tap.Tests.csproj --nologo -c Release --no-build --results-directory "$results/uring" \
    --filter "FullyQualifiedName~Tap.Tests.Linux|FullyQualifiedName~Tap.Tests.Cli|FullyQualifiedName~Tap.Tests.Conformance" \
    --logger "console;verbosity=minimal" --logger "trx;LogFileName=uring.trx" || uring_status=$?
  uring_trx=$(find "$results/uring" -name uring.trx 2>/dev/null | head -n 1)
  if [ -z "$uring_trx" ]; then
    echo "tests: the io_uring pass wrote no trx report (status $uring_status)" >&2
    uring_status=1
  fi
fi

# The closing lines: the plain count any reader (and CI) understands, then how many ran on the real kernel.
trx=$(find "$results" -name tests.trx | head -n 1)
if [ -z "$trx" ]; then
  echo "tests: no trx report was written (status $test_status)" >&2
  exit 1
fi
count_in() { grep -o "<Counters [^>]*>" "$1" | head -n 1 | sed -E "s/.* $2=\"([0-9]+)\".*/\1/"; }
count() {
  local n
  n=$(count_in "$trx" "$1")
  if [ -n "$uring_trx" ]; then n=$((n + $(count_in "$uring_trx" "$1"))); fi
  echo "$n"
}
passed=$(count passed)
failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))
skipped=$(count notExecuted)
real_kernel=$(sort -u "$TAPNET_REAL_KERNEL_LOG" | grep -c . || true)
real_kernel_uring=$(sort -u "$results/real-kernel-tests-uring.txt" 2>/dev/null | grep -c . || true)
# Failed tests are named with the head of their message last, where a reader of the log's tail (CI) sees them.
failures() {
  python3 - "$trx" "" ${uring_trx:+"$uring_trx" " (io_uring)"} <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path, where in zip(sys.argv[1::2], sys.argv[2::2]):
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") not in ("Passed", "NotExecuted"):
            msg = r.findtext(".//t:Message", default="", namespaces=ns).strip().replace("\n", " | ")
            print(f"FAILED{where} {r.get('testName')} ({r.get('duration')}): {msg[:600]}")
PY
}
summary_lines() {
  [ "$failed" -eq 0 ] || failures || true
  echo "$passed passed, $failed failed, $skipped skipped"
  echo "real-kernel tests run: $real_kernel, and $real_kernel_uring of them again on io_uring"
}

report=$(find "$results" -name coverage.cobertura.xml | head -n 1)
if [ -z "$report" ]; then
  echo "coverage: no cobertura report was written" >&2
  summary_lines
  exit 1
fi

# One <package> element per assembly; its line-rate and branch-rate attributes are fractions.
summary() {
  local pkg=$1
  grep -o "<package name=\"$pkg\"[^>]*>" "$report" | head -n 1 |
    sed -E 's/.*line-rate="([0-9.]+)".*branch-rate="([0-9.]+)".*/\1 \2/'
}

status=0
for pkg in Tap.Core Tap.Trace Tap.Sim; do
  read -r line branch <<<"$(summary "$pkg")" || true
  if [ -z "${line:-}" ]; then
    echo "coverage: $pkg not found in $report" >&2
    status=1
    continue
  fi
  line_pct=$(awk -v r="$line" 'BEGIN { printf "%.1f", r * 100 }')
  branch_pct=$(awk -v r="$branch" 'BEGIN { printf "%.1f", r * 100 }')
  echo "coverage: $pkg line ${line_pct}% branch ${branch_pct}%"
  # The core and the trace layer (which was part of the core) keep the floor.
  if [ "$pkg" = Tap.Core ] || [ "$pkg" = Tap.Trace ]; then
    if awk -v p="$line_pct" -v f="$LINE_FLOOR" 'BEGIN { exit !(p < f) }'; then
      echo "coverage: $pkg line coverage ${line_pct}% is below ${LINE_FLOOR}%" >&2
      status=1
    fi
    if awk -v p="$branch_pct" -v f="$BRANCH_FLOOR" 'BEGIN { exit !(p < f) }'; then
      echo "coverage: $pkg branch coverage ${branch_pct}% is below ${BRANCH_FLOOR}%" >&2
      status=1
    fi
  fi
done
if [ "${CI:-}" = true ] && [ "$real_kernel" -eq 0 ]; then
  echo "tests: no real-kernel test ran in CI" >&2
  status=1
fi
if [ "${CI:-}" = true ] && [ "${TAPNET_URING_PASS:-1}" != 0 ] && [ "$real_kernel_uring" -eq 0 ]; then
  echo "tests: no real-kernel test ran on io_uring in CI" >&2
  status=1
fi
[ "$test_status" -eq 0 ] || status=$test_status
[ "$uring_status" -eq 0 ] || status=$uring_status
summary_lines
exit $status
