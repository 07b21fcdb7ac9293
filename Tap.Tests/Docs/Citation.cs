namespace Tap.Tests.Docs;

/// <summary>
/// One rule id or spec section cited in a source file: where, as written, and the anchors in docs/ it may resolve
/// to. A direct citation has one; a bare section number has one per document the file names before it, the
/// likeliest first; a bare section in a file that names no document has none and cannot resolve.
/// </summary>
public sealed record Citation(string File, int Line, string AsWritten, IReadOnlyList<string> Anchors)
{
    /// <summary>Whether one of <see cref="Anchors"/> is among <paramref name="defined"/>.</summary>
    public bool ResolvesIn(IReadOnlySet<string> defined) => Anchors.Any(defined.Contains);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{File}:{Line}: {AsWritten}" + (Anchors.Count == 0 ? " (the file names no document)" : " -> #" + string.Join(" or #", Anchors));
}
