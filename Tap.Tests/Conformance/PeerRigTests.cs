using System.Diagnostics;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Conformance;

/// <summary>
/// The real-peer rigs of scripts/peer-rigs: QEMU 7.2 at both ends (and passt at the far end) as the baseline, then
/// tapnet in place of one end against QEMU 7.2 and passt, and tapnet at both ends. Each run must end in PASS, having
/// proven the path (ping, UDP echo and a TCP transfer each way with SHA-256, the framing on the captured wire), with
/// nothing said by a tapnet end, and must leave nothing of its own behind.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class PeerRigTests(ITestOutputHelper output)
{
    /// <summary>A rig run takes 4-6 s here; the bound only matters when something hangs on a loaded machine.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(180);

    private void Require(bool passt)
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, "/usr/bin/qemu-system-x86_64", "qemu-system-x86");
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
        LinuxTestGate.RequireTool(output, "ss", "iproute2");
        if (passt)
        {
            LinuxTestGate.RequireTool(output, "passt", "passt");
        }
        else
        {
            LinuxTestGate.RequireTool(output, "tcpdump", "tcpdump");
            LinuxTestGate.RequireTool(output, "ping", "iputils-ping");
        }
    }

    [SkippableTheory(DisplayName = "Peer rig: QEMU 7.2 <-> QEMU 7.2")]
    [InlineData("stream", "inet", "a")]
    [InlineData("stream", "inet", "b")]
    [InlineData("stream", "unix", "a")]
    [InlineData("stream", "unix", "b")]
    [InlineData("dgram", "inet", "a")]
    [InlineData("dgram", "unix", "a")]
    public void QemuPair(string mode, string transport, string server)
    {
        Require(passt: false);
        AssertPathProven(RunRig("qemu-stream-pair.sh", [], mode, transport, server), mode, transport);
    }

    /// <summary>tapnet at one end, QEMU 7.2 at the other: with <paramref name="server"/> equal to
    /// <paramref name="tapnetEnd"/> tapnet is the stream server and QEMU connects to it, otherwise QEMU listens and
    /// tapnet connects (QEMU 7.2 cannot retry, so the rig starts the server first either way).</summary>
    [SkippableTheory(DisplayName = "Peer rig: tapnet <-> QEMU 7.2")]
    [InlineData("stream", "inet", "a", "a")]
    [InlineData("stream", "inet", "b", "a")]
    [InlineData("stream", "unix", "a", "a")]
    [InlineData("stream", "unix", "b", "a")]
    [InlineData("dgram", "inet", "-", "a")]
    [InlineData("dgram", "inet", "-", "b")]
    [InlineData("dgram", "unix", "-", "a")]
    public void TapnetAndQemu(string mode, string transport, string server, string tapnetEnd)
    {
        Require(passt: false);
        string variable = tapnetEnd == "a" ? "END_A" : "END_B";
        string log = RunRig("qemu-stream-pair.sh", new() { [variable] = TapnetEnd() }, mode, transport, server);
        AssertPathProven(log, mode, transport);
        Assert.Equal("", EndSaid(log, $"end {tapnetEnd}"));
        Assert.Contains("qemu-system-x86_64: warning: hub 0 with no nics",
            EndSaid(log, tapnetEnd == "a" ? "end b" : "end a"), StringComparison.Ordinal);
    }

    /// <summary>Two tapnets, as two hosts would run them: over loopback TCP (a listens, b connects) and UDP.</summary>
    [SkippableTheory(DisplayName = "Peer rig: tapnet <-> tapnet")]
    [InlineData("stream", "inet", "a")]
    [InlineData("dgram", "inet", "-")]
    public void TapnetPair(string mode, string transport, string server)
    {
        Require(passt: false);
        string end = TapnetEnd();
        string log = RunRig("qemu-stream-pair.sh", new() { ["END_A"] = end, ["END_B"] = end }, mode, transport, server);
        AssertPathProven(log, mode, transport);
        Assert.Equal("", EndSaid(log, "end a"));
        Assert.Equal("", EndSaid(log, "end b"));
    }

    [SkippableFact(DisplayName = "Peer rig: QEMU 7.2 -> passt over its unix socket: DHCP and ARP answered")]
    public void Passt()
    {
        Require(passt: true);
        AssertPasstAnswered(RunRig("passt-stream.sh", []));
    }

    [SkippableFact(DisplayName = "Peer rig: tapnet -> passt over its unix socket: DHCP and ARP answered")]
    public void TapnetAndPasst()
    {
        Require(passt: true);
        string log = RunRig("passt-stream.sh", new() { ["END"] = TapnetEnd() });
        AssertPasstAnswered(log);
        Assert.Equal("", EndSaid(log, "end"));
    }

    /// <summary>The rig's end template for tapnet: the tapnet.dll beside the tests (<see cref="TapnetProcess.Dll"/>,
    /// so Debug and Release runs each use their own build) with the arguments QEMU's end has, on the epoll or
    /// io_uring path as the Linux tests are run (<c>TAPNET_IO</c>).</summary>
    private static string TapnetEnd()
    {
        string end = $"dotnet {TapnetProcess.Dll} -netdev tap,id=t0,ifname={{TAP}},script=no,downscript=no "
            + "-netdev {SOCK} -netdev hubport,id=p0,hubid=0,netdev=t0 -netdev hubport,id=p1,hubid=0,netdev=s0";
        // The rig splits the template at blanks.
        Assert.DoesNotContain(" ", TapnetProcess.Dll, StringComparison.Ordinal);
        return end + (LinuxHost.IoFromEnvironment() == Tap.Linux.IoMode.Uring ? " --io=uring" : " --io=epoll");
    }

    /// <summary>What the rig's traffic printed: 3 pings each way, 10 UDP datagrams echoed, 256 KiB of TCP each way,
    /// all with equal SHA-256; with inet, both directions of the captured wire de-framed to the last byte (stream)
    /// or every datagram a bare frame (dgram).</summary>
    private static void AssertPathProven(string log, string mode, string transport)
    {
        Assert.Contains("ping a->b: 3 received, b->a: 3 received", log, StringComparison.Ordinal);
        Assert.Contains("udp: 10 datagrams echoed, SHA-256 equal", log, StringComparison.Ordinal);
        Assert.Matches(@"tcp b->a: 262144 bytes in [0-9.]+ s, SHA-256 equal", log);
        Assert.Matches(@"tcp a->b: 262144 bytes in [0-9.]+ s, SHA-256 equal", log);
        if (transport == "inet")
        {
            string each = mode == "stream" ? ", 0 bytes left over, " : ", 0 not a bare Ethernet frame, ";
            Assert.Equal(2, log.Split('\n').Count(l => l.Contains(each, StringComparison.Ordinal)));
        }
    }

    private static void AssertPasstAnswered(string log)
    {
        Assert.Contains("DHCPOFFER from ", log, StringComparison.Ordinal);
        Assert.Contains("yiaddr=169.254.88.2 mask=255.255.0.0 router=169.254.88.254", log, StringComparison.Ordinal);
        Assert.Contains("ARP reply: 169.254.88.254 is-at ", log, StringComparison.Ordinal);
    }

    /// <summary>The lines an end wrote to stdout and stderr, as the rig prints them after PASS under
    /// "<paramref name="end"/> said:", indented by two blanks.</summary>
    private static string EndSaid(string log, string end)
    {
        var lines = log.Split('\n');
        int start = Array.IndexOf(lines, end + " said:");
        Assert.True(start >= 0, $"the rig did not print what {end} said:\n{log}");
        return string.Join('\n', lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)));
    }

    /// <summary>Runs a rig, fails with its output unless it printed PASS and exited 0, then checks that none of
    /// the namespaces, links or temporary directories named after its pid is left.</summary>
    private string RunRig(string script, Dictionary<string, string> environment, params string[] args)
    {
        string path = Path.Combine(Docs.RepoFiles.Root(), "scripts", "peer-rigs", script);
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(path);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(RunLimit))
        {
            // TERM lets the rig's trap remove what it made.
            HostCommand.TryRun("kill", "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            p.WaitForExit();
        }
        string log = stdout.Result + stderr.Result;
        output.WriteLine(log);
        Assert.True(p.ExitCode == 0 && log.Contains("\nPASS", StringComparison.Ordinal),
            $"{script} {string.Join(' ', args)} exited {p.ExitCode}:\n{log}");
        string id = p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string left = HostCommand.Run("ip", "netns", "list") + HostCommand.Run("ip", "-o", "link", "show");
        Assert.DoesNotContain(left.Split('\n'), l => l.Contains(id, StringComparison.Ordinal)
            && (l.Contains("qsp", StringComparison.Ordinal) || l.Contains("pst", StringComparison.Ordinal)));
        return log;
    }
}
