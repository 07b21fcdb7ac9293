using Tap.Core.Options;

namespace Tap.Cli;

/// <summary>What <c>tapnet --help</c> prints: every option with its default.</summary>
internal static class HelpText
{
    public const string Demo = """
usage: tapnet demo [--sim]

Builds two network namespaces with one tap each, joins the taps through a hub in tapnet, sends
2000 UDP datagrams and a 4 MiB TCP transfer between them (169.254.77.0/24 only), prints what
crossed, and removes everything again (also on Ctrl-C). Needs root and /dev/net/tun; without
them, or with --sim, the same topology runs in the simulator and says so.
Exit status: 0 when everything crossed, 1 otherwise, 130 when interrupted.
""";

    public const string Sim = """
usage: tapnet sim (--seed N | --seeds A..B) [--swarm] [--steps K] [--faults LIST]
       tapnet sim --seed N --trace FILE [--steps K] [--trace-payloads=full|hash] [-netdev ARG]...

Runs simulated data-path scenarios (a tap with one to four queues, a guest NIC, host traffic of every
size, refusals, detaches, header negotiation, faults) and checks every invariant as it goes. After
the random steps the faults stop and every queue must drain within a bound (liveness); the summary
accounts for every frame: sent = delivered + dropped (by who counted it, why) + in flight (where).
  --seed N        one run; prints a summary and the SHA-256 of its record (same seed, same record)
  --seeds A..B    a campaign over seeds A to B with a progress bar
  --swarm         each seed draws its own fault kinds and rates, tap shape (queues, send buffer,
                  ring) and workload weights (link flaps and VM pauses included); printed in the summary
  --steps K       steps per run before the faults stop (2000)
  --faults LIST   none, all (default), or a comma list of: WriteEintr, ReadEintr, IoctlEintr,
                  WriteEagain, WriteEio; the seed switches each listed site on or off
  --trace FILE    instead: run a tapnet command line (the -netdev ARGs; two taps on hub 0 when
                  none are given) on the simulated kernel with seeded host traffic, queue toggles
                  and a SIGTERM, recording the trace to FILE (same seed, same file)
Exit status: 0 when every invariant held, 1 when one broke (the seed and replay command are printed),
2 for a usage error.
""";

    public const string Replay = """
usage: tapnet replay FILE [--quiet]

Replays a trace written by tapnet --trace (on a real host) or tapnet sim --trace: the netdevs are
built again and every recorded event is handed to the core in order, and each kernel call the core
makes must be the recorded one; it gets the recorded result. Needs no root and no /dev/net/tun.
The recorded diagnostics are shown as the run printed them (not with --quiet).
Exit status: 0 when every record matched, 1 when the core diverged from the trace (the report names
the record, what was recorded, what the core did, and the records before it), 2 for a usage
error, 3 when the trace cannot be read, is damaged or was cut short, 4 when the core failed.
""";

    /// <summary>
    /// <c>tapnet --help</c>: the <c>-netdev</c> types and their options come from the option tables
    /// (<see cref="NetdevHelp.OptionLines"/>), the rest is written here.
    /// </summary>
    public static readonly string Usage = UsageHead + "\n" + NetdevHelp.OptionLines + UsageTail;

    private const string UsageHead = """
usage: tapnet [-netdev ARG]... [--trace FILE] [--help] [--version]
       tapnet replay FILE
       tapnet demo [--sim]
       tapnet sim (--seed N | --seeds A..B) [--steps K] [--faults LIST]
       tapnet sim --seed N --trace FILE [--steps K] [-netdev ARG]...

Creates QEMU-style network backends on this host, joins them through hubs, and forwards
packets until SIGINT, SIGTERM or SIGHUP, then cleans up (down scripts included).

""";

    /// <summary>The part of <see cref="Usage"/> after the option tables' lines.</summary>
    private const string UsageTail = """
  -netdev help                    list the backend types
  -object filter-dump,id=ID,netdev=NETDEV,file=FILE[,maxlen=N]
                                  write NETDEV's traffic, both directions, to a pcap file (maxlen 65536)
  -object filter-ratelimit,id=ID,netdev=NETDEV[,queue=all|rx|tx][,bandwidth.size=BYTES]
         [,bandwidth.one-time-burst=BYTES][,bandwidth.refill-time=MS][,ops.size=FRAMES]
         [,ops.one-time-burst=FRAMES][,ops.refill-time=MS]
                                  token buckets on NETDEV (Firecracker's: SIZE tokens refill in MS, plus a
                                  one-time burst; size 0 is off); a throttled frame waits (docs/rate-limits.md)
  --control=PATH                  a unix socket taking JSON lines, QMP-style: ratelimit-set, ratelimit-query

  --stats[=SECONDS]               every SECONDS (1), one line per netdev: packets/s and bytes/s each way,
                                  drops by reason, EAGAIN and back-pressure stalls; totals at exit always
  --stats-json                    the same as JSON lines
  --metrics=HOST:PORT             serve the tapnet meter (packets, bytes, drops, stalls, queue lengths) in
                                  Prometheus' text format at http://HOST:PORT/metrics; dotnet-counters
                                  reads the same meter without it (--counters tapnet)
  --offload=on|off                on (default): a hub whose ports are all taps with a vnet header keeps
                                  the header end to end and lets 64 KB GSO frames cross unsplit (TSO,
                                  checksum, ECN, UFO/USO where every tap has them); off: as QEMU, no offloads
  --runas USER[:GROUP]            once every netdev is up, become USER (UID:GID as QEMU also takes) with no
                                  capability left and keep forwarding; refused with a down script, which
                                  would run without root (docs/service.md#least-privilege)
  --io=epoll|uring                epoll (default): one read or write system call per frame; uring: io_uring
                                  carries the reads and writes of many frames per system call (falls back
                                  to epoll with one warning when io_uring or its multishot read, Linux 6.7,
                                  is unavailable or disabled)
  --trace FILE                    record every kernel call, event and outcome to FILE as it happens
                                  (docs/trace-format.md); replay it anywhere with tapnet replay FILE
  --trace-payloads=full|hash      full (default): packets in full; hash: only their lengths and CRC-32

Exit status: 0 after a clean stop, 1 when a -netdev cannot be created (one line on stderr:
"tapnet: -netdev ARG: MESSAGE"), 2 for a usage error.
""";
}
