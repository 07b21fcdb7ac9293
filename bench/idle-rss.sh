#!/usr/bin/env bash
# Peak RSS (VmHWM) of an idle tapnet with two taps, on each data path: the memory a run costs before any traffic.
# Usage: sudo bash bench/idle-rss.sh [RUNS] [BINARY]   (default 3 runs of bench/out/tapnet, which compare.sh publishes)
# Each run makes the taps in a namespace of its own (no traffic, no address), reads VmHWM after 1.5 s, stops tapnet
# and removes the namespace, also on failure. Extra tapnet options: TAPNET_ARGS="--metrics=127.0.0.1:9464".
set -euo pipefail
runs=${1:-3}
bin=${2:-$(dirname "$0")/out/tapnet}
[ -x "$bin" ] || { echo "idle-rss.sh: '$bin' is not an executable (run bench/compare.sh once, or name one)" >&2; exit 2; }
ns=tapnet-idle-$$
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
for io in epoll uring; do
  values=()
  for _ in $(seq "$runs"); do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # shellcheck disable=SC2086 # TAPNET_ARGS is a list of options
    ip netns exec "$ns" "$bin" -netdev tap,id=t0,ifname=idle0,script=no,downscript=no \
      -netdev tap,id=t1,ifname=idle1,script=no,downscript=no -netdev hubport,id=h0,hubid=0,netdev=t0 \
      -netdev hubport,id=h1,hubid=0,netdev=t1 --io="$io" ${TAPNET_ARGS:-} >/dev/null 2>&1 &
    pid=$!
    sleep 1.5
    kill -0 "$pid" 2>/dev/null || { echo "idle-rss.sh: tapnet --io=$io exited early" >&2; exit 1; }
    values+=("$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")")
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    ip netns del "$ns"
  done
  echo "idle peak RSS MiB, --io=$io: ${values[*]}"
done
