using Tap.Core.Options;

namespace Tap.Tests.Options;

/// <summary>The help texts made from the option tables, pinned as literals: the tables are under test.</summary>
public sealed class NetdevHelpTests
{
    [Fact(DisplayName = "O9: -netdev help prints QEMU's heading and tap, bridge, hubport, one per line")]
    public void BackendTypes() =>
        Assert.Equal("Available netdev backend types:\ntap\nbridge\nhubport\nstream\ndgram\n", NetdevParser.Parse("help").HelpText);

    [Fact(DisplayName = "tapnet --help: the -netdev lines list every member of every type in O8 order, with defaults")]
    public void OptionLines()
    {
        const string expected = """
  -netdev tap,id=ID[,OPTIONS]     a TAP backend; OPTIONS (default when absent):
      ifname=NAME                 interface name or template (kernel picks tap%d)
      fd=N | fds=N:N:...          already-open tap fd(s), one per queue
      script=PATH                 setup script (/etc/qemu-ifup; "no" = none)
      downscript=PATH             teardown script (/etc/qemu-ifdown; "no" = none)
      br=BRIDGE                   bridge for the helper (br0)
      helper=PROGRAM [ARGS]       get the tap from a bridge helper (no shell is used)
      sndbuf=SIZE                 send-buffer limit (unlimited)
      vnet_hdr=on|off             require / refuse the virtio-net header (use if available)
      vhost=on|off                use vhost-net (off; on if vhostfd= or vhostforce=on)
      vhostfd=N | vhostfds=N:...  already-open vhost-net fd(s)
      vhostforce=on|off           vhost on when vhost= is absent (off)
      queues=N                    number of queues, 1 to 256 (1)
      poll-us=N                   vhost busy-poll timeout in microseconds (0)
  -netdev bridge,id=ID[,br=BRIDGE][,helper=PROGRAM]
                                  a tap from the bridge helper (br0, /usr/lib/qemu/qemu-bridge-helper)
  -netdev hubport,id=ID,hubid=N[,netdev=ID]
                                  a port of hub N, peered with netdev ID
  -netdev stream,id=ID,addr.type=TYPE,ADDRESS[,OPTIONS]
                                  frames over a stream socket, a 4-byte length before each; OPTIONS:
      server=on|off               listen, one peer at a time (off: connect)
      reconnect-ms=MS             client: connect again after this delay (never)
      reconnect=SECONDS           the same in seconds (not with reconnect-ms)
    ADDRESS, addr.type=inet       addr.host=HOST,addr.port=PORT[,addr.to=PORT]
    ADDRESS, addr.type=unix       addr.path=PATH[,addr.abstract=on|off][,addr.tight=on|off]
    ADDRESS, addr.type=fd         addr.str=N (an open socket)
  -netdev dgram,id=ID,local.type=TYPE,...[,remote.type=TYPE,...]
                                  one frame per datagram; local.* and remote.* as addr.* (local also fd);
                                  remote.host in 224.0.0.0/4: a multicast group (local.host: interface)

""";
        Assert.Equal(expected.ReplaceLineEndings("\n"), NetdevHelp.OptionLines);
    }
}
