using System.Diagnostics.Metrics;
using System.Globalization;
using Tap.Cli;

namespace Tap.Tests.Metrics;

/// <summary>
/// The text format tapnet's <c>--metrics</c> serves, from meters of the test's own (a unique name each, so that
/// the tests' other meters, all named tapnet, are not collected). Expected text is written out in full.
/// </summary>
public sealed class PrometheusExpositionTests
{
    private static string UniqueName() => "exposition-test-" + Guid.NewGuid().ToString("N");

    [Fact(DisplayName = "Prometheus text: families sorted, _total on counters, _bytes for By, labels sorted and quoted")]
    public void FamiliesAndSeries()
    {
        string name = UniqueName();
        using var meter = new Meter(name);
        meter.CreateObservableGauge("demo.queue.length", () => new[]
        {
            new Measurement<int>(3, new KeyValuePair<string, object?>("netdev", "t1"),
                new KeyValuePair<string, object?>("direction", "rx")),
        }, "{packet}", "Queued");
        meter.CreateObservableCounter("demo.sent", () => new[]
        {
            new Measurement<long>(1500, new KeyValuePair<string, object?>("queue", 0),
                new KeyValuePair<string, object?>("netdev", "t0")),
            new Measurement<long>(64, new KeyValuePair<string, object?>("queue", 1),
                new KeyValuePair<string, object?>("netdev", "t0")),
        }, "By", "Bytes sent");
        meter.CreateObservableCounter("demo.bytes", () => 7L, "By", "Already bytes");
        using var exposition = new PrometheusExposition(name);

        Assert.Equal(
            "# HELP demo_bytes_total Already bytes\n" +
            "# TYPE demo_bytes_total counter\n" +
            "demo_bytes_total 7\n" +
            "# HELP demo_queue_length Queued\n" +
            "# TYPE demo_queue_length gauge\n" +
            "demo_queue_length{direction=\"rx\",netdev=\"t1\"} 3\n" +
            "# HELP demo_sent_bytes_total Bytes sent\n" +
            "# TYPE demo_sent_bytes_total counter\n" +
            "demo_sent_bytes_total{netdev=\"t0\",queue=\"0\"} 1500\n" +
            "demo_sent_bytes_total{netdev=\"t0\",queue=\"1\"} 64\n",
            exposition.Collect());
    }

    [Fact(DisplayName = "Prometheus text: each collection measures anew; equal tag sets are added up, never repeated")]
    public void EachCollectionMeasuresAnew()
    {
        string name = UniqueName();
        using var meter = new Meter(name);
        long sent = 5;
        meter.CreateObservableCounter("demo.packets", () => new[]
        {
            new Measurement<long>(sent, new KeyValuePair<string, object?>("netdev", "t0")),
            new Measurement<long>(2, new KeyValuePair<string, object?>("netdev", "t0")),
        });
        using var exposition = new PrometheusExposition(name);

        Assert.Equal("# TYPE demo_packets_total counter\ndemo_packets_total{netdev=\"t0\"} 7\n", exposition.Collect());
        sent = 40;
        Assert.Equal("# TYPE demo_packets_total counter\ndemo_packets_total{netdev=\"t0\"} 42\n", exposition.Collect());
    }

    [Fact(DisplayName = "Prometheus text: a tag without a value is an empty label; a number is invariant, anything else its text")]
    public void TagValuesOfEveryKind()
    {
        string name = UniqueName();
        using var meter = new Meter(name);
        meter.CreateObservableGauge("demo.kinds", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("a", null), new KeyValuePair<string, object?>("b", 1.5),
            new KeyValuePair<string, object?>("c", true), new KeyValuePair<string, object?>("d", 'x'),
            new KeyValuePair<string, object?>("e", new NoText())));
        using var exposition = new PrometheusExposition(name);

        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma where the process's culture has one must not reach the exposition.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(
                "# TYPE demo_kinds gauge\n" +
                "demo_kinds{a=\"\",b=\"1.5\",c=\"True\",d=\"x\",e=\"\"} 1\n",
                exposition.Collect());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>A tag value whose text is null, as <see cref="object.ToString"/> allows.</summary>
    private sealed class NoText
    {
        public override string? ToString() => null;
    }

    [Fact(DisplayName = "Prometheus text: label values escape backslash, quote and line feed; HELP escapes two")]
    public void Escaping()
    {
        string name = UniqueName();
        using var meter = new Meter(name);
        meter.CreateObservableGauge("demo.odd", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("id", "a\\b\"c\nd")), description: "one\\two\nthree \"q\"");
        using var exposition = new PrometheusExposition(name);

        Assert.Equal(
            "# HELP demo_odd one\\\\two\\nthree \"q\"\n" +
            "# TYPE demo_odd gauge\n" +
            "demo_odd{id=\"a\\\\b\\\"c\\nd\"} 1\n",
            exposition.Collect());
    }

    [Fact(DisplayName = "Prometheus text: a meter made after the endpoint is collected, a disposed one no longer")]
    public void MetersComeAndGo()
    {
        string name = UniqueName();
        using var exposition = new PrometheusExposition(name);
        Assert.Equal("", exposition.Collect());

        var meter = new Meter(name);
        meter.CreateObservableCounter("demo.runs", () => 1L);
        using var other = new Meter(UniqueName());
        other.CreateObservableCounter("demo.elsewhere", () => 9L);
        Assert.Equal("# TYPE demo_runs_total counter\ndemo_runs_total 1\n", exposition.Collect());

        meter.Dispose();
        Assert.Equal("", exposition.Collect());
    }

    [Fact(DisplayName = "Prometheus text: an up-down counter is a gauge; a recorded (not observable) instrument is left out")]
    public void KindsOfInstrument()
    {
        string name = UniqueName();
        using var meter = new Meter(name);
        meter.CreateObservableUpDownCounter("demo.level", () => -2L);
        var recorded = meter.CreateCounter<long>("demo.recorded");
        using var exposition = new PrometheusExposition(name);
        recorded.Add(5);

        Assert.Equal("# TYPE demo_level gauge\ndemo_level -2\n", exposition.Collect());
    }
}
