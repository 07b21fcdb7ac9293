using Tap.Tests.Model.DataPath;

namespace Tap.Tests.Properties.DataPath;

/// <summary>
/// What the compared workloads exercised, summed over a property run, so a run that compares nothing interesting
/// shows it: kernel calls by kind, frames and bytes compared, drops by reason.
/// </summary>
public sealed class DataPathCoverage
{
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string what, long n = 1) => _counts[what] = _counts.GetValueOrDefault(what) + n;

    /// <summary>Counts one agreed observation.</summary>
    public void Add(DataPathObservation o)
    {
        Add("steps");
        foreach (var call in o.Calls)
        {
            int cut = call.IndexOfAny(['(', ' ']);
            string name = cut > 0 ? call[..cut] : call;
            Add("call " + name);
            if (call.EndsWith("= EAGAIN", StringComparison.Ordinal) || call.EndsWith("= EIO", StringComparison.Ordinal)
                || call.EndsWith("= EINVAL", StringComparison.Ordinal) || call.EndsWith("= EINTR", StringComparison.Ordinal))
            {
                Add($"call {name} = {call[(call.LastIndexOf(' ') + 1)..]}");
            }
        }
        foreach (var (key, frames) in o.Frames)
        {
            string side = key.StartsWith("guest", StringComparison.Ordinal) ? "frames to guests" : "frames to tap devices";
            Add(side, frames.Count);
            Add(side + " (bytes)", frames.Sum(f => (long)f.Length));
        }
    }

    /// <summary>Final drop counters of a workload, by reason.</summary>
    public void AddDrops(DataPathObservation last)
    {
        foreach (var (key, value) in last.State)
        {
            if (!key.StartsWith("drops ", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var part in value.Split(' '))
            {
                var kv = part.Split('=');
                Add("drop " + kv[0], long.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    public override string ToString() => string.Join("\n", _counts.Select(kv => $"  {kv.Key}: {kv.Value}"));
}
