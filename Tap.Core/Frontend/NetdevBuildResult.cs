namespace Tap.Core.Frontend;

/// <summary>How building a command line's netdevs ended.</summary>
public enum NetdevBuildStatus
{
    /// <summary>Every netdev exists.</summary>
    Built,

    /// <summary>
    /// An argument asked for help (<c>-netdev help</c>, <c>tap,help</c>): the text is the output, nothing was made.
    /// </summary>
    Help,

    /// <summary>
    /// An argument did not parse or a netdev could not be made; whatever existed has run its exit notifiers.
    /// </summary>
    Failed,
}

/// <summary>
/// The outcome of <see cref="NetdevBuild.Run"/>: its status, the help text when one was asked for, and the lines
/// for standard error in the order they arose (warnings, then the error that stopped the build, if any).
/// </summary>
public sealed record NetdevBuildResult(NetdevBuildStatus Status, string? Help, IReadOnlyList<string> Messages);
