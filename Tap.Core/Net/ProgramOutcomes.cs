using Tap.Core.Os;

namespace Tap.Core.Net;

/// <summary>The external programs a netdev runs (docs/scripts-and-helpers.md).</summary>
public enum ProgramKind
{
    UpScript,
    DownScript,
    BridgeHelper,
}

/// <summary>
/// How often each network script and the bridge helper ended each way, counted as they end: rare events (creation
/// and deletion of a netdev), on the loop's thread, read by <see cref="NetMetrics"/> on collection.
/// </summary>
public sealed class ProgramOutcomes
{
    /// <summary>Outcome tags: <c>ok</c> is exit status 0, <c>failed</c> any other exit status, then how the
    /// child ended otherwise (<see cref="ChildEnd"/>).</summary>
    public static readonly string[] Outcomes =
        ["ok", "failed", "signaled", "exec-failed", "spawn-failed", "wait-failed", "timed-out"];

    private readonly long[,] _counts = new long[Enum.GetValues<ProgramKind>().Length, Outcomes.Length];

    /// <summary>Runs of <paramref name="kind"/> that ended as <c>Outcomes[outcome]</c>.</summary>
    public long Count(ProgramKind kind, int outcome) => _counts[(int)kind, outcome];

    internal void Record(ProgramKind kind, ChildOutcome child) => _counts[(int)kind, Index(child)]++;

    private static int Index(ChildOutcome child) => child.Succeeded ? 0 : child.End switch
    {
        ChildEnd.Exited => 1,
        ChildEnd.Signaled => 2,
        ChildEnd.ExecFailed => 3,
        ChildEnd.SpawnFailed => 4,
        ChildEnd.WaitFailed => 5,
        _ => 6,
    };
}
