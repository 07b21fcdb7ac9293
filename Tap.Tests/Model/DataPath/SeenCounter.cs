namespace Tap.Tests.Model.DataPath;

/// <summary>Remembers how much of each growing list was already reported, so an observation carries only what is new.</summary>
public sealed class SeenCounter
{
    private readonly Dictionary<object, int> _seen = new(ReferenceEqualityComparer.Instance);

    /// <summary>The items of <paramref name="all"/> not reported yet; they count as reported afterwards.</summary>
    public List<T> New<T>(object key, IReadOnlyList<T> all)
    {
        int seen = _seen.GetValueOrDefault(key);
        var fresh = new List<T>(Math.Max(0, all.Count - seen));
        for (int i = seen; i < all.Count; i++)
        {
            fresh.Add(all[i]);
        }
        _seen[key] = all.Count;
        return fresh;
    }

    /// <summary>The list behind <paramref name="key"/> was emptied.</summary>
    public void Reset(object key) => _seen[key] = 0;
}
