#!/usr/bin/env bash
# Where each forwarder's CPU time goes per forwarded frame, kernel included, side by side (issue 13 §1).
# Run as root: bash bench/kernel-profile.sh [SECONDS] [EXTRA_TAPNET_OPTION...]   (default 5 --offload=off)
# FORWARDERS (default "tapnet reference qemu") picks them (also minimal, tapnet-uring, reference-uring, reference-deep,
# reference-code and reference-mt: the reference with three idle threads; tapnet-b, the tapnet binary TAPNET_B names, to
# profile two builds in one run; see compare.sh). Each runs pinned to CPU 1
# with the four -netdev arguments of compare.sh (two taps on a hub; the references take the two tap names), the UDP
# flood of compare.sh (iperf3 -u -b 0 -l 64 from namespace A, on CPU 0) runs for SECONDS while
# `perf record -F FREQ -p PID` samples the forwarder's threads on the cpu-clock (this VM has no PMU), and the samples
# are turned into nanoseconds per frame that B's tap received: per symbol, kernel and user alike, then a table of the
# symbols that cost most, each forwarder a column.
# instructions.sh says where the user-space instructions go; this says where the time goes, system time included.
# Every namespace and process it makes is removed on every exit path; traffic stays on 169.254.93.0/24.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
shift $(( $# > 0 ? 1 : 0 )) || true
extra_tapnet=("$@")
[ ${#extra_tapnet[@]} -gt 0 ] || extra_tapnet=(--offload=off)
freq=${FREQ:-4999}
forwarders=(${FORWARDERS:-tapnet reference qemu})
# TRAFFIC=tcp profiles iperf3 TCP A->B instead (frames: those B's tap received, the data; the ACKs back are extra).
# PERF_RECORD_OPTS adds perf record options, e.g. -g for call chains (then perf report -i bench/out/kprofile-KIND.data
# -g caller --no-children -S SYMBOL says who calls SYMBOL).
case ${TRAFFIC:-udp} in
  udp) traffic=(-u -b 0 -l 64) ;;
  tcp) traffic=() ;;
  *) echo "kernel-profile.sh: TRAFFIC is udp or tcp, not '$TRAFFIC'" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || { echo "kernel-profile.sh: needs root (namespaces, taps, perf -p)" >&2; exit 2; }
for tool in ip iperf3 perf python3 taskset gcc; do
  command -v "$tool" >/dev/null || {
    echo "kernel-profile.sh: $tool is missing (apt-get install iproute2 iperf3 linux-perf python3 util-linux gcc)" >&2
    exit 2
  }
done

out=bench/out
mkdir -p "$out"
for kind in "${forwarders[@]}"; do
  case $kind in
    tapnet|tapnet-uring)
      if [ "${SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$out/tapnet" ]; then
        dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc -o "$out" \
          -v q -nologo >/dev/null
      fi ;;
    tapnet-b) [ -x "${TAPNET_B:-}" ] || {
        echo "kernel-profile.sh: tapnet-b runs the tapnet binary TAPNET_B names; '${TAPNET_B:-}' is not an executable" >&2
        exit 2
      } ;;
    reference|minimal) gcc -O2 -g -Wall -Wextra -o "$out/$kind-forwarder" "bench/$kind-forwarder.c" ;;
    reference-mt|reference-deep|reference-code)
      gcc -O2 -g -Wall -Wextra -o "$out/reference-forwarder" bench/reference-forwarder.c ;;
    reference-uring) gcc -O2 -g -Wall -Wextra -o "$out/reference-uring" bench/reference-uring.c ;;
    qemu) command -v qemu-system-x86_64 >/dev/null || { echo "kernel-profile.sh: qemu-system-x86_64 missing" >&2; exit 2; } ;;
    *) echo "kernel-profile.sh: unknown forwarder '$kind' (tapnet, tapnet-uring, tapnet-b, reference, reference-mt," \
         "reference-deep, reference-code, reference-uring, minimal, qemu)" >&2
       exit 2 ;;
  esac
done

tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=kpr-$tag-h; A=kpr-$tag-a; B=kpr-$tag-b
pids=$(mktemp "/tmp/kernel-profile-$tag.XXXXXX")
source bench/processes.sh

cleanup() {
  stop_started 100
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'cleanup; rm -f "$pids"' EXIT
trap 'exit 130' INT TERM

netdevs=(-netdev "tap,id=t0,ifname=ka$tag,script=no,downscript=no"
         -netdev "tap,id=t1,ifname=kb$tag,script=no,downscript=no"
         -netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=t1)
rx_packets() { ip netns exec "$B" cat "/sys/class/net/kb$tag/statistics/rx_packets"; }

profile() {
  local kind=$1 cmd
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  case $kind in
    reference|minimal) cmd=("$out/$kind-forwarder" "ka$tag" "kb$tag") ;;
    reference-mt) cmd=(env REFERENCE_IDLE_THREADS=3 "$out/reference-forwarder" "ka$tag" "kb$tag") ;;
    reference-deep) cmd=(env REFERENCE_CALL_DEPTH="${REFERENCE_CALL_DEPTH:-10}" "$out/reference-forwarder" "ka$tag" \
      "kb$tag") ;;
    reference-code) cmd=(env REFERENCE_OWN_CODE="${REFERENCE_OWN_CODE:-5}" "$out/reference-forwarder" "ka$tag" \
      "kb$tag") ;;
    reference-uring) cmd=("$out/reference-uring" "ka$tag" "kb$tag") ;;
    tapnet-uring) cmd=("$out/tapnet" "${netdevs[@]}" "${extra_tapnet[@]}" --io=uring) ;;
    qemu) cmd=(qemu-system-x86_64 -M none -display none -nodefaults "${netdevs[@]}") ;;
    tapnet) cmd=("$out/tapnet" "${netdevs[@]}" "${extra_tapnet[@]}" --io=epoll) ;;
    tapnet-b) cmd=("$TAPNET_B" "${netdevs[@]}" "${extra_tapnet[@]}" --io=epoll) ;;
  esac
  ip netns exec "$H" taskset -c 1 "${cmd[@]}" >/dev/null 2>"$out/kprofile-$kind.stderr" &
  local fwd=$!
  started "$fwd"
  for _ in $(seq 100); do ip -n "$H" link show "kb$tag" >/dev/null 2>&1 && break; sleep 0.05; done
  ip -n "$H" link set "ka$tag" netns "$A"
  ip -n "$H" link set "kb$tag" netns "$B"
  ip -n "$A" addr add 169.254.93.1/24 dev "ka$tag"; ip -n "$A" link set "ka$tag" up
  ip -n "$B" addr add 169.254.93.2/24 dev "kb$tag"; ip -n "$B" link set "kb$tag" up
  ip netns exec "$B" taskset -c 0 iperf3 -s -B 169.254.93.2 -p 5201 >/dev/null 2>&1 &
  started $!
  for _ in $(seq 100); do ip netns exec "$B" ss -Hltn 'sport = :5201' | grep -q . && break; sleep 0.05; done

  local rx0 rx1
  rx0=$(rx_packets)
  perf record -q -F "$freq" ${PERF_RECORD_OPTS:-} -o "$out/kprofile-$kind.data" -p "$fwd" -- ip netns exec "$A" taskset -c 0 \
    iperf3 -c 169.254.93.2 -p 5201 "${traffic[@]}" -t "$secs" >/dev/null 2>&1 || true
  rx1=$(rx_packets)
  echo "$kind $((rx1 - rx0))" >>"$out/kprofile-frames.txt"
  perf report -i "$out/kprofile-$kind.data" --stdio --no-children --sort dso,sym -F overhead,sample,dso,sym \
    2>/dev/null >"$out/kprofile-$kind.txt" || true
  stop_started 100
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}

: >"$out/kprofile-frames.txt"
for kind in "${forwarders[@]}"; do profile "$kind"; done

python3 - "$out" "$freq" "${forwarders[@]}" <<'PY'
import re, sys
out, freq, kinds = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
frames = dict((l.split()[0], int(l.split()[1])) for l in open(f"{out}/kprofile-frames.txt"))
per = {}  # kind -> {symbol: ns per frame}
for k in kinds:
    table = {}
    for line in open(f"{out}/kprofile-{k}.txt", errors="replace"):
        m = re.match(r"\s*[\d.]+%\s+(\d+)\s+(\S+)\s+\[(.)\]\s+(.*\S)", line)
        if m:
            samples, dso, space, sym = int(m[1]), m[2], m[3], m[4]
            side = "k" if space == "k" else "u"
            key = f"[{side}] {sym}" if side == "k" else f"[u] {sym} ({dso})"
            table[key] = table.get(key, 0) + samples / freq * 1e9 / max(1, frames[k])
    per[k] = table
print(f"ns per forwarded frame, by symbol (perf record -F {freq:g} on the cpu-clock; frames: "
      + ", ".join(f"{k} {frames[k]}" for k in kinds) + ")")
head = f"{'symbol':60}" + "".join(f"{k:>12}" for k in kinds)
print(head)
for side, label in (("[k]", "kernel, all"), ("[u]", "user, all")):
    print(f"{label:60}" + "".join(f"{sum(v for s, v in per[k].items() if s.startswith(side)):12.0f}" for k in kinds))
print(f"{'total':60}" + "".join(f"{sum(per[k].values()):12.0f}" for k in kinds))
syms = sorted({s for t in per.values() for s in t}, key=lambda s: -max(t.get(s, 0) for t in per.values()))
for s in syms[:int(__import__('os').environ.get('TOP', '40'))]:
    print(f"{s[:60]:60}" + "".join(f"{per[k].get(s, 0):12.1f}" for k in kinds))
PY
