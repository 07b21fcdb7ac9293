using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Frontend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Linux;
using Tap.Sim;

namespace Tap.Cli;

/// <summary>
/// Composition: which kernel the core runs on is a registration, not an if. A host registers its kernel under
/// <see cref="KernelKey"/> and <see cref="IOsNet"/> as that kernel; a decorator such as the trace recorder adds a
/// later <see cref="IOsNet"/> registration built around the keyed one, which the container then resolves.
/// </summary>
public static class Services
{
    /// <summary>The key of the kernel itself, beneath any decorator.</summary>
    public const string KernelKey = "kernel";

    /// <summary>The real Linux kernel: the loop <paramref name="io"/> asks for (epoll, or io_uring with a one-line
    /// fallback to epoll), LinuxOsNet. tapnet makes, runs and changes its loop on its main thread only (signals
    /// reach it by waking it, the metrics endpoint not at all), so an io_uring loop is made for one thread.</summary>
    public static IServiceCollection AddLinuxHost(
        this IServiceCollection services, string programName, TextWriter stderr, IoMode io = IoMode.Epoll) =>
        services
            .AddSingleton(_ => MainLoops.Create(io, line => stderr.WriteLine($"{programName}: warning: {line}"),
                oneThread: true))
            .AddKernel(sp => new LinuxOsNet(sp.GetRequiredService<IMainLoop>(), new LinuxOsNetOptions
            {
                ProgramName = programName,
                ReportSink = d => stderr.WriteLine(d.Format(programName)),
            }))
            .AddSingleton<IRunLoop>(sp => new EpollRunLoop(
                sp.GetRequiredService<IMainLoop>(), (LinuxOsNet)sp.GetRequiredKeyedService<IOsNet>(KernelKey)));

    /// <summary>The simulated kernel with <paramref name="seed"/>, and its loop.</summary>
    public static IServiceCollection AddSimHost(
        this IServiceCollection services, ulong seed, Action<SimKernel>? configure = null) =>
        services
            .AddSingleton(_ =>
            {
                var kernel = new SimKernel(seed);
                configure?.Invoke(kernel);
                return kernel;
            })
            .AddKernel(sp => sp.GetRequiredService<SimKernel>())
            .AddSingleton<IRunLoop>(sp => new SimRunLoop(sp.GetRequiredService<SimKernel>()));

    /// <summary>What every front end needs whatever the kernel.</summary>
    public static IServiceCollection AddTapnetCore(this IServiceCollection services) =>
        services
            .AddSingleton<NetStack>()
            .AddSingleton<NetMetrics>() // observable instruments: nothing runs until a listener collects
            .AddSingleton(new NetdevEnvironment())
            .AddSingleton<NetdevRunner>();

    /// <summary>
    /// systemd's readiness notification when <c>NOTIFY_SOCKET</c> is set (docs/service.md), else nothing.
    /// </summary>
    public static IServiceCollection AddServiceNotifier(
        this IServiceCollection services, string programName, TextWriter stderr) =>
        ServiceNotifier.FromEnvironment(programName, stderr) is { } notifier
            ? services.AddSingleton(_ => notifier) // a factory, so that the provider disposes it
            : services;

    private static IServiceCollection AddKernel(
        this IServiceCollection services, Func<IServiceProvider, IOsNet> kernel) =>
        services
            .AddKeyedSingleton<IOsNet>(KernelKey, (sp, _) => kernel(sp))
            .AddSingleton(sp => sp.GetRequiredKeyedService<IOsNet>(KernelKey));
}
