#!/usr/bin/env bash
# User-space instructions per forwarded frame (issue 13 §1), tapnet against the C reference, measured the same way in
# one run. Run as root: bash bench/instructions.sh [PACKETS] [EXTRA_TAPNET_OPTION...]   (default 20000 --offload=off)
# FORWARDERS (default "tapnet reference"; qemu and minimal also work) picks them; RATE (iperf3 -b, default 0 = as fast
# as the sender can) paces the flood: at 0 every forwarder drains full bursts (50 frames per wake for tapnet, 64 for
# the reference), so the per-frame path dominates; a low RATE (e.g. 2M: ~3900 frames/s) costs a whole wait per frame.
#
# Why not perf stat -e instructions:u: this machine is a VM without a PMU ("PMU not available due to virtualization"),
# so hardware counters read <not supported>. Valgrind's callgrind counts every instruction the process executes in
# user space (its own code, the runtime, glibc's wrappers; all threads), exactly and whatever the load, and with
# symbols says where they go. It slows the forwarder ~50x, so at RATE=0 frames pile up and are drained in full bursts.
#
# Each forwarder runs under callgrind in a namespace H with its two taps moved to namespaces A and B
# (169.254.92.1 and .2); after set-up the counters are zeroed, iperf3 sends PACKETS UDP datagrams of 64 bytes from A
# to B (-k), the counters are dumped, and the instructions are divided by the frames B's tap received in that window.
# Also printed: waits for readiness per frame (perf's syscall tracepoints, when present), which says how full the
# bursts were. (Read and write calls are not: under valgrind /proc/PID/io also counts valgrind's own.)
# The dumps stay in bench/out/instructions-KIND.callgrind: callgrind_annotate FILE | head -40 shows where they go.
# CALLGRIND_OPTS adds valgrind options, e.g. --dump-instr=yes for counts per instruction (to read against objdump -d).
# Every namespace and process it makes is removed on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
packets=${1:-20000}
shift $(( $# > 0 ? 1 : 0 )) || true
extra_tapnet=("$@")
[ ${#extra_tapnet[@]} -gt 0 ] || extra_tapnet=(--offload=off)
rate=${RATE:-0}
forwarders=(${FORWARDERS:-tapnet reference})

[ "$(id -u)" = 0 ] || { echo "instructions.sh: needs root (namespaces, taps)" >&2; exit 2; }
for tool in ip iperf3 valgrind callgrind_control objcopy gcc python3; do
  command -v "$tool" >/dev/null || {
    echo "instructions.sh: $tool is missing (apt-get install iproute2 iperf3 valgrind binutils gcc python3)" >&2
    exit 2
  }
done

out=bench/out
mkdir -p "$out"
published=0
for kind in "${forwarders[@]}"; do
  case $kind in
    tapnet|tapnet-uring)
      [ -x "$out/callgrind/tapnet" ] && [ "$published" = 1 ] && continue
      published=1
      if [ "${SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$out/tapnet" ]; then
        dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc -o "$out" \
          -v q -nologo >/dev/null
      fi
      # Valgrind 3.19 gives up on the DWARF of tapnet.dbg; the symbol table alone names the functions. Its debug link
      # carries a CRC, so the copy of tapnet is relinked to the stripped symbol file.
      mkdir -p "$out/callgrind"
      cp "$out/tapnet" "$out/callgrind/tapnet"
      objcopy --strip-debug "$out/tapnet.dbg" "$out/callgrind/tapnet.syms"
      objcopy --remove-section=.gnu_debuglink "$out/callgrind/tapnet"
      objcopy --add-gnu-debuglink="$out/callgrind/tapnet.syms" "$out/callgrind/tapnet"
      ;;
    reference|minimal) gcc -O2 -g -Wall -Wextra -o "$out/$kind-forwarder" "bench/$kind-forwarder.c" ;;
    qemu)
      command -v qemu-system-x86_64 >/dev/null || { echo "instructions.sh: qemu-system-x86_64 missing" >&2; exit 2; } ;;
    *) echo "instructions.sh: unknown forwarder '$kind' (tapnet, tapnet-uring, reference, minimal, qemu)" >&2; exit 2 ;;
  esac
done

wait_events=""
if command -v perf >/dev/null && perf stat -e context-switches -- true >/dev/null 2>&1; then
  available=$(perf list tracepoint 2>/dev/null || true)
  for call in epoll_wait epoll_pwait ppoll poll io_uring_enter; do
    if grep -q "syscalls:sys_enter_$call\b" <<<"$available"; then
      wait_events+="${wait_events:+,}syscalls:sys_enter_$call"
    fi
  done
fi

tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=ins-$tag-h; A=ins-$tag-a; B=ins-$tag-b
pids=$(mktemp "/tmp/instructions-$tag.XXXXXX")
index=$(mktemp "/tmp/instructions-$tag.index.XXXXXX") # kind, frames and dump of each measurement
source bench/processes.sh   # the scripts run from the repository root
cleanup() {
  stop_started 200
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'cleanup; rm -f "$pids" "$index"' EXIT
trap 'exit 130' INT TERM

netdevs=(-netdev "tap,id=t0,ifname=ia$tag,script=no,downscript=no"
         -netdev "tap,id=t1,ifname=ib$tag,script=no,downscript=no"
         -netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=t1)
rx_packets() { ip netns exec "$B" cat "/sys/class/net/ib$tag/statistics/rx_packets"; }

# Prints: frames, instructions, instructions per frame, waits per frame.
measure() {
  local kind=$1 dump=$out/instructions-$1.callgrind
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  local cmd
  case $kind in
    reference|minimal) cmd=("$out/$kind-forwarder" "ia$tag" "ib$tag") ;;
    qemu) cmd=(qemu-system-x86_64 -M none -display none -nodefaults "${netdevs[@]}") ;;
    tapnet) cmd=("$out/callgrind/tapnet" "${netdevs[@]}" "${extra_tapnet[@]}" --io=epoll) ;;
    tapnet-uring) cmd=("$out/callgrind/tapnet" "${netdevs[@]}" "${extra_tapnet[@]}" --io=uring) ;;
  esac
  rm -f "$dump" "$dump".*
  ip netns exec "$H" valgrind --tool=callgrind ${CALLGRIND_OPTS:-} --callgrind-out-file="$dump" "${cmd[@]}" \
    >/dev/null 2>"$out/instructions-$kind.stderr" &
  local fwd=$!
  started "$fwd"
  for _ in $(seq 600); do ip -n "$H" link show "ib$tag" >/dev/null 2>&1 && break; sleep 0.05; done
  ip -n "$H" link show "ib$tag" >/dev/null 2>&1 || { echo "instructions.sh: $kind made no taps" >&2; return 1; }
  ip -n "$H" link set "ia$tag" netns "$A"
  ip -n "$H" link set "ib$tag" netns "$B"
  ip -n "$A" addr add 169.254.92.1/24 dev "ia$tag"; ip -n "$A" link set "ia$tag" up
  ip -n "$B" addr add 169.254.92.2/24 dev "ib$tag"; ip -n "$B" link set "ib$tag" up
  ip netns exec "$B" iperf3 -s -B 169.254.92.2 -p 5202 >/dev/null 2>&1 &
  started $!
  for _ in $(seq 100); do ip netns exec "$B" ss -Hltn 'sport = :5202' | grep -q . && break; sleep 0.05; done

  callgrind_control --zero "$fwd" >/dev/null 2>&1
  local rx0 rx1 waits=nan
  rx0=$(rx_packets)
  local flood=(ip netns exec "$A" iperf3 -c 169.254.92.2 -p 5202 -u -b "$rate" -l 64 -k "$packets")
  if [ -n "$wait_events" ]; then
    perf stat -x, -o "$out/instructions-$kind.perf" -e "$wait_events" -p "$fwd" -- "${flood[@]}" >/dev/null 2>&1
    waits=$(awk -F, '$1 ~ /^[0-9]+$/ {n += $1} END {print n + 0}' "$out/instructions-$kind.perf")
  else
    "${flood[@]}" >/dev/null 2>&1
  fi
  sleep 1 # frames still queued at A's tap when iperf3 returns
  rx1=$(rx_packets)
  callgrind_control --dump=flood "$fwd" >/dev/null 2>&1
  local file
  for _ in $(seq 100); do file=$(ls "$dump".* 2>/dev/null | head -1); [ -n "$file" ] && break; sleep 0.1; done
  [ -n "$file" ] || { echo "instructions.sh: callgrind wrote no dump for $kind" >&2; return 1; }
  local ir; ir=$(awk '/^summary:/ {print $2}' "$file")
  cleanup
  python3 - "$kind" $((rx1 - rx0)) "$ir" "$waits" <<'PY'
import sys
kind, frames, ir, waits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
f = max(1, frames)
w = "nan" if waits == "nan" else f"{int(waits) / f:.3f}"
print(f"{kind:<10} {frames:>8} {ir:>14} {ir / f:>10.0f} {w:>9}")
PY
  echo "$kind $((rx1 - rx0)) $file" >>"$index"
}

echo "instructions:u per forwarded frame under callgrind; $packets UDP datagrams of 64 B, iperf3 -b $rate;" \
     "tapnet ${extra_tapnet[*]}"
printf "%-10s %8s %14s %10s %9s\n" forwarder frames instructions "instr/frm" "waits/frm"
for kind in "${forwarders[@]}"; do
  measure "$kind"
done
# Where they go: the functions with the most instructions of their own, per frame.
while read -r kind frames file; do
  echo; echo "$kind: self instructions per frame by function (top ${TOP:-25})"
  python3 bench/callgrind-self.py "$file" "$frames" "${TOP:-25}"
done <"$index"
