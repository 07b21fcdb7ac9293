using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Init;
using Tap.Core.Os;
using Tap.Core.Trace;

namespace Tap.Cli;

/// <summary><c>--trace</c>: the kernel registration gets a recorder in front of it; nothing else changes.</summary>
public static class TraceServices
{
    /// <summary>Records every call to the kernel registered before this into <paramref name="sink"/>.</summary>
    public static IServiceCollection AddTraceRecorder(this IServiceCollection services, ITraceSink sink, CliArguments args)
    {
        var kernel = services.LastOrDefault(d => d.ServiceType == typeof(IOsNet))
            ?? throw new InvalidOperationException("register a kernel (IOsNet) before the trace recorder");
        services.Remove(kernel);
        services.AddSingleton(sp =>
        {
            IOsNet inner = kernel.ImplementationFactory is { } factory ? (IOsNet)factory(sp) : (IOsNet)kernel.ImplementationInstance!;
            var header = new TraceHeader
            {
                TapnetVersion = typeof(TraceServices).Assembly.GetName().Version?.ToString(3) ?? "",
                Kernel = KernelRelease(),
                Payloads = args.TracePayloads,
                Netdevs = args.Netdevs.Select(n => new TraceNetdev(n.Option, n.Value)).ToList(),
                Environment = sp.GetRequiredService<NetdevEnvironment>(),
            };
            return new RecordingOsNet(inner, new TraceWriter(sink, header));
        });
        services.AddSingleton<IOsNet>(sp => sp.GetRequiredService<RecordingOsNet>());
        services.AddSingleton<ITraceEvents>(sp => sp.GetRequiredService<RecordingOsNet>());
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
