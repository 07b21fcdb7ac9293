using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Tap.Cli;

/// <summary>
/// A meter's observable instruments in Prometheus' text exposition format (version 0.0.4), collected when asked
/// (README, Metrics). A family per instrument, sorted by name: the name with dots as underscores, <c>_bytes</c>
/// added for the unit <c>By</c> unless the name ends so already, <c>_total</c> added for a counter; a series per
/// tag set, labels sorted by key, values of equal tag sets added up.
/// </summary>
internal sealed class PrometheusExposition : IDisposable
{
    private readonly MeterListener _listener = new();
    // Instruments as they are published and completed (the runtime calls in under its own lock, so this lock
    // is only ever held briefly, never while collecting).
    private readonly Lock _familiesLock = new();
    private readonly Dictionary<Instrument, Family> _families = new();
    // One collection at a time: the families' series are filled by RecordObservableInstruments' callbacks.
    private readonly Lock _collectLock = new();

    /// <summary>Listens to the instruments of the meters named <paramref name="meterName"/>, now and later.</summary>
    public PrometheusExposition(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Observable instruments only, as NetMetrics has: they are measured on the collecting thread, under the
            // collection's lock, where a recorded one would report on whichever thread records.
            if (instrument.Meter.Name != meterName || !instrument.IsObservable)
            {
                return;
            }
            var family = new Family(instrument, IsCounter(instrument));
            lock (_familiesLock)
            {
                _families[instrument] = family;
            }
            listener.EnableMeasurementEvents(instrument, family);
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_familiesLock)
            {
                _families.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Add(value, tags));
        _listener.Start();
    }

    /// <summary>Runs every observable instrument's callback now and writes what they measured.</summary>
    public string Collect()
    {
        lock (_collectLock)
        {
            Family[] families;
            lock (_familiesLock)
            {
                families = [.. _families.Values];
            }
            foreach (var f in families)
            {
                f.Clear();
            }
            _listener.RecordObservableInstruments();
            Array.Sort(families, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder();
            foreach (var f in families)
            {
                f.WriteTo(text);
            }
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private static bool IsCounter(Instrument i) => i is ObservableCounter<long> or ObservableCounter<int>;

    /// <summary>One instrument's metric family and the series of the collection in progress.</summary>
    private sealed class Family(Instrument instrument, bool counter)
    {
        public string Name { get; } = FamilyName(instrument, counter);

        // Labels as written (a="1",b="x") to value, and the order they were first measured in.
        private readonly Dictionary<string, long> _series = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        public void Clear()
        {
            _series.Clear();
            _order.Clear();
        }

        public void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string labels = Labels(tags);
            if (_series.TryGetValue(labels, out long before))
            {
                _series[labels] = before + value;
                return;
            }
            _series[labels] = value;
            _order.Add(labels);
        }

        public void WriteTo(StringBuilder text)
        {
            if (!string.IsNullOrEmpty(instrument.Description))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(instrument.Description)).Append('\n');
            }
            text.Append("# TYPE ").Append(Name).Append(counter ? " counter\n" : " gauge\n");
            foreach (string labels in _order)
            {
                text.Append(Name);
                if (labels.Length > 0)
                {
                    text.Append('{').Append(labels).Append('}');
                }
                text.Append(' ').Append(_series[labels].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        private static string FamilyName(Instrument i, bool counter)
        {
            string name = i.Name.Replace('.', '_').Replace('-', '_');
            if (i.Unit == "By" && !name.EndsWith("_bytes", StringComparison.Ordinal))
            {
                name += "_bytes";
            }
            return counter ? name + "_total" : name;
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }
            var sorted = tags.ToArray();
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var s = new StringBuilder();
            foreach (var (key, value) in sorted)
            {
                if (s.Length > 0)
                {
                    s.Append(',');
                }
                string text = value switch
                {
                    null => "",
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString() ?? "",
                };
                s.Append(key.Replace('.', '_')).Append("=\"").Append(EscapeLabel(text)).Append('"');
            }
            return s.ToString();
        }

        /// <summary>A label value escapes backslash, double quote and line feed (the format's three).</summary>
        private static string EscapeLabel(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal);

        /// <summary>A HELP text escapes backslash and line feed.</summary>
        private static string EscapeHelp(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
