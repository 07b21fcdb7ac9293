using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using Tap.Trace;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// A stream netdev is a client of the core like a tap (docs/stream-dgram.md ST1): through the real <c>tapnet</c>,
/// frames a peer writes into a unix stream socket reach the tap behind the hub and show in <c>--stats-json</c>, in
/// a <c>filter-dump</c> capture of the stream, and in a <c>--trace</c> that <c>tapnet replay</c> matches. The tap
/// lives in a namespace of the test's; the socket is a file in a private directory.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class StreamCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private const int Frames = 5;
    private const int FrameBytes = 60;

    [SkippableFact(DisplayName = "ST1: a stream's frames reach the tap and show in --stats-json, filter-dump and a trace that replays")]
    public void StreamLikeATap()
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        using var dir = new TempDir();
        string sock = dir.File_("s0.sock"), pcap = dir.File_("s0.pcap"), trace = dir.File_("run.trace");
        var frames = Enumerable.Range(1, Frames).Select(Frame).ToList();
        using (var tapnet = TapnetProcess.Start(ns.Name, "--stats-json", "--trace", trace,
            "-netdev", "tap,id=t0,ifname=stc0,script=no,downscript=no,vnet_hdr=off",
            "-netdev", $"stream,id=s0,server=on,addr.type=unix,addr.path={sock}",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0", "-netdev", "hubport,id=h1,hubid=0,netdev=s0",
            "-object", $"filter-dump,id=f0,netdev=s0,file={pcap}"))
        {
            tapnet.WaitForLinks(ns, Limit, "stc0");
            ns.Ip("link", "set", "stc0", "up"); // a tap that is down refuses writes (EIO)
            // The file appears at bind(2), before listen(2): until then a connect is refused, so retry on that only.
            Socket? connected = null;
            Wait(() => (connected = TryConnect(sock)) is not null, tapnet, "the stream server listening on its socket file");
            using var peer = connected!;
            foreach (var f in frames)
            {
                var record = new byte[4 + f.Length];
                BinaryPrimitives.WriteUInt32BigEndian(record, (uint)f.Length);
                f.CopyTo(record, 4);
                peer.Send(record);
            }
            // Each frame the stream read is one write to the tap, recorded as it happens: wait for all of them.
            Wait(() => File.ReadAllText(trace).Split(" C Write ").Length - 1 >= Frames, tapnet,
                $"{Frames} writes to the tap in the trace");
            Assert.Equal(0, tapnet.Terminate(Limit));

            var totals = tapnet.Stdout.Split('\n')
                .Where(l => l.Contains("\"host_to_net_packets\"", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("netdev").GetString()!);
            Assert.Equal(Frames, totals["s0"].GetProperty("host_to_net_packets").GetInt64());
            Assert.Equal(Frames * FrameBytes, totals["s0"].GetProperty("host_to_net_bytes").GetInt64());
            Assert.Equal(Frames, totals["t0"].GetProperty("net_to_host_packets").GetInt64());
            Assert.Equal(0, totals["s0"].GetProperty("drops").EnumerateObject().Sum(p => p.Value.GetInt64()));
        }

        // The capture holds the peer's frames in order (the tap's own, IPv6 solicitations, may be among them).
        var captured = PcapRecords(File.ReadAllBytes(pcap));
        var ours = captured.Where(c => frames.Any(f => f.AsSpan().SequenceEqual(c))).ToList();
        Assert.Equal(frames, ours);

        var (code, stdout, stderr) = TapnetProcess.RunToEnd(null, Limit, "replay", trace);
        Assert.True(code == 0, stderr);
        Assert.Contains("replay: ok: ", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(sock), "the server removes its socket file at exit");
    }

    /// <summary>A 60-byte frame to a locally administered MAC, of the local experimental EtherType, tagged by
    /// <paramref name="n"/>.</summary>
    private static byte[] Frame(int n)
    {
        var f = new byte[FrameBytes];
        f[0] = 0x02;
        f[5] = (byte)n;
        f[6] = 0x02;
        f[11] = 0xfe;
        f[12] = 0x88;
        f[13] = 0xb5;
        Array.Fill(f, (byte)n, 14, FrameBytes - 14);
        return f;
    }

    /// <summary>The packets of a classic pcap file (24-byte header, 16-byte record headers, little-endian).</summary>
    private static List<byte[]> PcapRecords(byte[] file)
    {
        Assert.True(file.Length >= 24, $"pcap of {file.Length} bytes");
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(file));
        var records = new List<byte[]>();
        for (int at = 24; at + 16 <= file.Length;)
        {
            int captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8));
            records.Add(file[(at + 16)..(at + 16 + captured)]);
            at += 16 + captured;
        }
        return records;
    }

    /// <summary>A connected socket, or null while the path is missing or not yet listening.</summary>
    private static Socket? TryConnect(string path)
    {
        var peer = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            peer.Connect(new UnixDomainSocketEndPoint(path));
            return peer;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused
            or SocketError.AddressNotAvailable)
        {
            peer.Dispose();
            return null;
        }
    }

    private static void Wait(Func<bool> done, TapnetProcess tapnet, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!done())
        {
            Assert.False(tapnet.HasExited, $"tapnet exited waiting for {what}: {tapnet.Stderr}");
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {Limit.TotalSeconds} s: {tapnet.Stderr}");
            Thread.Sleep(50);
        }
    }
}
