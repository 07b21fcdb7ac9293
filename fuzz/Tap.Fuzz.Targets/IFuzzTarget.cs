namespace Tap.Fuzz.Targets;

/// <summary>
/// One fuzz target: a name for the command line and the corpus folders (<c>fuzz/corpus/NAME</c>,
/// <c>fuzz/regressions/NAME</c>) and the code that runs one input. A finding is any exception that escapes
/// <see cref="Run"/>: the code under test failing in a way it does not document, or a
/// <see cref="FuzzFindingException"/> for a broken invariant the target checks.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The target's name, e.g. <c>netdev-kv</c>.</summary>
    string Name { get; }

    /// <summary>One line on what the target feeds and what it checks.</summary>
    string Description { get; }

    /// <summary>Runs one input; returns normally when every checked invariant held.</summary>
    void Run(ReadOnlySpan<byte> input);
}
