#!/usr/bin/env bash
# Regenerates Tap.Cli/tapnet.order: the managed functions a forwarding run of tapnet executes, which the NativeAOT
# compiler then lays out together (IlcOrderFile in Tap.Cli.csproj; README, Performance, peak RSS).
# Run as root: bash scripts/order-file.sh [FRAMES]   (default 2000)
#
# Why: the kernel maps a file-backed page fault's neighbours too (fault-around, 64 KiB), so code touched here and there
# across the 5.8 MB of tapnet's text maps most of it; with what runs packed together, a forwarding tapnet maps far
# less of its binary, and its peak RSS fell from 12.4 to 9.7 MiB. A stale list costs only that memory (names the
# compiler no longer finds are ignored), never correctness; rerun this after changes to start-up or the packet path.
#
# How: valgrind's callgrind runs tapnet three times with two taps on a hub (-netdev as bench/compare.sh) in namespace
# H, the taps moved to namespaces A and B (169.254.94.1 and .2); iperf3 sends FRAMES UDP datagrams of 64 bytes from A to
# B, and tapnet is stopped with SIGTERM, so start-up, forwarding and shutdown all run. The first run forwards with
# --io=epoll, the second with --io=uring, the third adds --metrics=127.0.0.1:9464 on H's loopback (epoll) and scrapes
# it once. Every managed function (nm on tapnet.dbg) both data paths executed goes into the file, sorted, then those
# only epoll's did, then io_uring's, so that each data path maps little of the other's (a uring run mapped 1.1 MiB more
# of the binary than an epoll run with only epoll's list); then those only --metrics did: a run without it maps none
# of them. Every namespace and process it makes is removed on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-2000}

[ "$(id -u)" = 0 ] || { echo "order-file.sh: needs root (namespaces, taps)" >&2; exit 2; }
for tool in ip iperf3 valgrind objcopy nm python3 curl; do
  command -v "$tool" >/dev/null || {
    echo "order-file.sh: $tool is missing (apt-get install iproute2 iperf3 valgrind binutils python3 curl)" >&2
    exit 2
  }
done

out=bench/out/order-file
rm -rf "$out"
mkdir -p "$out"
# Without the current list, so that the new one does not depend on the old one's layout.
dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc -p:IlcOrderFile= \
  -o "$out" -v q -nologo >/dev/null
# Valgrind gives up on the DWARF of tapnet.dbg; the symbol table alone names the functions (as bench/instructions.sh).
objcopy --strip-debug "$out/tapnet.dbg" "$out/tapnet.syms"
objcopy --remove-section=.gnu_debuglink "$out/tapnet"
objcopy --add-gnu-debuglink="$out/tapnet.syms" "$out/tapnet"

tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=ord-$tag-h; A=ord-$tag-a; B=ord-$tag-b
pids=$(mktemp "/tmp/order-file-$tag.XXXXXX")
source bench/processes.sh
# Ends what one run started: its processes and its namespaces.
teardown() {
  stop_started 200
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
cleanup() {
  teardown
  rm -f "$pids"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One run under callgrind into $out/NAME.callgrind, with tapnet's extra options after NAME. With --metrics, the
# endpoint (on H's loopback) is scraped once while the frames flow.
profile_run() {
  local name=$1
  shift
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n "$H" link set lo up
  ip netns exec "$H" valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" "$out/tapnet" \
    -netdev "tap,id=t0,ifname=oa$tag,script=no,downscript=no" \
    -netdev "tap,id=t1,ifname=ob$tag,script=no,downscript=no" \
    -netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=t1 --offload=off "$@" \
    >"$out/$name.stdout" 2>"$out/$name.stderr" &
  local fwd=$!
  started "$fwd"
  local up=0
  for _ in $(seq 600); do ip -n "$H" link show "ob$tag" >/dev/null 2>&1 && { up=1; break; }; sleep 0.1; done
  [ "$up" = 1 ] || { echo "order-file.sh: tapnet did not create its taps in 60 s; see $out/$name.stderr" >&2; exit 1; }
  ip -n "$H" link set "oa$tag" netns "$A"
  ip -n "$H" link set "ob$tag" netns "$B"
  ip -n "$A" addr add 169.254.94.1/24 dev "oa$tag"; ip -n "$A" link set "oa$tag" up
  ip -n "$B" addr add 169.254.94.2/24 dev "ob$tag"; ip -n "$B" link set "ob$tag" up
  ip netns exec "$B" iperf3 -s -1 -B 169.254.94.2 -p 5201 >/dev/null 2>&1 &
  started $!
  for _ in $(seq 100); do ip netns exec "$B" ss -Hltn 'sport = :5201' | grep -q . && break; sleep 0.05; done
  ip netns exec "$A" timeout 120 iperf3 -c 169.254.94.2 -p 5201 -u -b 2M -l 64 -k "$frames" >/dev/null 2>&1 &
  local traffic=$!
  if [[ " $* " == *" --metrics="* ]]; then
    local scraped=0
    for _ in $(seq 300); do
      ip netns exec "$H" curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$out/$name.scrape" && { scraped=1; break; }
      sleep 0.2
    done
    [ "$scraped" = 1 ] || { echo "order-file.sh: no answer on 127.0.0.1:$metrics_port in 60 s" >&2; exit 1; }
  fi
  wait "$traffic" || true

  # A trickle of datagrams (bounded) while tapnet stops: under valgrind a thread blocked in io_uring_enter keeps
  # valgrind's lock, so the thread that takes SIGTERM runs only when a completion wakes the loop.
  ip netns exec "$A" timeout 60 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b"x", ("169.254.94.2", 9))
    time.sleep(0.002)' >/dev/null 2>&1 &
  local trickle=$!
  started "$trickle"
  kill -TERM "$fwd"
  for _ in $(seq 600); do running "$fwd" || break; sleep 0.1; done
  wait "$fwd" 2>/dev/null || true
  kill "$trickle" 2>/dev/null || true
  [ -s "$out/$name.callgrind" ] || { echo "order-file.sh: callgrind wrote nothing; see $out/$name.stderr" >&2; exit 1; }
  teardown
}

metrics_port=9464
profile_run forward --io=epoll
profile_run uring --io=uring
profile_run metrics --io=epoll "--metrics=127.0.0.1:$metrics_port"

python3 - "$out/forward.callgrind" "$out/uring.callgrind" "$out/metrics.callgrind" "$out/tapnet.dbg" \
  Tap.Cli/tapnet.order <<'PY'
import re, subprocess, sys
forward_dump, uring_dump, metrics_dump, dbg, order = sys.argv[1:]


def seen_in(dump):
    names = set()
    for line in open(dump, errors="replace"):
        m = re.match(r"c?fn=\(\d+\) (.+)$", line.rstrip("\n"))
        if m:
            names.add(m[1])
    return names


managed = set()
for line in subprocess.run(["nm", dbg], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tT":
        managed.add(parts[2])
epoll = seen_in(forward_dump) & managed
uring = seen_in(uring_dump) & managed
for name, seen in (("--io=epoll", epoll), ("--io=uring", uring)):
    if len(seen) < 500:
        sys.exit(f"order-file.sh: only {len(seen)} functions seen with {name}; the run did not get far enough")
# What both data paths run first, then what only one of them does, so that each maps the other's least; what only
# --metrics runs comes last, so that a run without it maps none of it.
both = sorted(epoll & uring)
epoll_only = sorted(epoll - uring)
uring_only = sorted(uring - epoll)
serving = sorted((seen_in(metrics_dump) & managed) - epoll - uring)
with open(order, "w") as f:
    f.write("\n".join(both + epoll_only + uring_only + serving) + "\n")
print(f"order-file.sh: {len(both)} functions both data paths run, {len(epoll_only)} only epoll's, {len(uring_only)}"
      f" only io_uring's, then {len(serving)} more of --metrics, written to {order}")
PY
