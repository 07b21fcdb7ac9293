#!/usr/bin/env bash
# What a -netdev dgram end does with odd datagrams (empty, shorter than an Ethernet header, large): each scenario
# against a fresh end (QEMU 7.2 by default: tap + dgram on hub 0; END replaces it, template {TAP} and {SOCK} as in
# qemu-stream-pair.sh), python3 sends the datagrams from 127.0.0.1, the end's tap is captured to see which frames
# came out. Frames carry the source MAC 02:00:00:00:00:NN and EtherType 0x88b5 (ignored by the namespace's stack).
#
#   sudo bash scripts/peer-rigs/dgram-input.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
end=${END:-$qemu_end}
id=$$
ns="qdiw$id"; tap="qdit$id"; port=47301; peer_port=47302
dir=$(mktemp -d /tmp/qdi.XXXXXX)
rig_namespaces=("$ns")
rig_links=("$tap")
sender='
import socket, struct, sys, time
port, peer_port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def frame(k, size=60):
    body = b"\xff" * 6 + bytes([2, 0, 0, 0, 0, k]) + b"\x88\xb5"
    return body + bytes([k]) * (size - len(body))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", peer_port))   # the end sends its frames here (its remote): none are expected
plan = {1: [frame(1)], 2: [b"", frame(2)], 3: [bytes([3]) * 10, frame(3)], 4: [frame(4, 9000)],
        5: [frame(5, 65507), frame(5)], 6: [struct.pack(">I", 60) + frame(6)]}[n]
for d in plan:
    s.sendto(d, ("127.0.0.1", port))
    time.sleep(0.2)
'
names=([1]="one 60-byte frame" [2]="an empty datagram, then a 60-byte frame" [3]="a 10-byte datagram, then a 60-byte frame"
       [4]="a 9000-byte frame" [5]="a 65507-byte frame (the largest UDP payload), then a 60-byte frame"
       [6]="a 60-byte frame with a stream length prefix (64 bytes)")
ip netns add "$ns"; ip -n "$ns" link set lo up
sock="dgram,id=s0,local.type=inet,local.host=127.0.0.1,local.port=$port,remote.type=inet,remote.host=127.0.0.1,remote.port=$peer_port"
cmd=${end//\{TAP\}/$tap}
cmd=${cmd//\{SOCK\}/$sock}
echo "end: $cmd"
for n in 1 2 3 4 5 6; do
    echo "scenario $n: ${names[$n]}"
    # shellcheck disable=SC2086 # the template is split into words on purpose
    ip netns exec "$ns" $cmd >"$dir/end.log" 2>&1 &
    server=$!
    pids=("$server")
    wait_for "the end's tap" ip -n "$ns" link show "$tap"
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
    ip -n "$ns" link set "$tap" up
    wait_for "the end's socket" sh -c "ip netns exec $ns ss -Huan 'sport = :$port' | grep -q ."
    ip netns exec "$ns" tcpdump -i "$tap" --immediate-mode -B 65536 -U -s 0 -w "$dir/tap.pcap" >"$dir/td.log" 2>&1 &
    td=$!
    pids+=("$td")
    wait_for "tcpdump" grep -q "listening on" "$dir/td.log"
    ip netns exec "$ns" "$py" -c "$sender" "$port" "$peer_port" "$n"
    sleep 1
    kill -TERM "$td"; wait "$td" || true
    printf '  frames on the tap (count source length):'
    tshark -r "$dir/tap.pcap" -T fields -e eth.src -e frame.len 2>/dev/null | sort | uniq -c \
        | awk '{printf " %sx %s %s;", $1, $2, $3}'
    echo
    kill -0 "$server" 2>/dev/null && echo "  end still running" || echo "  end had exited"
    kill -TERM "$server"; wait "$server" || true
    grep -v "hub 0 with no nics\|terminating on signal" "$dir/end.log" | sed 's/^/  end stderr: /' || true
    pids=()
done
