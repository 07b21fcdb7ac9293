using System.Buffers.Binary;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// Back-pressure on a real kernel: the tap is a bridge port whose way out is a veth shaped by a tbf qdisc, the tap
/// has a small sndbuf, a sender offers frames as fast as the tap takes them. Every frame offered must arrive.
/// linux-tun.md §7 says EAGAIN on a tap write needs the written packets held downstream; on this kernel even 90 KB
/// queued behind a 2 Mbit/s tbf with a 16 KB sndbuf gave no EAGAIN (the receive path frees the tap's charge before
/// the qdisc), so the EAGAIN stalls are reported, not required; R13/R16 are proven in the simulator. The frames must
/// also arrive in the order written, on epoll and on io_uring (docs/io-uring.md, write order).
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class BackPressureOnLinuxTests(ITestOutputHelper output)
{
    private const int Frames = 3000;
    private static readonly byte[] SourceMac = [0x02, 0x00, 0x00, 0x00, 0x20, 0x01];

    private const string Receiver = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("169.254.20.2", 5557))
s.settimeout(8)
seen = set()
last = -1
late = 0
print("ready", flush=True)
try:
    while len(seen) < int(sys.argv[1]):
        data, _ = s.recvfrom(2048)
        n = int(data[:8])
        late += n < last
        last = max(last, n)
        seen.add(n)
except socket.timeout:
    pass
print(len(seen), late, flush=True)
""";

    /// <summary>A guest-like sender: one frame at a time, waiting for the completion when the tap queued it.</summary>
    private sealed class Source(NetStack stack, NetClient tap) : NetClient(stack, tap, "flood", "src"), INetCompletion
    {
        public int Completed { get; private set; }
        public override int Receive(ReadOnlySpan<byte> packet) => packet.Length;
        public void OnSendCompleted(NetClient sender, int length) => Completed++;
    }

    [SkippableFact(DisplayName = "Traffic on Linux: a small sndbuf behind a shaped bridge port; every frame offered arrives, none dropped")]
    public async Task EagainPath()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireFile(output, "/usr/bin/python3", "python3");
        using var b = TestNetns.Create();
        using var c = TestNetns.Create();
        using var dir = new TempDir();
        var rx = dir.Write("rx.py", Receiver, executable: false);

        b.Ip("link", "add", "vb", "type", "veth", "peer", "name", "vc");
        b.Ip("link", "set", "vc", "netns", c.Name);
        c.Ip("addr", "add", "169.254.20.2/24", "dev", "vc");
        c.Ip("link", "set", "vc", "up");
        b.Ip("link", "add", "brb", "type", "bridge");
        b.Ip("link", "set", "vb", "master", "brb");
        b.Ip("link", "set", "vb", "up");
        b.Ip("link", "set", "brb", "up");
        b.Exec("tc", "qdisc", "add", "dev", "vb", "root", "tbf", "rate", "40mbit", "burst", "32kbit", "limit", "16mb");
        var mac = Convert.FromHexString(c.Ip("-br", "link", "show", "vc").Split(' ', StringSplitOptions.RemoveEmptyEntries)[2].Replace(":", ""));

        var receiver = Task.Run(() => c.Exec("python3", rx, Frames.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        c.WaitListening("udp", 5557, TimeSpan.FromSeconds(20));

        var (eagain, written, drops) = b.Run(() =>
        {
            using var rig = new LinuxHost();
            var stack = new NetStack();
            var r = TapInit.Run(stack, rig.Os, new NetdevEnvironment(),
                new TapOptions { Id = "t0", Ifname = "tnb", Script = "no", Downscript = "no", Sndbuf = 16384, VnetHdr = false });
            Assert.Null(r.Error);
            var tap = (TapBackend)r.Created[0];
            b.Ip("link", "set", "tnb", "master", "brb");
            b.Ip("link", "set", "tnb", "up");
            var src = new Source(stack, tap);
            var frame = new byte[300];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            for (int i = 0; i < Frames && DateTime.UtcNow < deadline; i++)
            {
                BuildUdp(frame, mac, i);
                if (src.SendAsync(frame, src) == 0)
                {
                    int want = src.Completed + 1;
                    while (src.Completed < want && DateTime.UtcNow < deadline)
                    {
                        rig.Loop.RunOnce(50);
                    }
                }
            }
            // On io_uring the core's EAGAIN means every write slot is in flight; what the kernel refused is counted
            // by the loop.
            if (rig.Loop is Tap.Linux.UringLoop uring)
            {
                output.WriteLine($"io_uring: writes the kernel handed back with EAGAIN {uring.KernelWriteRetries}");
            }
            var result = (tap.Counters.EagainStalls, tap.Counters.ReceivedPackets, tap.Counters.TotalDrops);
            stack.DeleteAll();
            return result;
        });

        var last = (await receiver.WaitAsync(TimeSpan.FromSeconds(40))).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]
            .Split(' ').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int received = last[0], late = last[1];
        output.WriteLine($"EAGAIN stalls {eagain}, frames written {written}, drops {drops}, received {received}, "
            + $"arrived after a later one {late}");
        Assert.Equal(Frames, written);
        Assert.Equal(0, drops);
        Assert.Equal(Frames, received);
        Assert.Equal(0, late); // in the order written (docs/io-uring.md: write order)
    }

    /// <summary>Ethernet + IPv4 + UDP to 169.254.20.2:5557 from 169.254.20.1, payload starting with the 8-digit sequence.</summary>
    private static void BuildUdp(byte[] f, byte[] dstMac, int seq)
    {
        Array.Clear(f);
        dstMac.CopyTo(f, 0);
        SourceMac.CopyTo(f, 6);
        f[12] = 0x08;
        var ip = f.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(f.Length - 14));
        ip[8] = 64;
        ip[9] = 17;
        new byte[] { 169, 254, 20, 1 }.CopyTo(ip[12..]);
        new byte[] { 169, 254, 20, 2 }.CopyTo(ip[16..]);
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        }
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        var udp = f.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 4000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 5557);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(f.Length - 34));
        System.Text.Encoding.ASCII.GetBytes(seq.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)).CopyTo(udp[8..]);
    }
}
