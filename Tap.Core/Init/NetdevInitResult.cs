using Tap.Core.Net;

namespace Tap.Core.Init;

/// <summary>
/// The outcome of creating one netdev: the clients created, or the exact error message and nothing created.
/// </summary>
public sealed record NetdevInitResult(string? Error, IReadOnlyList<NetClient> Created)
{
    /// <summary>True when the netdev exists.</summary>
    public bool Ok => Error is null;

    internal static NetdevInitResult Fail(string message) => new(message, Array.Empty<NetClient>());

    internal static NetdevInitResult Success(IReadOnlyList<NetClient> created) => new(null, created);
}
