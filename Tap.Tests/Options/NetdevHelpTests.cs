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

""";
        Assert.Equal(expected.ReplaceLineEndings("\n"), NetdevHelp.OptionLines);
    }
}
