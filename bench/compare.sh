#!/usr/bin/env bash
# Side by side: tapnet, QEMU 7.2 and a C reference forwarding between two network namespaces through two taps.
# Run as root: bash bench/compare.sh [ROUNDS] [SECONDS] [--unpinned] [EXTRA_TAPNET_OPTION...]
# FORWARDERS (default "tapnet qemu reference") picks and orders them: tapnet and qemu take the same four -netdev
# arguments (two taps on a hub); reference is bench/reference-forwarder.c (QEMU's tap set-up, one thread, epoll, up to
# 64 frames per event with one read and one write each; issue 13); minimal is bench/minimal-forwarder.c (poll);
# tapnet is tapnet with --io=epoll (one system call per read or write, as QEMU), tapnet-uring with --io=uring
# (io_uring: many frames' reads and writes per io_uring_enter; issue 13 §2); tapnet-b the tapnet binary TAPNET_B names
# (another build, on epoll), to compare two builds in one interleaved run;
# reference-mt is the reference with three idle threads (REFERENCE_IDLE_THREADS=3, as many as tapnet has besides its
# loop): what being a multi-threaded process costs the same system calls; reference-mt-own-fds the same with its loop on
# an fd table of its own (REFERENCE_UNSHARE_FILES=1); reference-deep the reference with each write(2) made
# REFERENCE_CALL_DEPTH (default 10) functions deeper: what returning through a chain of calls after each system call
# costs (docs/performance.md#call-depth); reference-code the reference running straight-line code of its own between
# each read and write (REFERENCE_OWN_CODE blocks of ~100 instructions, default 5: ~600 a frame with the loop, as
# tapnet): what a per-frame path of tapnet's size costs the same system calls (docs/performance.md#own-code).
# reference-uring is bench/reference-uring.c:
# the same set-up on io_uring at its strongest here (multishot reads into provided buffers, registered files,
# DEFER_TASKRUN): what io_uring itself can do, for tapnet-uring (issue 13 section 2); reference-uring-coop the same
# with COOP_TASKRUN instead of DEFER_TASKRUN, as tapnet-uring sets its ring up (docs/io-uring.md).
# Every namespace, device and process it makes is removed on every exit path; traffic stays on 169.254.91.0/24.
# Pinned (the default), the forwarder runs on CPU 1 and the traffic (iperf3 both ends, both ping-pong ends) on CPU 0,
# so that on a 2-core machine the figures measure the forwarder rather than where the scheduler happened to put it:
# unpinned, the receiver each write wakes was pulled onto the forwarder's CPU and took 28-36% of it (perf record -a
# -C 1). --unpinned (or PIN=0 in the environment) runs everything without taskset, to measure what that costs.
# COUNT_SECS (default 2) is the length of the separate UDP flood sampled by perf stat (see measure).
set -euo pipefail
cd "$(dirname "$0")/.."
pin=${PIN:-1}
args=()
for arg in "$@"; do
  if [ "$arg" = --unpinned ]; then pin=0; else args+=("$arg"); fi
done
set -- "${args[@]}"
rounds=${1:-3}
secs=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
extra_tapnet=("$@")
count_secs=${COUNT_SECS:-2}

[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (namespaces, taps)" >&2; exit 2; }
for tool in ip iperf3 qemu-system-x86_64 python3 taskset gcc; do
  command -v "$tool" >/dev/null || {
    echo "compare.sh: $tool is missing (apt-get install iproute2 iperf3 qemu-system-x86 python3 util-linux gcc)" >&2
    exit 2
  }
done
if [ "$pin" = 1 ]; then fwd_pin=(taskset -c 1); traffic_pin=(taskset -c 0); else fwd_pin=(); traffic_pin=(); fi

out=bench/out
mkdir -p "$out"
forwarders=(${FORWARDERS:-tapnet qemu reference})
for kind in "${forwarders[@]}"; do
  case $kind in
    tapnet|tapnet-uring|tapnet-b|qemu|reference|reference-mt|reference-mt-own-fds|reference-deep|reference-code|\
    reference-uring|reference-uring-coop|minimal) ;;
    *) echo "compare.sh: unknown forwarder '$kind' in FORWARDERS (tapnet, tapnet-uring, tapnet-b, qemu, reference," \
         "reference-mt, reference-mt-own-fds, reference-deep, reference-code, reference-uring, reference-uring-coop," \
         "minimal)" >&2; exit 2 ;;
  esac
done
if [[ " ${forwarders[*]} " == *" tapnet-b "* && ! -x "${TAPNET_B:-}" ]]; then
  echo "compare.sh: tapnet-b runs the tapnet binary TAPNET_B names (another build, to compare two in one run);" \
    "'${TAPNET_B:-}' is not an executable" >&2
  exit 2
fi
if [[ " ${forwarders[*]} " == *" tapnet "* || " ${forwarders[*]} " == *" tapnet-uring "* ]]; then
  # NativeAOT when the toolchain is there (starts in ~10 ms, ~7 MiB resident); the JIT build otherwise, or with
  # TAPNET_JIT=1.
  if [ "${TAPNET_JIT:-0}" != 1 ] && dotnet publish Tap.Cli -c Release -r linux-x64 -p:PublishAot=true \
       -p:CppCompilerAndLinker=gcc -o "$out" -v q -nologo >/dev/null 2>&1; then
    tapnet=("$out/tapnet")
  else
    echo "compare.sh: NativeAOT publish failed or TAPNET_JIT=1; measuring the JIT build" >&2
    dotnet build -c Release Tap.Cli -v q -nologo >/dev/null
    tapnet=(dotnet Tap.Cli/bin/Release/net10.0/tapnet.dll)
  fi
fi
for c in reference minimal; do
  if [[ " ${forwarders[*]} " == *" $c "* ||
        ( $c == reference && " ${forwarders[*]} " =~ " reference-"(mt|deep|code) ) ]]; then
    gcc -O2 -Wall -Wextra -o "$out/$c-forwarder" "bench/$c-forwarder.c"
  fi
done
if [[ " ${forwarders[*]} " == *" reference-uring "* || " ${forwarders[*]} " == *" reference-uring-coop "* ]]; then
  gcc -O2 -Wall -Wextra -o "$out/reference-uring" bench/reference-uring.c
fi

# perf stat, when it works here, counts context switches, CPU migrations, the wake-ups the forwarder's threads issue
# (sched:sched_wakeup fires in the waker: mostly the receivers its writes wake) and the calls that wait for readiness
# (whichever of these tracepoints the kernel has), in a separate flood, because enabling syscall tracepoints slows
# every system call on the machine and would tax the main measurement.
perf_events=""
if command -v perf >/dev/null && perf stat -e context-switches -- true >/dev/null 2>&1; then
  perf_events="context-switches,cpu-migrations"
  available=$(perf list tracepoint 2>/dev/null || true)
  if grep -q "sched:sched_wakeup\b" <<<"$available"; then perf_events+=",sched:sched_wakeup"; fi
  for call in epoll_wait epoll_pwait epoll_pwait2 ppoll poll pselect6 select io_uring_enter; do
    if grep -q "syscalls:sys_enter_$call\b" <<<"$available"; then perf_events+=",syscalls:sys_enter_$call"; fi
  done
else
  echo "compare.sh: perf stat does not work here (Debian: apt-get install linux-perf); its columns are nan" >&2
fi
# The tracepoints that time the forwarder's leg of a round trip (see measure), when perf can record them.
leg_events=""
if [ -n "$perf_events" ] && perf record -q -a -e net:net_dev_start_xmit,net:netif_receive_skb,net:netif_rx \
     -o /dev/null -- true >/dev/null 2>&1; then
  leg_events="net:net_dev_start_xmit,net:netif_receive_skb,net:netif_rx"
fi

tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=cmp-$tag-h; A=cmp-$tag-a; B=cmp-$tag-b
# Processes this script started, one pid a line: measure runs in a subshell, so the pids go through a file that
# cleanup (in the subshell and in the main shell) reads. Only these pids are ever signalled.
pids=$(mktemp "/tmp/compare-$tag.XXXXXX")
source bench/processes.sh   # the scripts run from the repository root

cleanup() {
  stop_started 100
  for ns in "$H" "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'cleanup; rm -f "$pids"' EXIT
trap 'exit 130' INT TERM

netdevs=(-netdev "tap,id=t0,ifname=fa$tag,script=no,downscript=no"
         -netdev "tap,id=t1,ifname=fb$tag,script=no,downscript=no"
         -netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=t1)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Busy and total ticks of CPU 0, then of CPU 1 (idle and iowait are not busy).
cpus_busy() {
  awk '$1 == "cpu0" || $1 == "cpu1" { t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%d %d ", t - $5 - $6, t }' \
    /proc/stat
}
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
# read(2)/readv and write(2)/writev calls of the whole process so far (epoll_wait and ppoll are not counted; nor
# are io_uring's reads and writes, which the kernel makes without these system calls: its waits are io_uring_enter,
# counted by perf as waits/pkt, so read+write+wait per frame is rw/pkt + waits/pkt).
io_calls() { awk '/^syscr|^syscw/ {n += $2} END {print n}' "/proc/$1/io"; }
# Every thread of the process now, as tid:voluntary:involuntary:migrations:runtime_ms, from /proc/PID/task/*/status
# and .../sched (the latter needs CONFIG_SCHED_DEBUG; without it migrations and runtime read "nan").
threads_now() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
                           END {printf "%s:%s:%s", tid, v, n}' "$t/status" 2>/dev/null || continue
    awk 'BEGIN {m = "nan"; r = "nan"} /^se.nr_migrations/ {m = $3} /^se.sum_exec_runtime/ {r = $3}
         END {printf ":%s:%s ", m, r}' "$t/sched" 2>/dev/null || printf ':nan:nan '
  done
}
rx_packets() { ip netns exec "$B" cat "/sys/class/net/fb$tag/statistics/rx_packets"; }
per_packet() { python3 -c "print(round(($2 - $1) / max(1, $3), ${4:-3}))"; }

# One measurement of one forwarder: prints the numbers named in `metrics` below, in that order.
measure() {
  trap cleanup EXIT
  local kind=$1
  for ns in "$H" "$A" "$B"; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  local cmd
  case $kind in
    reference|minimal) cmd=("$out/$kind-forwarder" "fa$tag" "fb$tag") ;;
    reference-mt) cmd=(env REFERENCE_IDLE_THREADS=3 "$out/reference-forwarder" "fa$tag" "fb$tag") ;;
    reference-deep) cmd=(env REFERENCE_CALL_DEPTH="${REFERENCE_CALL_DEPTH:-10}" "$out/reference-forwarder" "fa$tag" \
      "fb$tag") ;;
    reference-code) cmd=(env REFERENCE_OWN_CODE="${REFERENCE_OWN_CODE:-5}" "$out/reference-forwarder" "fa$tag" \
      "fb$tag") ;;
    reference-mt-own-fds) cmd=(env REFERENCE_IDLE_THREADS=3 REFERENCE_UNSHARE_FILES=1 "$out/reference-forwarder" \
      "fa$tag" "fb$tag") ;;
    reference-uring) cmd=("$out/reference-uring" "fa$tag" "fb$tag") ;;
    reference-uring-coop) cmd=(env REFERENCE_URING_MODE=coop "$out/reference-uring" "fa$tag" "fb$tag") ;;
    qemu) cmd=(qemu-system-x86_64 -M none -display none -nodefaults "${netdevs[@]}") ;;
    tapnet) cmd=("${tapnet[@]}" "${netdevs[@]}" "${extra_tapnet[@]}" --io=epoll) ;;
    tapnet-uring) cmd=("${tapnet[@]}" "${netdevs[@]}" "${extra_tapnet[@]}" --io=uring) ;;
    tapnet-b) cmd=("$TAPNET_B" "${netdevs[@]}" "${extra_tapnet[@]}" --io=epoll) ;;
    *) echo "compare.sh: unknown forwarder '$kind'" >&2; exit 2 ;;
  esac
  # The forwarder's stderr is kept in bench/out/KIND.stderr (the reference prints its drop counts there on exit).
  ip netns exec "$H" "${fwd_pin[@]}" "${cmd[@]}" >/dev/null 2>"$out/$kind.stderr" &
  local fwd=$!
  started "$fwd"
  for _ in $(seq 100); do ip -n "$H" link show "fb$tag" >/dev/null 2>&1 && break; sleep 0.05; done
  ip -n "$H" link set "fa$tag" netns "$A"
  ip -n "$H" link set "fb$tag" netns "$B"
  ip -n "$A" addr add 169.254.91.1/24 dev "fa$tag"; ip -n "$A" link set "fa$tag" up
  ip -n "$B" addr add 169.254.91.2/24 dev "fb$tag"; ip -n "$B" link set "fb$tag" up

  ip netns exec "$B" "${traffic_pin[@]}" iperf3 -s -B 169.254.91.2 -p 5201 >/dev/null 2>&1 &
  started $!
  for _ in $(seq 100); do ip netns exec "$B" ss -Hltn 'sport = :5201' | grep -q . && break; sleep 0.05; done
  local tcp_ab tcp_ba
  local gbit='import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9, 2))'
  # How busy the forwarder and each CPU were while A sent: which side a TCP figure is bound by.
  local tcp_cpu0 tcp_busy0 tcp_wall0 tcp_cpu1 tcp_busy1 tcp_wall1
  tcp_cpu0=$(cpu_ticks "$fwd"); tcp_busy0=$(cpus_busy); tcp_wall0=$(date +%s.%N)
  tcp_ab=$(ip netns exec "$A" "${traffic_pin[@]}" iperf3 -c 169.254.91.2 -p 5201 -t "$secs" -J | python3 -c "$gbit")
  tcp_cpu1=$(cpu_ticks "$fwd"); tcp_busy1=$(cpus_busy); tcp_wall1=$(date +%s.%N)
  tcp_ba=$(ip netns exec "$A" "${traffic_pin[@]}" iperf3 -c 169.254.91.2 -p 5201 -t "$secs" -R -J | python3 -c "$gbit")

  # The UDP flood A -> B, counted at B's tap; the forwarder's counters from /proc before and after.
  local rx0 cpu0 user0 io0 threads0 rx1 cpu1 user1 io1 threads1
  local busy0 busy1 wall0 wall1
  rx0=$(rx_packets); cpu0=$(cpu_ticks "$fwd"); user0=$(user_ticks "$fwd"); io0=$(io_calls "$fwd")
  threads0=$(threads_now "$fwd"); busy0=$(cpus_busy); wall0=$(date +%s.%N)
  ip netns exec "$A" "${traffic_pin[@]}" iperf3 -c 169.254.91.2 -p 5201 -u -b 0 -l 64 -t "$secs" >/dev/null 2>&1 || true
  rx1=$(rx_packets); cpu1=$(cpu_ticks "$fwd"); user1=$(user_ticks "$fwd"); io1=$(io_calls "$fwd")
  threads1=$(threads_now "$fwd"); busy1=$(cpus_busy); wall1=$(date +%s.%N)
  local pkts=$((rx1 - rx0)) hz; hz=$(getconf CLK_TCK)
  local pps=$((pkts / secs)) cpu_us user_us calls sched
  cpu_us=$(python3 -c "print(round(($cpu1 - $cpu0) / $hz * 1e6 / max(1, $pkts), 2))")
  user_us=$(python3 -c "print(round(($user1 - $user0) / $hz * 1e6 / max(1, $pkts), 2))")
  calls=$(per_packet "$io0" "$io1" "$pkts" 2)
  # How busy the forwarder (share of one CPU) and CPUs 0 and 1 were during the flood: pinned, a forwarder with time
  # to spare on CPU 1 while CPU 0 is saturated is waiting for the traffic, not the other way round.
  busy_shares() {
    python3 -c "
w = $4 - $3
b0, b1 = '$5'.split(), '$6'.split()
d = lambda i: (int(b1[i]) - int(b0[i])) / max(1, int(b1[i + 1]) - int(b0[i + 1]))
print(f'{($2 - $1) / $hz / w:.2f} {d(0):.2f} {d(2):.2f}')"
  }
  local busy tcp_busy
  busy=$(busy_shares "$cpu0" "$cpu1" "$wall0" "$wall1" "$busy0" "$busy1")
  tcp_busy=$(busy_shares "$tcp_cpu0" "$tcp_cpu1" "$tcp_wall0" "$tcp_wall1" "$tcp_busy0" "$tcp_busy1")
  # Per thread present at the end: switches and migrations since the start (0 for one born during the flood);
  # "ran" counts the threads whose run time grew at all during the flood.
  sched=$(python3 - "$pkts" "$threads0" "$threads1" <<'PY'
import math, sys
pkts = max(1, int(sys.argv[1]))
parse = lambda s: {f[0]: list(map(float, f[1:])) for f in (t.split(":") for t in s.split())}
before, after = parse(sys.argv[2]), parse(sys.argv[3])
delta = [[a - before.get(tid, [0.0] * 4)[i] for i, a in enumerate(v)] for tid, v in after.items()]
vol, invol, migr = (sum(d[i] for d in delta) for i in range(3))
ran = "nan" if any(math.isnan(d[3]) for d in delta) else sum(1 for d in delta if d[3] > 0)
print(f"{vol / pkts:.3g} {invol / pkts:.3g} {migr / pkts:.3g} {len(after)} {ran}")
PY
)

  # The separate flood under perf stat: switches, migrations, wake-ups issued and readiness waits per forwarded packet.
  local perf_line="nan nan nan nan"
  if [ -n "$perf_events" ]; then
    local perf_out="$out/perf-$kind.csv"
    rx0=$(rx_packets)
    perf stat -x, -o "$perf_out" -e "$perf_events" -p "$fwd" -- ip netns exec "$A" "${traffic_pin[@]}" \
      iperf3 -c 169.254.91.2 -p 5201 -u -b 0 -l 64 -t "$count_secs" >/dev/null 2>&1 || true
    rx1=$(rx_packets)
    perf_line=$(python3 - "$perf_out" $((rx1 - rx0)) <<'PY'
import sys
counts = {}  # an event perf was not asked for (tracepoint missing) stays nan
for line in open(sys.argv[1]):
    f = line.strip().split(",")
    if len(f) < 3 or line.startswith("#"):
        continue
    value = float(f[0]) if f[0].replace(".", "", 1).isdigit() else 0.0  # "<not counted>": the thread never ran
    key = {"context-switches": "cs", "cpu-migrations": "migr", "sched:sched_wakeup": "wake"}.get(f[2], "wait")
    counts[key] = counts.get(key, 0.0) + value
pkts = max(1, int(sys.argv[2]))
print(" ".join(f"{counts.get(k, float('nan')) / pkts:.3g}" for k in ("cs", "migr", "wake", "wait")))
PY
)
  fi

  ip netns exec "$B" "${traffic_pin[@]}" python3 bench/pingpong.py server 169.254.91.2 7777 &
  local pong=$!
  started "$pong"
  sleep 0.3
  local rtt
  rtt=$(ip netns exec "$A" "${traffic_pin[@]}" python3 bench/pingpong.py client 169.254.91.2 7777 3000)
  wait "$pong" || true

  # The forwarder's own share of a round trip, without the Python ends: per frame of a second, shorter ping-pong,
  # the time from the sender's transmit into one tap (net_dev_start_xmit) to the forwarder's write arriving at the
  # other (netif_receive_skb, netif_rx), from kernel tracepoints; the median and 90th percentile over both ways.
  local legs="nan nan"
  if [ -n "$leg_events" ]; then
    ip netns exec "$B" "${traffic_pin[@]}" python3 bench/pingpong.py server 169.254.91.2 7778 &
    pong=$!
    started "$pong"
    sleep 0.3
    perf record -q -a -e "$leg_events" -o "$out/legs-$kind.data" -- ip netns exec "$A" "${traffic_pin[@]}" \
      python3 bench/pingpong.py client 169.254.91.2 7778 1000 >/dev/null 2>&1 || true
    wait "$pong" || true
    legs=$(perf script --ns -F time,event,trace -i "$out/legs-$kind.data" 2>/dev/null | python3 -c '
import re, statistics, sys
taps, sent, legs = sys.argv[1:3], {}, []
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+):\s+net:(\w+):\s+dev=(\S+)", line)
    if not m or m[3] not in taps:
        continue
    if m[2] == "net_dev_start_xmit":
        sent[m[3]] = float(m[1])
    else:
        other = taps[1 - taps.index(m[3])]
        if other in sent:
            legs.append((float(m[1]) - sent.pop(other)) * 1e6)
legs.sort()
print(f"{statistics.median(legs):.1f} {legs[len(legs) * 9 // 10]:.1f}" if legs else "nan nan")' "fa$tag" "fb$tag")
  fi
  local rss
  rss=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$fwd/status")
  cleanup
  if [[ $kind == reference || $kind == reference-uring ]]; then grep -E ' [1-9][0-9]* (runts|dropped|on other)' "$out/$kind.stderr" >&2 || true; fi
  echo "$tcp_ab $tcp_ba $pps $cpu_us $user_us $rss $rtt $calls $sched $perf_line $busy $legs $tcp_busy"
}

echo "pinned: $([ "$pin" = 1 ] && echo "forwarder on CPU 1, traffic on CPU 0" || echo "no (--unpinned)");" \
     "perf events: ${perf_events:-none}"
echo "forwarder  round  TCP_AB TCP_BA UDP64_pps CPU_us user_us RSS_MiB RTT_us RT/s rw/pkt vol/pkt invol/pkt migr/pkt" \
     "threads ran perf_cs/pkt perf_migr/pkt wakes_issued/pkt waits/pkt fwd_busy cpu0_busy cpu1_busy" \
     "leg_us leg_p90_us fwd_busy_tcp cpu0_busy_tcp cpu1_busy_tcp"
results=()
for r in $(seq "$rounds"); do
  for kind in "${forwarders[@]}"; do
    line=$(measure "$kind")
    printf "%-9s  %5s  %s\n" "$kind" "$r" "$line"
    results+=("$kind $line")
  done
done

metrics="TCP A->B Gbit/s|TCP B->A Gbit/s|UDP 64 B pkt/s|CPU us/pkt|user us/pkt|peak RSS MiB|RTT us|round trips/s"
metrics+="|read+write/pkt|vol cs/pkt|invol cs/pkt|migrations/pkt|threads|threads ran|perf cs/pkt|perf migr/pkt"
metrics+="|wakeups issued/pkt|waits/pkt|forwarder busy (UDP)|CPU 0 busy (UDP)|CPU 1 busy (UDP)"
metrics+="|forwarder leg us|forwarder leg p90 us|forwarder busy (TCP A->B)|CPU 0 busy (TCP A->B)|CPU 1 busy (TCP A->B)"
python3 bench/summary.py "$metrics" "${results[@]}"
