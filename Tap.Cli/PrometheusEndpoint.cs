using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Tap.Core.Net;

namespace Tap.Cli;

/// <summary>
/// <c>--metrics=HOST:PORT</c>: the tapnet meter in Prometheus' text format at <c>http://HOST:PORT/metrics</c>,
/// by OpenTelemetry's Prometheus exporter on its own HttpListener (README, Metrics: why this library). It
/// collects when scraped, on the listener's thread, so the loop does nothing for it.
/// </summary>
public sealed class PrometheusEndpoint : IDisposable
{
    private readonly MeterProvider _provider;

    private PrometheusEndpoint(MeterProvider provider) => _provider = provider;

    /// <summary>Listens on <paramref name="address"/>, or returns why it cannot.</summary>
    public static (PrometheusEndpoint? Endpoint, string? Error) Start(MetricsAddress address)
    {
        try
        {
            var provider = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("tapnet"))
                .AddMeter(NetMetrics.MeterName)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = address.Host;
                    o.Port = address.Port;
                    // The exporter's default answers scrapes within 300 ms of the last with that one's numbers:
                    // a scrape right after traffic must count it, and collecting reads a few counters.
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                })
                .Build();
            return (new PrometheusEndpoint(provider), null);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Net.HttpListenerException)
        {
            return (null, (e.InnerException ?? e).Message);
        }
    }

    public void Dispose() => _provider.Dispose();
}
