# shellcheck shell=bash
# What every rig in this folder shares, sourced right after `set -euo pipefail`: the tools, QEMU 7.2's default end,
# the bound on start-up waits, and the clean-up that runs on every exit (also on failure or Ctrl-C). A rig fills
# in `dir` (its temporary directory), `rig_namespaces`, `rig_links` and `pids` as it creates them.
py=/usr/bin/python3
qemu=${QEMU:-/usr/bin/qemu-system-x86_64}
# An end of QEMU 7.2: a tap and the socket netdev (id=s0) on hub 0; the rig fills in {TAP} and {SOCK}.
qemu_end="$qemu -M none -nodefaults -display none -netdev tap,id=t0,ifname={TAP},script=no,downscript=no \
-netdev {SOCK} -netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0"
start_limit_s=20   # an end must create its tap (a stream server: listen) within this
dir=""
pids=()            # processes the rig started: TERM, then KILL after 5 s
rig_namespaces=()  # namespaces the rig made: every process in them stopped, then deleted
rig_links=()       # devices that could outlive their namespace (a tap an end made persistent, a veth end)

sweep_namespaces() { # NS...: TERM, then after up to 5 s KILL, every process in these namespaces
    local n p left
    for n in "$@"; do for p in $(ip netns pids "$n" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done; done
    for _ in $(seq 50); do
        left=""
        for n in "$@"; do left+=$(ip netns pids "$n" 2>/dev/null); done
        [[ -z $left ]] && return 0
        sleep 0.1
    done
    for n in "$@"; do for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done; done
}
rig_cleanup() {
    local rc=$?
    set +e
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
    done
    # Whatever still runs in the rig's namespaces: an end started through a wrapper (strace, a shell) leaves its
    # program behind when the wrapper is killed.
    sweep_namespaces "${rig_namespaces[@]}"
    for n in "${rig_namespaces[@]}"; do ip netns del "$n" 2>/dev/null; done
    # A non-persistent tap goes with its last fd; this only catches an end that made it persistent.
    for l in "${rig_links[@]}"; do ip link del "$l" 2>/dev/null; done
    [[ -n $dir ]] && rm -rf "$dir"
    exit $rc
}
trap rig_cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
# Prints the reason and every log the rig kept in its directory, then exits 1 (the clean-up runs).
fail() { say "FAIL: $*" >&2; for f in "$dir"/*.log; do [[ -f $f ]] && sed "s/^/  $(basename "$f"): /" "$f" >&2; done; exit 1; }
wait_for() { # DESCRIPTION COMMAND...: poll every 0.1 s for start_limit_s
    local what=$1; shift
    for _ in $(seq $((start_limit_s * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    fail "$what not within $start_limit_s s"
}
