namespace Tap.Tests.Properties.Vhost;

/// <summary>
/// Invariant (c), fd ownership of vhost (R40, vhost-net §2, §3.3): every vhost fd whose init succeeded is, after its
/// last init, started and stopped any number of times, stopped again if it was left started, cleaned up once and
/// then closed once, and nothing touches it after the close. Read from the calls that reached the kernel.
/// </summary>
public static class VhostFdLedger
{
    public static List<string> Problems(IReadOnlyList<(string Call, int Fd)> events)
    {
        var problems = new List<string>();
        var initialised = events.Select((e, i) => (e, i)).Where(x => x.e.Call == "init").GroupBy(x => x.e.Fd);
        foreach (var group in initialised)
        {
            int fd = group.Key;
            int from = group.Max(x => x.i);
            var after = events.Skip(from + 1).Where(e => e.Fd == fd).Select(e => e.Call).ToList();
            string seen = $"vhost fd {fd} after init: [{string.Join(" ", after)}]";

            int cleanup = after.IndexOf("cleanup");
            int close = after.IndexOf("close");
            if (after.Count(c => c == "cleanup") != 1)
            {
                problems.Add($"{seen}: cleaned up {after.Count(c => c == "cleanup")} times, want once");
            }
            if (after.Count(c => c.StartsWith("close", StringComparison.Ordinal)) != 1 || close < 0)
            {
                problems.Add($"{seen}: closed {after.Count(c => c.StartsWith("close", StringComparison.Ordinal))} times, want once and successfully");
            }
            if (cleanup >= 0 && close >= 0 && close < cleanup)
            {
                problems.Add($"{seen}: closed before VhostNetCleanup (R40 step 1)");
            }
            if (close >= 0 && close != after.Count - 1)
            {
                problems.Add($"{seen}: used after its close");
            }
            int lastStart = after.LastIndexOf("start");
            int lastStop = after.LastIndexOf("stop");
            if (lastStart >= 0 && cleanup >= 0 && !(lastStop > lastStart && lastStop < cleanup))
            {
                problems.Add($"{seen}: still attached to the tap at cleanup (no stop after the last start)");
            }
        }
        return problems;
    }
}
