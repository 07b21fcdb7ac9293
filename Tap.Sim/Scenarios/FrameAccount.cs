using System.Text;
using Tap.Core.Net;

namespace Tap.Sim.Scenarios;

/// <summary>
/// Where every frame of one direction went: sent = delivered + dropped (by who counted it and why) + in flight
/// (by the queue that holds it). Built by <see cref="FrameAccountingChecker"/> from the product's own counters and
/// queues; <see cref="Unaccounted"/> is what the scenario saw leave that nobody counted (0 when all is well).
/// </summary>
public sealed class FrameAccount(string direction)
{
    private static readonly DropReason[] AllReasons = Enum.GetValues<DropReason>();

    private readonly SortedDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _inFlight = new(StringComparer.Ordinal);

    /// <summary><c>host->guest</c> or <c>guest->host</c>.</summary>
    public string Direction { get; } = direction;

    /// <summary>Frames the sending side offered.</summary>
    public long Sent { get; private set; }

    /// <summary>Frames that arrived, checked byte for byte.</summary>
    public long Delivered { get; private set; }

    /// <summary>Drops by <c>counter: reason</c>, nonzero only.</summary>
    public IReadOnlyDictionary<string, long> Dropped => _dropped;

    /// <summary>Frames still held, by queue, nonzero only.</summary>
    public IReadOnlyDictionary<string, long> InFlight => _inFlight;

    /// <summary>Frames dropped, all reasons.</summary>
    public long DroppedTotal => _dropped.Values.Sum();

    /// <summary>Frames still held, all queues.</summary>
    public long InFlightTotal => _inFlight.Values.Sum();

    /// <summary>
    /// Sent minus everything accounted for: frames that vanished (positive) or were counted twice (negative).
    /// </summary>
    public long Unaccounted => Sent - Delivered - DroppedTotal - InFlightTotal;

    internal void AddSent(long n, long delivered)
    {
        Sent += n;
        Delivered += delivered;
    }

    internal void AddDropped(string reason, long n) => Add(_dropped, reason, n);

    /// <summary>
    /// Every drop <paramref name="counters"/> counted, as <c>who: Reason</c>; <paramref name="otherDirection"/> is a
    /// reason the same client counts for frames going the other way (a tap's write errors are guest frames).
    /// </summary>
    internal void AddCounted(string who, NetCounters counters, DropReason? otherDirection = null)
    {
        foreach (var reason in AllReasons)
        {
            if (reason != otherDirection)
            {
                AddDropped($"{who}: {reason}", counters.Drops(reason));
            }
        }
    }

    internal void AddInFlight(string place, long n) => Add(_inFlight, place, n);

    /// <summary>
    /// Adds <paramref name="other"/>'s figures to this one (per-queue accounts into a direction's total).
    /// </summary>
    internal void Merge(FrameAccount other)
    {
        AddSent(other.Sent, other.Delivered);
        foreach (var (k, v) in other._dropped)
        {
            AddDropped(k, v);
        }
        foreach (var (k, v) in other._inFlight)
        {
            AddInFlight(k, v);
        }
    }

    private static void Add(SortedDictionary<string, long> d, string key, long n)
    {
        if (n != 0)
        {
            d[key] = d.GetValueOrDefault(key) + n;
        }
    }

    /// <summary><c>sent 304 = delivered 278 + dropped 26 (guest: Rejected 26) + in flight 0</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"sent {Sent} = delivered {Delivered} + dropped {DroppedTotal}");
        Detail(sb, _dropped);
        sb.Append($" + in flight {InFlightTotal}");
        Detail(sb, _inFlight);
        if (Unaccounted != 0)
        {
            sb.Append($"; UNACCOUNTED {Unaccounted}");
        }
        return sb.ToString();
    }

    private static void Detail(StringBuilder sb, SortedDictionary<string, long> d)
    {
        if (d.Count > 0)
        {
            sb.Append(" (").AppendJoin(", ", d.Select(kv => $"{kv.Key} {kv.Value}")).Append(')');
        }
    }
}
