using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>
/// The outcome of parsing one <c>-netdev</c> argument: the typed options, or the exact error message; the
/// warnings printed on the way; or, for <c>-netdev help</c>, the text to print.
/// </summary>
public sealed record NetdevParseResult(
    NetdevOptions? Options, string? Error, IReadOnlyList<Diagnostic> Warnings, string? HelpText = null)
{
    /// <summary>True when <see cref="Options"/> is set.</summary>
    public bool Ok => Options is not null;
}
