using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Os;
using Tap.Linux;

namespace Tap.Cli;

/// <summary>Composition: which kernel the core runs on is a registration, not an if.</summary>
public static class Services
{
    /// <summary>The real Linux kernel: epoll loop, LinuxOsNet.</summary>
    public static IServiceCollection AddLinuxHost(this IServiceCollection services, string programName, TextWriter stderr) =>
        services
            .AddSingleton<EpollLoop>()
            .AddSingleton(sp => new LinuxOsNet(sp.GetRequiredService<EpollLoop>(), new LinuxOsNetOptions
            {
                ProgramName = programName,
                ReportSink = d => stderr.WriteLine(d.Format(programName)),
            }))
            .AddSingleton<IOsNet>(sp => sp.GetRequiredService<LinuxOsNet>())
            .AddSingleton<IRunLoop, EpollRunLoop>();

    /// <summary>What every front end needs whatever the kernel.</summary>
    public static IServiceCollection AddTapnetCore(this IServiceCollection services) =>
        services
            .AddSingleton<NetStack>()
            .AddSingleton(new NetdevEnvironment())
            .AddSingleton<NetdevRunner>();
}
