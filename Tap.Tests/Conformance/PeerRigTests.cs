using System.Diagnostics;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Conformance;

/// <summary>
/// The real-peer rigs of scripts/peer-rigs with QEMU 7.2 at both ends (and passt at the far end): the baseline that
/// tapnet will be put into in place of one end. Each run must end in PASS, having proven the path (ping, UDP echo
/// and TCP transfer with SHA-256, the framing on the captured wire), and must leave nothing of its own behind.
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
        string log = RunRig("qemu-stream-pair.sh", mode, transport, server);
        Assert.Contains("ping a->b: 3 received, b->a: 3 received", log, StringComparison.Ordinal);
        Assert.Contains("udp: 10 datagrams echoed, SHA-256 equal", log, StringComparison.Ordinal);
        Assert.Contains("tcp: 262144 bytes in ", log, StringComparison.Ordinal);
        if (transport == "inet")
        {
            // Both directions de-framed to the last byte (stream) or every datagram a bare frame (dgram).
            string each = mode == "stream" ? ", 0 bytes left over, " : ", 0 not a bare Ethernet frame, ";
            Assert.Equal(2, log.Split('\n').Count(l => l.Contains(each, StringComparison.Ordinal)));
        }
    }

    [SkippableFact(DisplayName = "Peer rig: QEMU 7.2 -> passt over its unix socket: DHCP and ARP answered")]
    public void Passt()
    {
        Require(passt: true);
        string log = RunRig("passt-stream.sh");
        Assert.Contains("DHCPOFFER from ", log, StringComparison.Ordinal);
        Assert.Contains("yiaddr=169.254.88.2 mask=255.255.0.0 router=169.254.88.254", log, StringComparison.Ordinal);
        Assert.Contains("ARP reply: 169.254.88.254 is-at ", log, StringComparison.Ordinal);
    }

    /// <summary>Runs a rig, fails with its output unless it printed PASS and exited 0, then checks that none of
    /// the namespaces, links or temporary directories named after its pid is left.</summary>
    private string RunRig(string script, params string[] args)
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
