using Tap.Core.Os;

namespace Tap.Linux;

/// <summary>Settings of <see cref="LinuxOsNet"/>.</summary>
public sealed record LinuxOsNetOptions
{
    /// <summary>QEMU waits for scripts and helpers forever (D-14); we kill them after this long.</summary>
    public static readonly TimeSpan DefaultChildTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The prefix of error and warning lines (<see cref="Diagnostic.Format"/>).</summary>
    public string ProgramName { get; init; } = "tapnet";

    /// <summary>How long a network script, or a bridge helper (sending and exiting), may take.</summary>
    public TimeSpan ChildTimeout { get; init; } = DefaultChildTimeout;

    /// <summary>
    /// Where <see cref="LinuxOsNet.Report"/> goes; null: standard error with <see cref="ProgramName"/>.
    /// </summary>
    public Action<Diagnostic>? ReportSink { get; init; }
}
