namespace Tap.Tests.Conformance;

/// <summary>
/// The recorded QEMU 7.2 table stays the answer to the case list: same cases, same order, same arguments, so a case
/// added or changed without rerunning <c>scripts/stream-dgram-qemu72.sh</c> fails here instead of leaving the
/// implementation's table test compared against an old answer.
/// </summary>
public sealed class StreamDgramTableTests
{
    [Fact(DisplayName = "stream/dgram table: the QEMU 7.2 record answers exactly the case list, in order")]
    public void TableMatchesCases()
    {
        var cases = StreamDgramTable.LoadCases();
        var rows = StreamDgramTable.Load();
        Assert.Equal(cases.Select(c => c.Name), rows.Select(r => r.Name));
        foreach (var (c, r) in cases.Zip(rows))
        {
            Assert.Equal(c.Netdevs, r.Netdevs);
            Assert.Equal(c.Setup, r.Setup);
        }
    }

    [Fact(DisplayName = "stream/dgram table: every row is an init error with its message, a run, or an abort")]
    public void RowsAreComplete()
    {
        foreach (var r in StreamDgramTable.Load())
        {
            switch (r.ExitCode)
            {
                case 1:
                    // The error names the argument it is about, as every -netdev error does.
                    Assert.Contains(r.Stderr, l => r.Netdevs.Any(
                        n => l.StartsWith($"qemu-system-x86_64: -netdev {n}: ", StringComparison.Ordinal)));
                    Assert.Empty(r.Info);
                    break;
                case 0:
                    Assert.NotEmpty(r.Info);
                    break;
                case 134:
                    Assert.Contains(r.Stderr, l => l.Contains("assertion failed", StringComparison.Ordinal));
                    break;
                default:
                    Assert.Fail($"case '{r.Name}': exit {r.ExitCode} (124: QEMU ignored the monitor's quit)");
                    break;
            }
        }
    }

    [Fact(DisplayName = "stream/dgram table: the reader takes a block apart and refuses an unknown line")]
    public void ParsesBlocks()
    {
        const string text = "# header\n\n## a case\n"
            + "args: -netdev dgram,id=d0 -netdev hubport,id=p0,hubid=0,netdev=d0\n"
            + "setup: fd3:udp\nexit: 0\nstderr: qemu-system-x86_64: warning: hub 0 with no nics\n"
            + "info:  \\ p0: d0: index=0,type=dgram,fd=3 inet\nsocket: udp UNCONN 127.0.0.1:5555 0.0.0.0:*\n\n"
            + "## second\nargs: -netdev stream\nexit: 1\n"
            + "stderr: qemu-system-x86_64: -netdev stream: Parameter 'id' is missing\n";
        var rows = StreamDgramTable.Parse(text);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["dgram,id=d0", "hubport,id=p0,hubid=0,netdev=d0"], rows[0].Netdevs);
        Assert.Equal("fd3:udp", rows[0].Setup);
        Assert.Equal(0, rows[0].ExitCode);
        Assert.Equal([" \\ p0: d0: index=0,type=dgram,fd=3 inet"], rows[0].Info);
        Assert.Equal(["udp UNCONN 127.0.0.1:5555 0.0.0.0:*"], rows[0].Sockets);
        Assert.Equal("-", rows[1].Setup);
        Assert.Equal(["qemu-system-x86_64: -netdev stream: Parameter 'id' is missing"], rows[1].Stderr);
        Assert.Throws<FormatException>(() => StreamDgramTable.Parse("## x\nexit: 1\nstatus: 3\n"));
        Assert.Throws<FormatException>(() => StreamDgramTable.Parse("## x\nargs: -netdev stream\n"));
    }
}
