using Tap.Cli;
using Tap.Core.Net;

namespace Tap.Tests.CommandLine;

/// <summary>The closing lines of <c>tapnet demo</c> (real or <c>--sim</c>): per direction, what one tap read and the
/// other wrote, drops on both sides, the writer's EAGAIN stalls and the reader's back-pressure stalls.</summary>
public sealed class DemoSummaryTests
{
    [Fact(DisplayName = "demo: what crossed tapnet, a -> b and b -> a, then the traffic's own verdicts")]
    public void Lines()
    {
        var stack = new NetStack();
        var a = new PlainTap(stack, "a");
        var b = new PlainTap(stack, "b");
        for (int i = 0; i < 3; i++)
        {
            a.Counters.CountSent(100);
        }
        b.Counters.CountReceived(100);
        b.Counters.CountReceived(100);
        a.Counters.CountDrop(DropReason.NoPeer);
        b.Counters.CountDrop(DropReason.Oversize);
        b.Counters.CountDrop(DropReason.WriteError);
        b.Counters.EagainStalls = 4;
        a.Counters.PeerBackpressureStalls = 6;
        b.Counters.CountSent(60);
        a.Counters.CountReceived(60);
        var o = new StringWriter { NewLine = "\n" };

        DemoSummary.Print(o, a, b, "2000 datagrams sent, 2000 received", "sha256 matches");

        Assert.Equal(
            "what crossed tapnet:\n" +
            "  a -> b  read 3 pkts 300 B   written 2 pkts 200 B   drops 3   EAGAIN stalls 4   back-pressure stalls 6\n" +
            "  b -> a  read 1 pkts 60 B   written 1 pkts 60 B   drops 3   EAGAIN stalls 0   back-pressure stalls 0\n" +
            "  udp     2000 datagrams sent, 2000 received\n" +
            "  tcp     sha256 matches\n",
            o.ToString());
    }
}
