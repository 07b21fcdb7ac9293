#!/usr/bin/env bash
# Regenerates Tap.Tests/Conformance/stream-dgram-qemu72.txt: what Debian's QEMU 7.2 says and does for each
# -netdev stream/dgram case in Tap.Tests/Conformance/stream-dgram-cases.txt.
#
# Each case runs `qemu-system-x86_64 -M none -nodefaults -display none -monitor stdio -netdev ...` in a network
# namespace of its own (only lo, up), bounded by `timeout`. One second after start the monitor is asked for
# `info network` (QEMU 7.2 reports a failed asynchronous listen or connect only there, as the client's info
# string) and then `quit`; just before, `ss` lists QEMU's sockets. Recorded per case: the exit status, stderr
# verbatim, the `info network` lines and QEMU's sockets (netid, state, local and peer address).
# Needs root (ip netns), python3 (set-up hooks). No address but loopback inside the case's namespace is used.
#
# usage: sudo bash scripts/stream-dgram-qemu72.sh [CASES [OUT]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cases=${1:-$root/Tap.Tests/Conformance/stream-dgram-cases.txt}
out=${2:-$root/Tap.Tests/Conformance/stream-dgram-qemu72.txt}
qemu=${QEMU:-/usr/bin/qemu-system-x86_64}
py=/usr/bin/python3
# QEMU's own start-up under -M none takes ~0.1 s; 1 s leaves room for the asynchronous listen/connect on a
# loaded machine. The whole run of one case is bounded by 15 s.
monitor_delay_s=1
case_limit_s=15

work=$(mktemp -d /tmp/sdq.XXXXXX)
ns=""
hook_pids=()
cleanup() {
    for p in "${hook_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    hook_pids=()
    if [[ -n $ns ]]; then ip netns del "$ns" 2>/dev/null || true; ns=""; fi
}
trap 'cleanup; rm -rf "$work" "$out.tmp"' EXIT
trap 'exit 130' INT TERM

# A helper that holds a socket (or file) open in the namespace until killed; prints "ready" once it holds it.
holder='
import os, socket, sys, time
kind, arg = sys.argv[1], sys.argv[2]
if kind == "tcp-listen":
    s = socket.socket(); s.bind(("127.0.0.1", int(arg))); s.listen(8)
elif kind == "udp-bind":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(arg)))
elif kind == "unix-listen":
    s = socket.socket(socket.AF_UNIX); s.bind(arg); s.listen(8)
print("ready", flush=True)
time.sleep(60)
'
# Execs QEMU with fd 3 set up as asked (the fd given by addr.str= / local.str=).
fd3wrap='
import os, socket, sys
kind = sys.argv[1]; argv = sys.argv[2:]
keep = []
def put(fd):
    if fd != 3:
        os.dup2(fd, 3); os.close(fd)
    os.set_inheritable(3, True)
if kind == "closed":
    try: os.close(3)
    except OSError: pass
elif kind == "file":
    put(os.open("/etc/hostname", os.O_RDONLY))
elif kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 5555)); put(s.detach())
elif kind == "tcp-listen":
    s = socket.socket(); s.bind(("127.0.0.1", 5555)); s.listen(8); put(s.detach())
elif kind in ("tcp-connected", "unix-connected"):
    fam = socket.AF_INET if kind == "tcp-connected" else socket.AF_UNIX
    l = socket.socket(fam); addr = ("127.0.0.1", 5555) if fam == socket.AF_INET else os.environ["SDQ_DIR"] + "/peer.sock"
    l.bind(addr); l.listen(1)
    c = socket.socket(fam); c.connect(addr); a, _ = l.accept()
    keep.append(os.dup(a.detach()))  # the peer end stays open in QEMU (inherited, not used)
    put(c.detach())
elif kind == "unix-listen":
    s = socket.socket(socket.AF_UNIX); s.bind(os.environ["SDQ_DIR"] + "/fd.sock"); s.listen(8); put(s.detach())
os.execv(argv[0], argv)
'

run_case() {
    local name=$1 setup=$2 args=$3 dir="$work/c$4"
    mkdir -p "$dir"
    ns="sdq$$-$4"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    local wrap=()
    local h
    IFS=',' read -ra hooks <<<"$setup"
    for h in "${hooks[@]}"; do
        h=${h//\{DIR\}/$dir}
        case $h in
            -) ;;
            file:*) : >"${h#file:}" ;;
            mcast-route) ip -n "$ns" route add 224.0.0.0/4 dev lo ;;
            fd3:*) wrap=("$py" -c "$fd3wrap" "${h#fd3:}") ;;
            tcp-listen:*|udp-bind:*|unix-listen:*)
                coproc HOLD { ip netns exec "$ns" "$py" -c "$holder" "${h%%:*}" "${h#*:}"; }
                hook_pids+=("$HOLD_PID")
                local line; read -r -t 10 line <&"${HOLD[0]}" || { echo "hook $h did not start" >&2; exit 1; }
                ;;
            *) echo "unknown hook $h" >&2; exit 1 ;;
        esac
    done
    local argv=() a
    local IFS_save=$IFS
    args=${args//\{DIR\}/$dir}
    while [[ -n $args ]]; do
        if [[ $args == *" || "* ]]; then a=${args%% || *}; args=${args#* || }; else a=$args; args=""; fi
        argv+=(-netdev "$a")
    done
    local rc=0
    ( sleep "$monitor_delay_s"
      # QEMU's own sockets (TCP, UDP, unix; listening, bound or connected): netid state local peer.
      ip netns exec "$ns" ss -Hanp -A inet,unix 2>/dev/null | grep qemu-system \
          | awk '{ if ($1 ~ /^u_/) print $1, $2, $5; else print $1, $2, $5, $6 }' \
          >"$dir/sockets" || true
      printf 'info network\nquit\n' ) \
        | SDQ_DIR=$dir ip netns exec "$ns" timeout -k 2 "$case_limit_s" "${wrap[@]}" "$qemu" -M none -nodefaults \
            -display none -monitor stdio "${argv[@]}" >"$dir/stdout" 2>"$dir/stderr" || rc=$?
    {
        echo "## $name"
        echo "args: ${argv[*]}" | sed -e "s#$dir#DIR#g"
        [[ $setup != - ]] && echo "setup: ${setup//\{DIR\}/DIR}"
        echo "exit: $rc"
        # Paths under the case's temporary directory are written as DIR so the file does not change between runs.
        sed -e "s#$dir#DIR#g" -e 's/^/stderr: /' "$dir/stderr"
        # The monitor echoes keystrokes with terminal escapes; only the answer lines of `info network` are kept.
        grep -a -E '^ *[^ (]+: index=|^ *\\ ' "$dir/stdout" | tr -d '\r' | sed -e "s#$dir#DIR#g" -e 's/^/info: /' || true
        # A kernel-chosen port (port=0: Linux's default ephemeral range 32768-60999) is written as EPHEMERAL.
        if [[ -s $dir/sockets ]]; then
            sed -E -e "s#$dir#DIR#g" -e 's/:(3[2-9][0-9]{3}|[45][0-9]{4}|60[0-9]{3})( |$)/:EPHEMERAL\2/g' \
                -e 's/^/socket: /' "$dir/sockets"
        fi
        echo
    } >>"$out.tmp"
    cleanup
}

: >"$out.tmp"
{
    echo "# QEMU 7.2 on -netdev stream/dgram: generated by scripts/stream-dgram-qemu72.sh from stream-dgram-cases.txt."
    echo "# $("$qemu" --version | head -1)"
    echo "# Per case: args, setup hooks, exit status (124 = still running when timeout hit), stderr"
    echo "# verbatim, the 'info network' answer 1 s after start and QEMU's sockets then (netid state local [peer]);"
    echo "# both absent when QEMU had already exited. DIR is the case's temporary directory."
    echo
} >>"$out.tmp"
n=0
while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    n=$((n + 1))
    name=${line%% | *}; rest=${line#* | }
    setup=${rest%% | *}; args=${rest#* | }
    echo "[$n] $name" >&2
    run_case "$name" "$setup" "$args" "$n"
done <"$cases"
mv "$out.tmp" "$out"
echo "wrote $out ($n cases)" >&2
