namespace Tap.Sim.Scenarios;

/// <summary>
/// The one way a checker says an invariant broke: an <see cref="InvariantViolation"/> naming the rule.
/// </summary>
public static class Invariant
{
    /// <summary>
    /// Throws when <paramref name="condition"/> is false; <paramref name="what"/> says what was seen.
    /// </summary>
    public static void Require(bool condition, string rule, string what)
    {
        if (!condition)
        {
            throw new InvariantViolation($"{rule}: {what}");
        }
    }
}
