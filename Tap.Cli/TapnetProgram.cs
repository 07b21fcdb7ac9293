using Microsoft.Extensions.DependencyInjection;
using Tap.Core.Frontend;

namespace Tap.Cli;

/// <summary>The <c>tapnet</c> front end.</summary>
public static class TapnetProgram
{
    /// <summary>The name QEMU-style messages start with: the executable's name, as QEMU uses argv[0].</summary>
    public static string ProgramName
    {
        get
        {
            string name = Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "tapnet");
            return name is "dotnet" or "" ? "tapnet" : name;
        }
    }

    public static int Run(string[] argv, TextWriter stdout, TextWriter stderr)
    {
        string program = ProgramName;
        if (argv.Length > 0 && argv[0] == "sim")
        {
            return SimCommand.Run(program, argv[1..], stdout, stderr);
        }
        if (argv.Length > 0 && argv[0] == "replay")
        {
            return ReplayCommand.Run(program, argv[1..], stdout, stderr);
        }
        if (argv.Length > 0 && argv[0] == "demo")
        {
            if (argv.Skip(1).Any(a => a is "-h" or "--help"))
            {
                stdout.WriteLine(HelpText.Demo);
                return 0;
            }
            var unknown = argv.Skip(1).FirstOrDefault(a => a != "--sim");
            if (unknown is not null)
            {
                stderr.WriteLine($"{program}: demo: invalid option '{unknown}' (try tapnet demo --help)");
                return 2;
            }
            return DemoCommand.Run(program, argv.Contains("--sim"), stdout, stderr);
        }
        var (args, usage) = CliArguments.Parse(argv);
        if (args is null)
        {
            stderr.WriteLine($"{program}: {usage}");
            return 2;
        }
        if (args.Help)
        {
            stdout.WriteLine(HelpText.Usage);
            return 0;
        }
        if (args.Version)
        {
            stdout.WriteLine($"tapnet {typeof(TapnetProgram).Assembly.GetName().Version?.ToString(3)}");
            return 0;
        }
        if (args.Netdevs.Count == 0)
        {
            stderr.WriteLine($"{program}: no -netdev given (try --help)");
            return 2;
        }

        Tap.Linux.RunAsUser? runAs = null;
        if (args.RunAs is { } spec)
        {
            // As QEMU: the user is looked up while the command line is read, before anything is built.
            (runAs, string? unknown) = Tap.Linux.RunAsUser.Resolve(spec);
            if (runAs is null)
            {
                stderr.WriteLine($"{program}: {unknown}");
                return 1;
            }
        }

        FileTraceSink? traceFile = null;
        if (args.TracePath is { } tracePath)
        {
            try
            {
                traceFile = new FileTraceSink(tracePath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{program}: --trace {tracePath}: cannot write the trace: {e.Message}");
                return 2;
            }
        }
        using (traceFile)
        {
            var services = new ServiceCollection()
                .AddTapnetCore()
                .AddLinuxHost(program, stderr, args.Io)
                .AddServiceNotifier(program, stderr);
            if (traceFile is not null)
            {
                services.AddTraceRecorder(traceFile, args);
            }
            using var provider = services.BuildServiceProvider();
            var recorder = provider.GetService<Tap.Trace.RecordingOsNet>();
            provider.GetRequiredService<Tap.Core.Net.NetStack>().EventObserver = recorder;
            provider.GetRequiredService<Tap.Core.Net.NetMetrics>(); // published from the start, for dotnet-counters
            PrometheusEndpoint? endpoint = null;
            if (args.Metrics is { } address)
            {
                (endpoint, string? error) = PrometheusEndpoint.Start(address);
                if (endpoint is null)
                {
                    stderr.WriteLine($"{program}: --metrics={address.Host}:{address.Port}: cannot listen: {error}");
                    return 1;
                }
            }
            using var metricsEndpoint = endpoint;
            int status = RunNetdevs(program, args, runAs, provider, stdout, stderr);
            // Only a run that got here ends its trace: one stopped by a crash is left without its end record.
            recorder?.End();
            return status;
        }
    }

    private static int RunNetdevs(
        string program, CliArguments args, Tap.Linux.RunAsUser? runAs, IServiceProvider provider, TextWriter stdout,
        TextWriter stderr)
    {
        var runner = provider.GetRequiredService<NetdevRunner>();
        switch (runner.Build(program, args.Netdevs, stdout, stderr))
        {
            case NetdevBuildStatus.Help:
                return 0;
            case NetdevBuildStatus.Failed:
                return 1;
        }
        if (runner.AttachCaptures(program, args.Objects, stderr) != 0)
        {
            // As QEMU's exit(1): the down scripts of the netdevs already made run (R41).
            runner.ExitWithNetdevs();
            return 1;
        }
        runner.PlanOffloads(args.Offload);
        // Before --runas, as QEMU opens its monitor sockets before -runas: a path root alone may write (/run) works.
        Tap.Linux.UnixControlListener? control = null;
        if (args.ControlPath is { } controlPath)
        {
            var commands = new ControlCommands(runner.Driver);
            (control, string? error) = Tap.Linux.UnixControlListener.Start(
                controlPath, provider.GetRequiredService<Tap.Linux.IMainLoop>(), commands.Handle);
            if (control is null)
            {
                stderr.WriteLine($"{program}: --control={controlPath}: cannot listen: {error}");
                runner.ExitWithNetdevs();
                return 1;
            }
        }
        using var controlListener = control;
        var stack = provider.GetRequiredService<Tap.Core.Net.NetStack>();
        if (runAs is not null && RunAsDrop.Apply(program, runAs, stack, stderr) != 0)
        {
            runner.ExitWithNetdevs();
            return 1;
        }
        var stats = new StatsReporter(stack, stdout, args.StatsJson);
        runner.RunUntilStopped(stats, args.StatsSeconds is { } secs ? TimeSpan.FromSeconds(secs) : null);
        return 0;
    }
}
