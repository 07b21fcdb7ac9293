namespace Tap.Tests.Fuzz;

/// <summary>
/// Every seed of every fuzz target (<c>fuzz/corpus/TARGET</c>) runs clean through the target's checks, so a change
/// that breaks a parser or the frame path on ordinary input fails here, without AFL. A target without seeds fails too.
/// </summary>
public sealed class FuzzCorpusTests
{
    public static TheoryData<string> Targets => FuzzInputs.Targets;

    [Theory(DisplayName = "Fuzz corpus: every seed runs through its target with every invariant holding")]
    [MemberData(nameof(Targets))]
    public void SeedsRunClean(string target)
    {
        Assert.True(FuzzInputs.Files("corpus", target).Count > 0, $"fuzz/corpus/{target} has no seeds: afl-fuzz cannot start without them");
        FuzzInputs.RunAll("corpus", target);
    }
}
