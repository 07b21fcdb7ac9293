#!/usr/bin/env bash
# Side by side: tapnet and QEMU 7.2 forwarding between two network namespaces through two taps on a hub.
# Run as root: bash bench/compare.sh [ROUNDS] [SECONDS] [EXTRA_TAPNET_OPTION...]
# Every namespace, device and process it makes is removed on every exit path; traffic stays on 169.254.91.0/24.
# The forwarder runs pinned to CPU 1 and the ping-pong client to CPU 0, so that on a 2-core machine the round trip
# measures the forwarder rather than where the scheduler happened to put it.
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
# read(2)/readv and write(2)/writev calls of the whole process so far (epoll_wait and ppoll are not counted).
io_calls() { awk '/^syscr|^syscw/ {n += $2} END {print n}' "/proc/$1/io"; }

# One measurement of one forwarder: prints "tcp_gbit udp_pps cpu_us_per_pkt rss_mib rtt_us rw_calls_per_pkt".
measure() {
  local kind=$1
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  if [ "$kind" = qemu ]; then
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

  ip netns exec "$B" iperf3 -s -D -B 169.254.91.2 -p 5201 --logfile /dev/null
  sleep 0.3
  local tcp
  tcp=$(ip netns exec "$A" iperf3 -c 169.254.91.2 -p 5201 -t "$secs" -J | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9, 2))')

  local rx0 cpu0 rx1 cpu1
  rx0=$(ip netns exec "$B" cat "/sys/class/net/fb$tag/statistics/rx_packets")
  cpu0=$(cpu_ticks "$fwd_pid")
  local io0 io1
  io0=$(io_calls "$fwd_pid")
  ip netns exec "$A" iperf3 -c 169.254.91.2 -p 5201 -u -b 0 -l 64 -t "$secs" >/dev/null 2>&1 || true
  rx1=$(ip netns exec "$B" cat "/sys/class/net/fb$tag/statistics/rx_packets")
  cpu1=$(cpu_ticks "$fwd_pid")
  io1=$(io_calls "$fwd_pid")
  local pkts=$((rx1 - rx0))
  local pps=$((pkts / secs))
  local hz; hz=$(getconf CLK_TCK)
  local cpu_us
  cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) / $hz * 1e6 / max(1, $pkts), 2))")
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
  echo "$tcp $pps $cpu_us $rss $rtt $calls"
}

echo "forwarder  round  TCP_Gbit/s  UDP64_pkt/s  CPU_us/pkt  peak_RSS_MiB  RTT_us  rw_calls/pkt"
results_q=(); results_t=()
for r in $(seq "$rounds"); do
  for kind in tapnet qemu; do
    line=$(measure "$kind")
    printf "%-9s  %5s  %s\n" "$kind" "$r" "$line"
    if [ "$kind" = qemu ]; then results_q+=("$line"); else results_t+=("$line"); fi
  done
done

python3 - "${#results_t[@]}" "${results_t[@]}" "${results_q[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1]); t = [list(map(float, x.split())) for x in sys.argv[2:2+n]]; q = [list(map(float, x.split())) for x in sys.argv[2+n:]]
names = ["TCP Gbit/s", "UDP 64 B pkt/s", "CPU us/pkt", "peak RSS MiB", "RTT us", "read+write/pkt"]
print("\nmetric            tapnet median (spread)     QEMU median (spread)     tapnet/QEMU")
for i, name in enumerate(names):
    tv = [r[i] for r in t]; qv = [r[i] for r in q]
    tm, qm = statistics.median(tv), statistics.median(qv)
    print(f"{name:16}  {tm:12.2f} ({min(tv):.2f}-{max(tv):.2f})  {qm:12.2f} ({min(qv):.2f}-{max(qv):.2f})  {tm / qm if qm else float('nan'):6.2f}")
PY
