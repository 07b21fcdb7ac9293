#!/usr/bin/env bash
# Throughput of tap -> stream (or dgram) -> tap: two tapnets joined over loopback, side by side with two QEMU 7.2
# doing the same, in the same run, rounds interleaved (tapnet, qemu, tapnet, qemu...).
# Run as root: bash bench/stream-compare.sh [ROUNDS] [SECONDS] [stream|dgram]
#
# Each end is one forwarder with a tap and the socket netdev on hub 0, as two hosts would run it:
#   -netdev tap,id=t0,ifname=TAP,script=no,downscript=no -netdev stream,id=s0,server=on|off,addr.type=inet,
#   addr.host=127.0.0.1,addr.port=47301 -netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0
# (dgram: local.port 47301/47302, remote the other's). Both ends run in namespace W (only lo, so 127.0.0.1 joins
# them); end a's tap is moved into namespace A (169.254.92.1/24) and end b's into B (169.254.92.2/24). End a is the
# stream server and starts first (QEMU 7.2's client does not retry). Nothing is pinned: two forwarders and both
# iperf3 ends share the 2 cores as the scheduler places them.
# Rows: iperf3 TCP for SECONDS A->B and B->A (-R), iperf3 UDP `-l 64 -b 0` A->B counted at B's tap, the CPU time of
# both ends together per UDP packet, the larger peak RSS of the two ends, and the median UDP round trip
# (bench/pingpong.py, 3000 exchanges). tapnet is the NativeAOT build when it publishes (as in bench/compare.sh),
# the JIT build otherwise or with TAPNET_JIT=1; TAPNET='dotnet PATH/tapnet.dll' measures that one instead. Every namespace, tap and process it makes is removed on every exit.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
mode=${3:-stream}
case $mode in stream|dgram) ;; *) echo "stream-compare.sh: mode is stream or dgram, not '$mode'" >&2; exit 2 ;; esac

[ "$(id -u)" = 0 ] || { echo "stream-compare.sh: needs root (namespaces, taps)" >&2; exit 2; }
for tool in ip ss iperf3 qemu-system-x86_64 python3; do
  command -v "$tool" >/dev/null || {
    echo "stream-compare.sh: $tool is missing (apt-get install iproute2 iperf3 qemu-system-x86 python3)" >&2
    exit 2
  }
done

out=bench/out
mkdir -p "$out"
if [ -n "${TAPNET:-}" ]; then
  read -r -a tapnet <<<"$TAPNET"   # a tapnet command line of your own, split at blanks
elif [ "${TAPNET_JIT:-0}" != 1 ] && dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true \
     -p:CppCompilerAndLinker=gcc -o "$out" -v q -nologo >/dev/null 2>&1; then
  tapnet=("$out/tapnet")
else
  echo "stream-compare.sh: NativeAOT publish failed or TAPNET_JIT=1; measuring the JIT build" >&2
  dotnet build -c Release Tap.Cli -v q -nologo >/dev/null
  tapnet=(dotnet Tap.Cli/bin/Release/net10.0/tapnet.dll)
fi
qemu=(qemu-system-x86_64 -M none -nodefaults -display none)

tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
W=scmp-$tag-w; A=scmp-$tag-a; B=scmp-$tag-b
tap_a=sa$tag; tap_b=sb$tag
port_a=47301; port_b=47302
pids=$(mktemp "/tmp/stream-compare-$tag.XXXXXX")
source bench/processes.sh   # started, stop_started: only the pids this script started are ever signalled

cleanup() {
  stop_started 100
  for ns in "$W" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'cleanup; rm -f "$pids"' EXIT
trap 'exit 130' INT TERM

socket_args() { # END (a|b)
  if [ "$mode" = stream ]; then
    local srv; [ "$1" = a ] && srv=on || srv=off
    echo "stream,id=s0,server=$srv,addr.type=inet,addr.host=127.0.0.1,addr.port=$port_a"
  else
    local lp=$port_a rp=$port_b; [ "$1" = b ] && { lp=$port_b; rp=$port_a; }
    local local_addr="local.type=inet,local.host=127.0.0.1,local.port=$lp"
    echo "dgram,id=s0,$local_addr,remote.type=inet,remote.host=127.0.0.1,remote.port=$rp"
  fi
}

wait_until() { # WHAT COMMAND...: 20 s at most
  local what=$1; shift
  for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "stream-compare.sh: $what not within 20 s" >&2; exit 1
}

start_end() { # KIND END TAP: prints the pid
  local kind=$1 end=$2 tap=$3 cmd
  # tapnet on epoll (the default), named so that a change of default does not change what this measures.
  [ "$kind" = tapnet ] && cmd=("${tapnet[@]}" --io=epoll) || cmd=("${qemu[@]}")
  cmd+=(-netdev "tap,id=t0,ifname=$tap,script=no,downscript=no" -netdev "$(socket_args "$end")"
        -netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0)
  ip netns exec "$W" "${cmd[@]}" >/dev/null 2>"$out/stream-$kind-$end.stderr" &
  started $!
  echo $!
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rx_packets() { ip netns exec "$B" cat "/sys/class/net/$tap_b/statistics/rx_packets"; }

# iperf3 from A to B's server with -J and ARGS; the one-off server needs a moment between tests ("the server is
# busy running a test"), so a refused start is tried again, up to 5 times.
iperf3_run() {
  local json
  for _ in 1 2 3 4 5; do
    json=$(ip netns exec "$A" iperf3 -c 169.254.92.2 -p 5201 -J "$@" || true)
    if ! grep -q '"error"' <<<"$json"; then echo "$json"; return 0; fi
    sleep 0.5
  done
  echo "stream-compare.sh: iperf3 $*: $(grep '"error"' <<<"$json")" >&2
  echo "{}"
}
gbit() {
  python3 -c 'import json,sys; e = json.load(sys.stdin).get("end", {}).get("sum_received")
print(round(e["bits_per_second"] / 1e9, 2) if e else "nan")'
}

# One measurement of one kind: prints TCP_AB TCP_BA UDP64_pps CPU_us RSS_MiB RTT_us.
measure() {
  trap cleanup EXIT
  local kind=$1
  for ns in "$W" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n "$W" link set lo up
  local end_a end_b
  end_a=$(start_end "$kind" a "$tap_a")
  wait_until "end a's tap" ip -n "$W" link show "$tap_a"
  if [ "$mode" = stream ]; then
    wait_until "end a listening" bash -c "ip netns exec $W ss -Hltn 'sport = :$port_a' | grep -q LISTEN"
  fi
  end_b=$(start_end "$kind" b "$tap_b")
  wait_until "end b's tap" ip -n "$W" link show "$tap_b"
  if [ "$mode" = stream ]; then
    wait_until "the stream connection" \
      bash -c "ip netns exec $W ss -Htn state established 'sport = :$port_a' | grep -q ."
  fi
  ip -n "$W" link set "$tap_a" netns "$A"
  ip -n "$W" link set "$tap_b" netns "$B"
  ip -n "$A" addr add 169.254.92.1/24 dev "$tap_a"; ip -n "$A" link set "$tap_a" up
  ip -n "$B" addr add 169.254.92.2/24 dev "$tap_b"; ip -n "$B" link set "$tap_b" up

  ip netns exec "$B" iperf3 -s -B 169.254.92.2 -p 5201 >/dev/null 2>&1 &
  started $!
  wait_until "iperf3 server" bash -c "ip netns exec $B ss -Hltn 'sport = :5201' | grep -q ."
  local tcp_ab tcp_ba
  tcp_ab=$(iperf3_run -t "$secs" | gbit)
  tcp_ba=$(iperf3_run -t "$secs" -R | gbit)

  local rx0 rx1 cpu0 cpu1
  rx0=$(rx_packets); cpu0=$(( $(cpu_ticks "$end_a") + $(cpu_ticks "$end_b") ))
  iperf3_run -u -b 0 -l 64 -t "$secs" >/dev/null
  rx1=$(rx_packets); cpu1=$(( $(cpu_ticks "$end_a") + $(cpu_ticks "$end_b") ))
  local pkts=$((rx1 - rx0)) hz cpu_us; hz=$(getconf CLK_TCK)
  cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) / $hz * 1e6 / max(1, $pkts), 2))")

  ip netns exec "$B" python3 bench/pingpong.py server 169.254.92.2 7777 &
  local pong=$!
  started "$pong"
  sleep 0.3
  local rtt
  rtt=$(ip netns exec "$A" python3 bench/pingpong.py client 169.254.92.2 7777 3000 | cut -d' ' -f1)
  wait "$pong" || true
  local rss
  rss=$(cat "/proc/$end_a/status" "/proc/$end_b/status" |
    awk '/VmHWM/ {m = $2 > m ? $2 : m} END {printf "%.1f", m/1024}')
  cleanup
  echo "$tcp_ab $tcp_ba $((pkts / secs)) $cpu_us $rss $rtt"
}

echo "mode: $mode over 127.0.0.1; tapnet: ${tapnet[*]}; $rounds round(s) of $secs s; unpinned"
echo "kind    round  TCP_AB TCP_BA UDP64_pps CPU_us/pkt RSS_MiB RTT_us"
results=()
for r in $(seq "$rounds"); do
  for kind in ${KINDS:-tapnet qemu}; do
    line=$(measure "$kind")
    printf "%-6s  %5s  %s\n" "$kind" "$r" "$line"
    results+=("$kind $line")
  done
done

metrics="TCP A->B Gbit/s|TCP B->A Gbit/s|UDP 64 B pkt/s|CPU us/pkt (both ends)|peak RSS MiB (an end)|RTT us"
python3 bench/summary.py "$metrics" "${results[@]}"
