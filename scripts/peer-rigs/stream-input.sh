#!/usr/bin/env bash
# What a -netdev stream server does with odd and bad input from the wire (zero length, oversize, truncated stream,
# split header, a second client): stream-input-probe.py plays the client, the server's tap is captured to see
# which frames came out. The server is QEMU 7.2 by default; END replaces it (template: {TAP}, {SOCK} as in
# qemu-stream-pair.sh, {MON} a unix socket path for an HMP monitor, which the probe asks for `info network`).
#
#   sudo bash scripts/peer-rigs/stream-input.sh
#
# Everything runs in one namespace of the rig's own (127.0.0.1 only, the tap carries the frames into that
# namespace's stack, which ignores their EtherType 0x88b5); all is removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
default_end="$qemu -M none -nodefaults -display none -monitor unix:{MON},server=on,wait=off \
-netdev tap,id=t0,ifname={TAP},script=no,downscript=no -netdev {SOCK} \
-netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0"
end=${END:-$default_end}
id=$$
ns="qsiw$id"; tap="qsit$id"; port=47101
dir=$(mktemp -d /tmp/qsi.XXXXXX)
rig_namespaces=("$ns")
rig_links=("$tap")
ip netns add "$ns"; ip -n "$ns" link set lo up
cmd=${end//\{TAP\}/$tap}
cmd=${cmd//\{SOCK\}/stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=$port}
cmd=${cmd//\{MON\}/$dir/mon.sock}
echo "server: $cmd"

scenario() { # N: a fresh server, the probe's scenario N, the frames that reached the tap, the server's stderr
    local n=$1
    rm -f "$dir/mon.sock"
    # shellcheck disable=SC2086 # the template is split into words on purpose
    ip netns exec "$ns" $cmd >"$dir/server.log" 2>&1 &
    local server=$!
    pids+=("$server")
    wait_for "the server's tap" ip -n "$ns" link show "$tap"
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
    ip -n "$ns" link set "$tap" up
    wait_for "the server's listening socket" sh -c "ip netns exec $ns ss -Hltn 'sport = :$port' | grep -q LISTEN"
    ip netns exec "$ns" tcpdump -i "$tap" --immediate-mode -B 65536 -U -s 0 -w "$dir/tap.pcap" \
        >"$dir/tcpdump.log" 2>&1 &
    local td=$!
    pids+=("$td")
    wait_for "tcpdump" grep -q "listening on" "$dir/tcpdump.log"
    ip netns exec "$ns" timeout 30 "$py" "$here/stream-input-probe.py" 127.0.0.1 "$port" "$dir/mon.sock" "$n" \
        2>&1 | sed 's/^/  /' || true
    sleep 1
    kill -TERM "$td"; wait "$td" || true
    printf '  frames on the tap (count source length):'
    tshark -r "$dir/tap.pcap" -T fields -e eth.src -e frame.len -Y "eth.type == 0x88b5 || frame.len < 14" 2>/dev/null | sort | uniq -c \
        | awk '{printf " %sx %s %s;", $1, $2, $3}'
    echo
    kill -0 "$server" 2>/dev/null && echo "  server still running" || echo "  server had exited"
    kill -TERM "$server"; wait "$server" || true
    grep -v "hub 0 with no nics" "$dir/server.log" | sed 's/^/  server stderr: /' || true
    pids=()
}
for n in 1 2 3 4 5 6 7 8 9 10; do
    echo "scenario $n"
    scenario "$n"
done
