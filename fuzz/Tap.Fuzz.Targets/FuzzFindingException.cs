namespace Tap.Fuzz.Targets;

/// <summary>An invariant a fuzz target checks did not hold: AFL sees it as a crash, a regression test as a failure.</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message) : base(message)
    {
    }

    public FuzzFindingException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Throws a finding with <paramref name="message"/> unless <paramref name="holds"/>.</summary>
    public static void Check(bool holds, string message)
    {
        if (!holds)
        {
            throw new FuzzFindingException(message);
        }
    }
}
