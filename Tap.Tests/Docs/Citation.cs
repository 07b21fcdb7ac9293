namespace Tap.Tests.Docs;

/// <summary>
/// One rule id or section cited in a source file: where, as written, and the anchor in docs/ it must resolve to
/// (null for a section that names no document, which cannot resolve).
/// </summary>
public sealed record Citation(string File, int Line, string AsWritten, string? Anchor)
{
    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}: {AsWritten}" + (Anchor is null ? " (names no document)" : $" -> #{Anchor}");
}
