using System.Buffers.Binary;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// <c>-object filter-dump</c>: tapnet writes a pcap of a netdev's traffic in both directions that the real tcpdump
/// and tshark read; maxlen cuts the captured bytes, not the recorded length.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class CaptureTests(ITestOutputHelper output)
{
    [SkippableFact(DisplayName = "filter-dump: a pcap of both directions, read by tcpdump (and tshark), maxlen honoured")]
    public async Task CaptureBothDirections()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireTool(output, "tcpdump", "tcpdump");
        LinuxTestGate.RequireTool(output, "tshark", "tshark");
        using var home = TestNetns.Create();
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        using var dir = new TempDir();
        string pcap = dir.File_("t0.pcap");
        using (var tapnet = TapnetProcess.Start(home.Name,
            "-netdev", "tap,id=t0,ifname=cpa,script=no,downscript=no",
            "-netdev", "tap,id=t1,ifname=cpb,script=no,downscript=no",
            "-netdev", "hubport,id=h0,hubid=0,netdev=t0",
            "-netdev", "hubport,id=h1,hubid=0,netdev=t1",
            "-object", $"filter-dump,id=f0,netdev=t0,file={pcap},maxlen=100"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (HostCommand.TryRun("ip", "-n", home.Name, "link", "show", "cpb").Code != 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "tapnet did not create cpb within 20 s");
                await Task.Delay(50);
            }
            home.Ip("link", "set", "cpa", "netns", a.Name);
            home.Ip("link", "set", "cpb", "netns", b.Name);
            a.Ip("addr", "add", "169.254.30.1/24", "dev", "cpa");
            b.Ip("addr", "add", "169.254.30.2/24", "dev", "cpb");
            a.Ip("link", "set", "cpa", "up");
            b.Ip("link", "set", "cpb", "up");
            // Five UDP datagrams of 500 bytes echoed back: requests leave t0's host, replies come back to it.
            var echo = Task.Run(() => b.Exec("python3", "-c",
                "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('169.254.30.2',7777))\ns.settimeout(10)\n" +
                "for _ in range(5):\n    d,p=s.recvfrom(2048); s.sendto(d,p)\n"));
            b.WaitListening("udp", 7777, TimeSpan.FromSeconds(20));
            a.Exec("python3", "-c",
                "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(5)\n" +
                "for _ in range(5):\n    s.sendto(b'x'*500,('169.254.30.2',7777)); s.recvfrom(2048)\n");
            await echo.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, tapnet.Terminate(TimeSpan.FromSeconds(10)));
        }

        var bytes = File.ReadAllBytes(pcap);
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(100u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        int records = 0, cut = 0;
        for (int p = 24; p < bytes.Length;)
        {
            int caplen = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 8));
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 12));
            Assert.True(caplen <= 100 && caplen <= len);
            cut += len > caplen ? 1 : 0;
            records++;
            p += 16 + caplen;
        }
        Assert.True(cut >= 10, $"{cut} records were cut to maxlen");

        var (code, text, err) = HostCommand.TryRun("tcpdump", "-nn", "-r", pcap);
        output.WriteLine(text + err);
        Assert.Equal(0, code);
        Assert.Equal(5, text.Split('\n').Count(l => l.Contains("> 169.254.30.2.7777: UDP, length 500", StringComparison.Ordinal)));
        Assert.Equal(5, text.Split('\n').Count(l => l.Contains("169.254.30.2.7777 > 169.254.30.1.", StringComparison.Ordinal) && l.Contains("UDP, length 500", StringComparison.Ordinal)));
        var (tcode, ttext, _) = HostCommand.TryRun("tshark", "-r", pcap);
        output.WriteLine(ttext);
        Assert.Equal(0, tcode);
        Assert.Equal(10, ttext.Split('\n').Count(l => l.Contains("UDP", StringComparison.Ordinal) && l.Contains("7777", StringComparison.Ordinal)));
    }

    [SkippableTheory(DisplayName = "filter-dump: QEMU's messages for a bad -object")]
    [InlineData("filter-dump,id=f0,netdev=nope,file=/tmp/x.pcap", "tapnet: Parameter 'netdev' expects a network backend id")]
    [InlineData("filter-dump,id=f0,file=/tmp/x.pcap", "tapnet: -object filter-dump,id=f0,file=/tmp/x.pcap: Parameter 'netdev' is missing")]
    [InlineData("filter-dump,id=f0,netdev=t0", "tapnet: -object filter-dump,id=f0,netdev=t0: Parameter 'file' is missing")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=/tmp/x.pcap,maxlen=abc", "tapnet: -object filter-dump,id=f0,netdev=t0,file=/tmp/x.pcap,maxlen=abc: Parameter 'maxlen' expects a uint64 value")]
    [InlineData("filter-dump,netdev=t0,file=/tmp/x", "tapnet: -object filter-dump,netdev=t0,file=/tmp/x: Parameter 'id' is missing")]
    [InlineData("bogus,id=x", "tapnet: -object bogus,id=x: Parameter 'qom-type' does not accept value 'bogus'")]
    public void BadObjects(string obj, string message)
    {
        LinuxTestGate.RequireTun(output);
        using var ns = TestNetns.Create();
        var (code, _, stderr) = TapnetProcess.RunToEnd(ns.Name, TimeSpan.FromSeconds(20), "-netdev", "tap,id=t0,script=no,downscript=no", "-object", obj);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr.Split('\n').Select(l => l.Trim()));
    }
}
