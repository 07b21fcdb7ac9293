namespace Tap.Tests.Fuzz;

/// <summary>
/// Every crash and hang AFL found (<c>fuzz/regressions/TARGET</c>, copied there by <c>scripts/fuzz.sh</c>) runs
/// through the same target code again and must now pass every check: the input that once threw, broke an invariant
/// or hung stays fixed.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string> Targets => FuzzInputs.Targets;

    [Theory(DisplayName = "Fuzz regressions: every crash and hang found runs clean now")]
    [MemberData(nameof(Targets))]
    public void FindingsStayFixed(string target) => FuzzInputs.RunAll("regressions", target);
}
