#!/usr/bin/env bash
# passt as the far end of a -netdev stream over its unix socket: a namespace behind a tap reaches passt's built-in
# DHCP server and its ARP answer for the gateway, through the near end's hub (tap + stream). Only DHCP and ARP
# cross; passt's TCP and ICMP handlers are off and nothing leaves the machine.
#
#   sudo bash scripts/peer-rigs/passt-stream.sh
#
# END: the near end's command line, a template in which {TAP} is the tap's name and {SOCK} the stream netdev's
# arguments (id=s0, server=off, addr.type=unix, addr.path=passt's socket). Default (QEMU 7.2):
#   qemu-system-x86_64 -M none -nodefaults -display none -netdev tap,id=t0,ifname={TAP},script=no,downscript=no
#     -netdev {SOCK} -netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0
#
# passt refuses to start without a routable interface, so it runs in a namespace of its own with a veth pair
# (169.254.88.1/24, its peer 169.254.88.254 in another namespace of ours) and a default route through it:
#   passt -f -4 -i IF -a 169.254.88.2 -g 169.254.88.254 -s SOCKET
# The near end runs in a third namespace (only lo) and its tap is moved into the guest namespace, where
# l2-probe.py does DHCP DISCOVER/REQUEST and an ARP request for the gateway on the bare tap.
# Everything the rig creates (namespaces, veth, tap, socket, temporary files, processes) is removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
passt=${PASST:-/usr/bin/passt}
end=${END:-$qemu_end}

id=$$
ns_p="pstp$id"; ns_gw="pstg$id"; ns_w="pstw$id"; ns_g="pstu$id"
veth="pstv$id"; tap="pstt$id"
host_addr=169.254.88.1; gw=169.254.88.254; guest_addr=169.254.88.2
dir=$(mktemp -d /tmp/pst.XXXXXX)
# passt (started as root) drops to the user nobody before it binds its socket and opens its pid and pcap files:
# the directory is nobody's. This passt (0.0~git20230309) reports "UNIX domain socket bound" even when bind()
# failed with EACCES, so the rig waits for the socket file itself.
chown nobody "$dir"
sock=$dir/passt.sock
rig_namespaces=("$ns_w" "$ns_g" "$ns_p" "$ns_gw")
rig_links=("$tap" "$veth")

for n in "$ns_p" "$ns_gw" "$ns_w" "$ns_g"; do ip netns add "$n"; ip -n "$n" link set lo up; done
# passt's namespace: a routable interface (link-local address, default route through the veth's far side).
ip -n "$ns_p" link add "$veth" type veth peer name "${veth}p" netns "$ns_gw"
ip -n "$ns_p" addr add "$host_addr/24" dev "$veth"
ip -n "$ns_gw" addr add "$gw/24" dev "${veth}p"
for n in "$ns_p" "$ns_gw"; do ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n "$ns_p" link set "$veth" up
ip -n "$ns_gw" link set "${veth}p" up
ip -n "$ns_p" route add default via "$gw" dev "$veth"

passt_cmd=("$passt" -f -4 -i "$veth" -a "$guest_addr" -g "$gw" -s "$sock" -P "$dir/passt.pid" -p "$dir/passt.pcap"
    --no-tcp --no-icmp --no-dhcp-dns --no-dhcp-search)
say "passt: ${passt_cmd[*]}"
ip netns exec "$ns_p" "${passt_cmd[@]}" >"$dir/passt.log" 2>&1 &
pids+=($!)
wait_for "passt's socket $sock" test -S "$sock"

sock_args="stream,id=s0,server=off,addr.type=unix,addr.path=$sock"
cmd=${end//\{TAP\}/$tap}
cmd=${cmd//\{SOCK\}/$sock_args}
say "end: $cmd"
# shellcheck disable=SC2086 # the template is split into words on purpose (no blanks inside arguments)
ip netns exec "$ns_w" $cmd >"$dir/end.log" 2>&1 &
pids+=($!)
wait_for "the end's tap $tap" ip -n "$ns_w" link show "$tap"
ip -n "$ns_w" link set "$tap" netns "$ns_g"
ip netns exec "$ns_g" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
ip -n "$ns_g" link set "$tap" up
# The end's connection: an established unix stream socket of the end's process (ss in the end's namespace).
end_pid=${pids[-1]}
connected() { ip netns exec "$ns_w" ss -Hxp state established | grep -q "pid=$end_pid,"; }
wait_for "the end's connection to passt" connected
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "passt or the end exited early"; done

say "== guest namespace, bare tap $tap:"
ip netns exec "$ns_g" "$py" "$here/l2-probe.py" "$tap" "$guest_addr" || fail "DHCP/ARP through the stream"
if command -v tshark >/dev/null; then
    say "passt's own capture of the tap side (-p):"
    tshark -r "$dir/passt.pcap" -T fields -E separator=' ' -e frame.len -e eth.src -e eth.dst -e _ws.col.Protocol \
        -e _ws.col.Info 2>/dev/null | sed 's/^/  /'
fi
say "passt said:"; grep -v "^Failed to send .* to syslog" "$dir/passt.log" | sed 's/^/  /'
say "end said:"; sed 's/^/  /' "$dir/end.log"
say "PASS"
