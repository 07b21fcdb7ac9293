namespace Tap.Fuzz.Targets;

/// <summary>Every fuzz target, by name. A new target is one class and one line here.</summary>
public static class FuzzTargets
{
    /// <summary>The targets, in the order <c>scripts/fuzz.sh all</c> runs them.</summary>
    public static readonly IReadOnlyList<IFuzzTarget> All = new IFuzzTarget[]
    {
        NetdevTarget.KeyValue,
        NetdevTarget.Json,
        new TraceTarget(),
        new FrameTarget(),
        new StreamDeframerTarget(),
    };

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static IFuzzTarget? Find(string name)
    {
        foreach (var target in All)
        {
            if (target.Name == name)
            {
                return target;
            }
        }
        return null;
    }
}
