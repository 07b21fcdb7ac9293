using Tap.Core.Net;

namespace Tap.Cli;

/// <summary>
/// What crossed the demo's two taps, per direction, in the same words for a real and a simulated run.
/// </summary>
internal static class DemoSummary
{
    public static void Print(TextWriter o, NetClient a, NetClient b, string udp, string tcp)
    {
        o.WriteLine("what crossed tapnet:");
        Line(o, "a -> b", a.Counters, b.Counters);
        Line(o, "b -> a", b.Counters, a.Counters);
        o.WriteLine($"  udp     {udp}");
        o.WriteLine($"  tcp     {tcp}");
    }

    private static void Line(TextWriter o, string direction, NetCounters from, NetCounters to) =>
        o.WriteLine(
            $"  {direction}  read {from.SentPackets} pkts {from.SentBytes} B   " +
            $"written {to.ReceivedPackets} pkts {to.ReceivedBytes} B   " +
            $"drops {from.TotalDrops + to.TotalDrops}   EAGAIN stalls {to.EagainStalls}   " +
            $"back-pressure stalls {from.PeerBackpressureStalls}");
}
