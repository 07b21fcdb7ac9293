using System.Text;

namespace Tap.Tests.Model.DataPath;

/// <summary>
/// What one workload step made visible: the kernel calls in order, the step's results and the guests' completions,
/// every frame a guest or a tap device received (byte for byte, in order), and the drop counters by reason and the
/// kernel queues' state after the step. The model predicts one; the harness observes one; <see cref="Differences"/>
/// says where they part.
/// </summary>
public sealed class DataPathObservation
{
    public List<string> Calls { get; } = new();
    public List<string> Events { get; } = new();
    public SortedDictionary<string, List<byte[]>> Frames { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> State { get; } = new(StringComparer.Ordinal);

    /// <summary>An observation of the step's <paramref name="calls"/>, its result line, and the frames the host drained during it (taken).</summary>
    public static DataPathObservation Begin(string result, IEnumerable<string> calls, List<(string Key, byte[] Frame)> drained)
    {
        var o = new DataPathObservation();
        o.Calls.AddRange(calls);
        if (result.Length > 0)
        {
            o.Events.Add(result);
        }
        foreach (var (key, frame) in drained)
        {
            o.AddFrames(key, [frame]);
        }
        drained.Clear();
        return o;
    }

    public void AddFrames(string key, IEnumerable<byte[]> frames)
    {
        var list = frames.ToList();
        if (list.Count == 0)
        {
            return;
        }
        if (!Frames.TryGetValue(key, out var existing))
        {
            existing = new List<byte[]>();
            Frames[key] = existing;
        }
        existing.AddRange(list);
    }

    /// <summary>"Purged=1 ShortRead=2": the non-zero counters, by name.</summary>
    public static string DropText(IEnumerable<KeyValuePair<string, long>> drops) =>
        string.Join(" ", drops.Where(d => d.Value != 0).OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"));

    /// <summary>The differences between the model's prediction and what we observed; empty when they agree.</summary>
    public static List<string> Differences(DataPathObservation model, DataPathObservation ours)
    {
        var problems = new List<string>();
        CompareLines("kernel calls", model.Calls, ours.Calls, problems);
        CompareLines("results and completions", model.Events, ours.Events, problems);
        foreach (var key in model.Frames.Keys.Union(ours.Frames.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            var m = model.Frames.GetValueOrDefault(key) ?? new List<byte[]>();
            var o = ours.Frames.GetValueOrDefault(key) ?? new List<byte[]>();
            CompareFrames(key, m, o, problems);
        }
        foreach (var key in model.State.Keys.Union(ours.State.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            var m = model.State.GetValueOrDefault(key, "");
            var o = ours.State.GetValueOrDefault(key, "");
            if (m != o)
            {
                problems.Add($"{key}: model [{m}] ours [{o}]");
            }
        }
        return problems;
    }

    private static void CompareLines(string what, List<string> model, List<string> ours, List<string> problems)
    {
        int n = Math.Min(model.Count, ours.Count);
        int i = 0;
        while (i < n && model[i] == ours[i])
        {
            i++;
        }
        if (i == n && model.Count == ours.Count)
        {
            return;
        }
        var sb = new StringBuilder();
        sb.Append($"{what} differ at line {i} (model {model.Count} lines, ours {ours.Count}):");
        for (int k = Math.Max(0, i - 3); k < i; k++)
        {
            sb.Append($"\n    same:  {model[k]}");
        }
        for (int k = i; k < Math.Min(model.Count, i + 4); k++)
        {
            sb.Append($"\n    model: {model[k]}");
        }
        for (int k = i; k < Math.Min(ours.Count, i + 4); k++)
        {
            sb.Append($"\n    ours:  {ours[k]}");
        }
        problems.Add(sb.ToString());
    }

    private static void CompareFrames(string key, List<byte[]> model, List<byte[]> ours, List<string> problems)
    {
        int n = Math.Min(model.Count, ours.Count);
        for (int i = 0; i < n; i++)
        {
            if (!model[i].AsSpan().SequenceEqual(ours[i]))
            {
                int at = 0;
                while (at < model[i].Length && at < ours[i].Length && model[i][at] == ours[i][at])
                {
                    at++;
                }
                string mb = at < model[i].Length ? $"0x{model[i][at]:x2}" : "end";
                string ob = at < ours[i].Length ? $"0x{ours[i][at]:x2}" : "end";
                problems.Add($"{key} frame {i}: model {model[i].Length} bytes, ours {ours[i].Length}; first difference at byte {at} (model {mb}, ours {ob})");
                return;
            }
        }
        if (model.Count != ours.Count)
        {
            var lengths = (List<byte[]> l) => string.Join(",", l.Skip(n).Take(6).Select(f => f.Length));
            problems.Add($"{key}: model {model.Count} frames, ours {ours.Count} (extra lengths: model [{lengths(model)}] ours [{lengths(ours)}])");
        }
    }
}
