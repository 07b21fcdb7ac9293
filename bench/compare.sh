#!/usr/bin/env bash
# Side by side: tapnet and QEMU 7.2 forwarding between two network namespaces through two taps on a hub.
# Run as root: bash bench/compare.sh [ROUNDS] [SECONDS] [EXTRA_TAPNET_OPTION...]
# FORWARDERS="tapnet qemu minimal" adds bench/minimal-forwarder.c (poll, one read and one write per frame) as a floor.
# Every namespace, device and process it makes is removed on every exit path; traffic stays on 169.254.91.0/24.
# The forwarder runs pinned to CPU 1 and the traffic (iperf3 both ends, the ping-pong client) to CPU 0, so that on a
# 2-core machine the figures measure the forwarder rather than where the scheduler happened to put it: unpinned, the
# receiver each write wakes was pulled onto the forwarder's CPU and took 28-36% of it (perf record -a -C 1).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
extra_tapnet=("$@")

[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (namespaces, taps)" >&2; exit 2; }
for tool in ip iperf3 qemu-system-x86_64 python3 taskset; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (apt-get install iproute2 iperf3 qemu-system-x86 python3 util-linux)" >&2; exit 2; }
done

# NativeAOT when the toolchain is there (starts in ~10 ms, ~7 MiB resident); the JIT build otherwise, or with
# TAPNET_JIT=1.
out=bench/out
if [ "${TAPNET_JIT:-0}" != 1 ] && dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc -o "$out" -v q -nologo >/dev/null 2>&1; then
  tapnet=("$out/tapnet")
else
  echo "compare.sh: NativeAOT publish failed; measuring the JIT build" >&2
  dotnet build -c Release Tap.Cli -v q -nologo >/dev/null
  tapnet=(dotnet Tap.Cli/bin/Release/net10.0/tapnet.dll)
fi
forwarders=(${FORWARDERS:-tapnet qemu})
if [[ " ${forwarders[*]} " == *" minimal "* ]]; then
  gcc -O2 -o "$out/minimal-forwarder" bench/minimal-forwarder.c
fi
tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=cmp-$tag-h; A=cmp-$tag-a; B=cmp-$tag-b
fwd_pid=""

cleanup() {
  [ -n "$fwd_pid" ] && kill "$fwd_pid" 2>/dev/null && wait "$fwd_pid" 2>/dev/null || true
  fwd_pid=""
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netdevs=(-netdev "tap,id=t0,ifname=fa$tag,script=no,downscript=no" -netdev "tap,id=t1,ifname=fb$tag,script=no,downscript=no"
         -netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=t1)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
# read(2)/readv and write(2)/writev calls of the whole process so far (epoll_wait and ppoll are not counted).
io_calls() { awk '/^syscr|^syscw/ {n += $2} END {print n}' "/proc/$1/io"; }

# One measurement of one forwarder: prints "tcp_gbit udp_pps cpu_us_per_pkt rss_mib rtt_us rw_calls_per_pkt user_us_per_pkt".
measure() {
  local kind=$1
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  if [ "$kind" = minimal ]; then
    ip netns exec "$H" taskset -c 1 "$out/minimal-forwarder" "fa$tag" "fb$tag" >/dev/null 2>&1 &
  elif [ "$kind" = qemu ]; then
    ip netns exec "$H" taskset -c 1 qemu-system-x86_64 -M none -display none -nodefaults "${netdevs[@]}" >/dev/null 2>&1 &
  else
    ip netns exec "$H" taskset -c 1 "${tapnet[@]}" "${netdevs[@]}" "${extra_tapnet[@]}" >/dev/null 2>&1 &
  fi
  fwd_pid=$!
  for _ in $(seq 100); do ip -n "$H" link show "fb$tag" >/dev/null 2>&1 && break; sleep 0.05; done
  ip -n "$H" link set "fa$tag" netns "$A"
  ip -n "$H" link set "fb$tag" netns "$B"
  ip -n "$A" addr add 169.254.91.1/24 dev "fa$tag"; ip -n "$A" link set "fa$tag" up
  ip -n "$B" addr add 169.254.91.2/24 dev "fb$tag"; ip -n "$B" link set "fb$tag" up

  ip netns exec "$B" taskset -c 0 iperf3 -s -D -B 169.254.91.2 -p 5201 --logfile /dev/null
  sleep 0.3
  local tcp
  tcp=$(ip netns exec "$A" taskset -c 0 iperf3 -c 169.254.91.2 -p 5201 -t "$secs" -J | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9, 2))')

  local rx0 cpu0 rx1 cpu1
  rx0=$(ip netns exec "$B" cat "/sys/class/net/fb$tag/statistics/rx_packets")
  cpu0=$(cpu_ticks "$fwd_pid")
  local user0 user1
  user0=$(user_ticks "$fwd_pid")
  local io0 io1
  io0=$(io_calls "$fwd_pid")
  ip netns exec "$A" taskset -c 0 iperf3 -c 169.254.91.2 -p 5201 -u -b 0 -l 64 -t "$secs" >/dev/null 2>&1 || true
  rx1=$(ip netns exec "$B" cat "/sys/class/net/fb$tag/statistics/rx_packets")
  cpu1=$(cpu_ticks "$fwd_pid")
  user1=$(user_ticks "$fwd_pid")
  io1=$(io_calls "$fwd_pid")
  local pkts=$((rx1 - rx0))
  local pps=$((pkts / secs))
  local hz; hz=$(getconf CLK_TCK)
  local cpu_us
  cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) / $hz * 1e6 / max(1, $pkts), 2))")
  local user_us
  user_us=$(python3 -c "print(round(($user1 - $user0) / $hz * 1e6 / max(1, $pkts), 2))")
  local calls
  calls=$(python3 -c "print(round(($io1 - $io0) / max(1, $pkts), 2))")

  ip netns exec "$B" python3 bench/pingpong.py server 169.254.91.2 7777 &
  local pong=$!
  sleep 0.3
  local rtt
  rtt=$(ip netns exec "$A" taskset -c 0 python3 bench/pingpong.py client 169.254.91.2 7777 3000)
  wait "$pong" || true
  local rss
  rss=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$fwd_pid/status")
  pkill -f "iperf3 -s -D -B 169.254.91.2" 2>/dev/null || true
  cleanup
  echo "$tcp $pps $cpu_us $rss $rtt $calls $user_us"
}

echo "forwarder  round  TCP_Gbit/s  UDP64_pkt/s  CPU_us/pkt  peak_RSS_MiB  RTT_us  rw_calls/pkt  user_us/pkt"
results=()
for r in $(seq "$rounds"); do
  for kind in "${forwarders[@]}"; do
    line=$(measure "$kind")
    printf "%-9s  %5s  %s\n" "$kind" "$r" "$line"
    results+=("$kind $line")
  done
done

python3 - "${results[@]}" <<'PY'
import statistics, sys
rows = {}
for arg in sys.argv[1:]:
    kind, *values = arg.split()
    rows.setdefault(kind, []).append(list(map(float, values)))
names = ["TCP Gbit/s", "UDP 64 B pkt/s", "CPU us/pkt", "peak RSS MiB", "RTT us", "read+write/pkt", "user us/pkt"]
others = [k for k in rows if k != "tapnet"]
print("\nmetric            " + "".join(f"{k + ' median (spread)':>30}" for k in rows) + "".join(f"   tapnet/{k}" for k in others))
for i, name in enumerate(names):
    cells, medians = "", {}
    for k, runs in rows.items():
        v = [r[i] for r in runs]
        medians[k] = statistics.median(v)
        cells += f"{medians[k]:>14.2f} ({min(v):.2f}-{max(v):.2f})".rjust(30)
    ratios = "".join(f"{medians['tapnet'] / medians[k] if medians[k] else float('nan'):>{10 + len(k)}.2f}" for k in others) if "tapnet" in rows else ""
    print(f"{name:16}  {cells}{ratios}")
PY
