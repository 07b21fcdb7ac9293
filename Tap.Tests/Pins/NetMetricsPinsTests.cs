using System.Diagnostics.Metrics;
using Tap.Core.Net;

namespace Tap.Tests.Pins;

/// <summary>
/// The description each instrument of the <c>tapnet</c> meter publishes: what an exporter prints as the series' help
/// text (Prometheus <c># HELP</c>) and dotnet-counters lists. The words are the README's metrics table's.
/// </summary>
public sealed class NetMetricsPinsTests
{
    [Fact(DisplayName = "Metrics: every instrument carries its description")]
    public void Descriptions()
    {
        using var metrics = new NetMetrics(new NetStack());
        var seen = new Dictionary<string, string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) =>
            {
                if (ReferenceEquals(i.Meter, metrics.Meter))
                {
                    seen.Add(i.Name, i.Description);
                }
            },
        };
        listener.Start();
        var expected = new Dictionary<string, string?>
        {
            ["tapnet.packets"] = "Packets a netdev passed on: tx read from its host interface, rx written to it",
            ["tapnet.bytes"] = "Bytes of those packets",
            ["tapnet.drops"] = "Packets lost, by reason",
            ["tapnet.stalls"] =
                "eagain: a write to the host returned EAGAIN (R13); back-pressure: the peer queued (R21)",
            ["tapnet.queue.length"] = "Packets waiting in a netdev's incoming queue for delivery to it",
            ["tapnet.program.runs"] = "Network scripts and bridge helper runs, by program and how they ended",
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key), seen.OrderBy(kv => kv.Key));
    }
}
