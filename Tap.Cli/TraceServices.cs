using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Os;
using Tap.Trace;

namespace Tap.Cli;

/// <summary><c>--trace</c>: a recorder is registered around the kernel (a decorator); nothing else changes.</summary>
public static class TraceServices
{
    /// <summary>
    /// Records every call to the host's kernel (<see cref="Services.KernelKey"/>) into <paramref name="sink"/>: the
    /// recorder is registered as the <see cref="IOsNet"/> everything resolves, around the kernel beneath it.
    /// </summary>
    public static IServiceCollection AddTraceRecorder(this IServiceCollection services, ITraceSink sink,
        CliArguments args)
    {
        services.AddSingleton(sp =>
        {
            var header = new TraceHeader
            {
                TapnetVersion = typeof(TraceServices).Assembly.GetName().Version?.ToString(3) ?? "",
                Kernel = KernelRelease(),
                Payloads = args.TracePayloads,
                Netdevs = args.Netdevs.Select(n => new TraceNetdev(n.Option, n.Value)).ToList(),
                Environment = sp.GetRequiredService<NetdevEnvironment>(),
            };
            return new RecordingOsNet(sp.GetRequiredKeyedService<IOsNet>(Services.KernelKey),
                new TraceWriter(sink, header));
        });
        services.AddSingleton<IOsNet>(sp => sp.GetRequiredService<RecordingOsNet>());
        services.AddSingleton<IFrontendEvents>(sp => new TraceFrontendEvents(sp.GetRequiredService<RecordingOsNet>()));
        return services;
    }

    /// <summary><c>uname -r</c>, as the kernel publishes it.</summary>
    public static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
