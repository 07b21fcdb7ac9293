using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Tap.Core.Abi;
using Tap.Trace;
using Tap.Tests.Properties;
using Xunit.Abstractions;

namespace Tap.Tests.Trace;

/// <summary>
/// Real traces of simulated runs, damaged at random: cut, bytes flipped or overwritten, lines deleted, duplicated or
/// swapped, or hand-edited (one token changed, sequence numbers and checksums fixed so the edit gets past the
/// reader). Whatever the damage, the reader refuses with a <see cref="TraceFormatException"/> or the replayer
/// returns an outcome; nothing else is thrown, every complaint names a line or a record, and raw damage never
/// replays as a match.
/// </summary>
public sealed partial class TraceMangleProperties(ITestOutputHelper output)
{
    /// <summary>Default case count; TAPNET_PROPERTY_SCALE multiplies it.</summary>
    private const int Cases = 300;

    private const int Steps = 150;

    // Cases whose traces hold every kind of call: data path, EAGAIN, queue control, scripts, helper, a failed init.
    private static readonly string[] CaseNames = ["hub", "hub-hashed", "multiqueue", "eagain", "scripts", "bridge-helper", "init-error"];

    private static readonly ConcurrentDictionary<(string Case, ulong Seed), string> Recorded = new();

    private readonly Dictionary<string, int> _tally = new(StringComparer.Ordinal);

    public enum MangleKind
    {
        Truncate,
        FlipBytes,
        OverwriteBytes,
        DeleteLine,
        DuplicateLine,
        SwapLines,
        EditNumber,
        EditErrno,
        EditString,
        EditPayload,
        DropToken,
        AddToken,
    }

    /// <summary>One generated case: which trace, which damage, and the seed of the damage's random choices.</summary>
    public sealed record Mangling(string Case, ulong Seed, MangleKind Kind, int Salt)
    {
        /// <summary>Damage without checksums fixed: the reader has every means to notice it.</summary>
        public bool Raw => Kind <= MangleKind.SwapLines;

        public override string ToString() => $"{Case} seed {Seed}, {Kind} salt {Salt}";
    }

    private static Arbitrary<Mangling> Manglings()
    {
        var kinds = Gen.Frequency(Enum.GetValues<MangleKind>()
            // Raw damage mostly stops at a checksum; hand edits reach the replayer, where the deep paths are.
            .Select(k => (k <= MangleKind.SwapLines ? 1 : 2, Gen.Constant(k))).ToArray());
        var gen =
            from name in Gen.Elements(CaseNames)
            from seed in Gen.Choose(1, 1000)
            from kind in kinds
            from salt in Gen.Choose(0, int.MaxValue)
            select new Mangling(name, (ulong)seed, kind, salt);
        return Arb.From(gen);
    }

    [Fact(DisplayName = "Trace: a mangled trace (cut, damaged, lines moved, hand-edited) is refused or replayed, never thrown, with a message naming the line or record; raw damage never matches")]
    public void MangledTracesAreRefusedOrReplayed()
    {
        PropertyRun.Check(nameof(MangledTracesAreRefusedOrReplayed), Manglings(), Cases, Holds);
        foreach (var (what, n) in _tally.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{n,5}  {what}");
        }
    }

    private bool Holds(Mangling m)
    {
        string text = Recorded.GetOrAdd((m.Case, m.Seed), k => SimTraceCases.Record(SimTraceCases.All[k.Case], k.Seed, Steps));
        byte[] original = Encoding.UTF8.GetBytes(text);
        var (bytes, what) = Apply(text, m.Kind, new System.Random(m.Salt));
        bool changed = !bytes.AsSpan().SequenceEqual(original);
        string context = $"{m}: {what}";

        TraceFile trace;
        try
        {
            trace = TraceFile.Parse(bytes);
        }
        catch (TraceFormatException e)
        {
            NamesAPlace(e.Message, context);
            Count(m, "refused by the reader");
            return true;
        }
        catch (Exception e)
        {
            throw Fail(context, $"TraceFile.Parse threw {e.GetType().Name}, not a TraceFormatException: {e.Message}\n{e.StackTrace}");
        }
        if (trace.Incomplete is { } why)
        {
            NamesAPlace(why, context);
        }

        ReplayOutcome outcome;
        try
        {
            outcome = TraceReplayer.Replay(trace);
        }
        catch (Exception e)
        {
            throw Fail(context, $"TraceReplayer.Replay threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        if (outcome.Verdict != ReplayVerdict.Matched)
        {
            NamesAPlace(outcome.Message, context);
        }
        else if (m.Raw && changed)
        {
            throw Fail(context, $"damaged bytes replayed as a match: {outcome.Message}");
        }
        Count(m, outcome.Verdict.ToString());
        return true;
    }

    private void Count(Mangling m, string verdict)
    {
        string key = $"{m.Kind,-15} {verdict}";
        _tally[key] = _tally.GetValueOrDefault(key) + 1;
    }

    private static void NamesAPlace(string message, string context)
    {
        if (!message.Contains("line ", StringComparison.Ordinal) && !message.Contains("record ", StringComparison.Ordinal))
        {
            throw Fail(context, $"the message names no line or record: {message}");
        }
    }

    private static Xunit.Sdk.XunitException Fail(string context, string problem) => new($"{context}\n{problem}");

    // ---- the damage ----------------------------------------------------------------------------

    private static readonly byte[] Interesting = "\n \"\\*#x0aZH-:\0"u8.ToArray().Concat(new byte[] { 0x7f, 0xc3, 0xff }).ToArray();

    private static readonly string[] ErrnoNames = Enum.GetNames<Errno>().Where(n => n != nameof(Errno.None)).ToArray();

    private static readonly string[] AddedTokens = ["0", "-1", "1", "x:00", "\"extra\"", "EAGAIN", "->", "ok", "err", "-", "0x0"];

    private static (byte[] Bytes, string What) Apply(string text, MangleKind kind, System.Random r)
    {
        switch (kind)
        {
            case MangleKind.Truncate:
            {
                byte[] all = Encoding.UTF8.GetBytes(text);
                int at = r.Next(all.Length);
                return (all[..at], $"cut at byte {at} of {all.Length}");
            }
            case MangleKind.FlipBytes or MangleKind.OverwriteBytes:
            {
                byte[] all = Encoding.UTF8.GetBytes(text);
                var done = new List<string>();
                for (int n = r.Next(1, 4); n > 0; n--)
                {
                    int at = r.Next(all.Length);
                    byte was = all[at];
                    all[at] = kind == MangleKind.FlipBytes ? (byte)(was ^ (1 << r.Next(8)))
                        : r.Next(2) == 0 ? Interesting[r.Next(Interesting.Length)] : (byte)r.Next(256);
                    done.Add(FormattableString.Invariant($"byte {at} 0x{was:x2} -> 0x{all[at]:x2}"));
                }
                return (all, string.Join(", ", done));
            }
            case MangleKind.DeleteLine or MangleKind.DuplicateLine or MangleKind.SwapLines:
            {
                var lines = TraceEdit.Lines(text);
                int i = r.Next(lines.Count);
                string what;
                if (kind == MangleKind.DeleteLine)
                {
                    lines.RemoveAt(i);
                    what = $"line {i + 1} deleted";
                }
                else if (kind == MangleKind.DuplicateLine)
                {
                    lines.Insert(i, lines[i]);
                    what = $"line {i + 1} duplicated";
                }
                else
                {
                    // Neighbours half the time: the swap a careless edit makes, and the hardest to see.
                    int j = r.Next(2) == 0 ? (i + 1 < lines.Count ? i + 1 : i - 1) : r.Next(lines.Count);
                    j = j == i ? (i + 1) % lines.Count : j;
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                    what = $"lines {i + 1} and {j + 1} swapped";
                }
                return (Encoding.UTF8.GetBytes(TraceEdit.Join(lines)), what);
            }
            default:
                return HandEdit(text, kind, r);
        }
    }

    /// <summary>
    /// Changes one token of one record and fixes the sequence numbers and checksums. The record is chosen by its
    /// kind and first word first, so the few setup calls are edited as often as the many reads and writes.
    /// </summary>
    private static (byte[] Bytes, string What) HandEdit(string text, MangleKind kind, System.Random r)
    {
        var edit = TraceEdit.Of(text);
        if (kind == MangleKind.EditErrno && r.Next(2) == 0)
        {
            return ErrorResult(edit, r);
        }
        Func<string, bool> target = kind switch
        {
            MangleKind.EditNumber => t => DecimalToken().IsMatch(t) || FlagsToken().IsMatch(t),
            MangleKind.EditErrno => t => t == "-" || ErrnoNames.Contains(t),
            MangleKind.EditString => t => t.StartsWith('"'),
            MangleKind.EditPayload => t => t.StartsWith("x:", StringComparison.Ordinal) || HashToken().IsMatch(t),
            _ => _ => true,
        };
        var candidates = new List<(int Record, int Token)>();
        for (int i = 0; i < edit.Records.Count; i++)
        {
            var tokens = TraceText.Split(edit.Records[i].Body);
            for (int k = 0; k < tokens.Count; k++)
            {
                if (target(tokens[k]))
                {
                    candidates.Add((i, k));
                }
            }
        }
        if (kind == MangleKind.AddToken)
        {
            int i = r.Next(edit.Records.Count);
            var tokens = TraceText.Split(edit.Records[i].Body);
            int at = r.Next(tokens.Count + 1);
            string added = AddedTokens[r.Next(AddedTokens.Length)];
            tokens.Insert(at, added);
            return Done(edit, i, string.Join(' ', tokens), $"token '{added}' added at {at}");
        }
        if (candidates.Count == 0)
        {
            return (edit.Bytes, $"no token to edit for {kind}: the trace as it was");
        }
        var groups = candidates.GroupBy(c => FirstWord(edit.Records[c.Record])).ToList();
        var group = groups[r.Next(groups.Count)].ToList();
        var (record, token) = group[r.Next(group.Count)];
        string body = edit.Records[record].Body;
        string old = TraceText.Split(body)[token];
        string? replacement = kind switch
        {
            MangleKind.EditNumber => OtherNumber(old, r),
            MangleKind.EditErrno => OtherErrno(r),
            MangleKind.EditString => OtherString(old, r),
            MangleKind.EditPayload => OtherPayload(old, r),
            _ => null,
        };
        string what = replacement is null
            ? $"token {token} {TraceText.Shorten(old)} dropped"
            : $"token {token} {TraceText.Shorten(old)} -> {TraceText.Shorten(replacement)}";
        return Done(edit, record, TraceEdit.WithToken(body, token, replacement), what);
    }

    /// <summary>A call's result replaced by an error: an answer a kernel may well give, down paths a run rarely takes.</summary>
    private static (byte[] Bytes, string What) ErrorResult(TraceEdit edit, System.Random r)
    {
        var calls = Enumerable.Range(0, edit.Records.Count)
            .Where(i => edit.Records[i].Kind == 'C' && edit.Records[i].Body.Contains(" -> ", StringComparison.Ordinal))
            .GroupBy(i => FirstWord(edit.Records[i])).ToList();
        var group = calls[r.Next(calls.Count)].ToList();
        int record = group[r.Next(group.Count)];
        string body = edit.Records[record].Body;
        string errno = r.Next(4) == 0 ? r.Next(1, 4096).ToString(CultureInfo.InvariantCulture) : ErrnoNames[r.Next(ErrnoNames.Length)];
        string edited = body[..(body.IndexOf(" -> ", StringComparison.Ordinal) + 4)] + "err " + errno;
        return Done(edit, record, edited, $"result -> err {errno}");
    }

    private static (byte[] Bytes, string What) Done(TraceEdit edit, int record, string body, string what)
    {
        string before = edit.Records[record].ToString();
        edit.Records[record] = edit.Records[record] with { Body = body };
        return (edit.Bytes, $"record {TraceEdit.SeqOf(record)} (line {TraceEdit.LineOf(record)}) {TraceText.Shorten(before)}: {what}");
    }

    private static string FirstWord(TraceEdit.Rec rec)
    {
        int sp = rec.Body.IndexOf(' ');
        return rec.Kind + " " + (sp < 0 ? rec.Body : rec.Body[..sp]);
    }

    private static string OtherNumber(string old, System.Random r)
    {
        if (old.StartsWith("0x", StringComparison.Ordinal))
        {
            uint flags = uint.Parse(old.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return r.Next(5) switch
            {
                0 => "0x0",
                1 => "0xffffffff",
                2 => "0x100000000",
                3 => "0x" + ((uint)r.Next()).ToString("x", CultureInfo.InvariantCulture),
                _ => "0x" + (flags ^ (1u << r.Next(32))).ToString("x", CultureInfo.InvariantCulture),
            };
        }
        long v = long.Parse(old, CultureInfo.InvariantCulture);
        return r.Next(8) switch
        {
            0 => "-1",
            1 => "0",
            2 => "99999999999999999999",
            3 => "2147483648",
            4 => int.MaxValue.ToString(CultureInfo.InvariantCulture),
            5 => (v + 1).ToString(CultureInfo.InvariantCulture),
            6 => (v - 1).ToString(CultureInfo.InvariantCulture),
            _ => r.Next(70000).ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string OtherErrno(System.Random r) => r.Next(6) switch
    {
        0 => "-",
        1 => r.Next(1, 4096).ToString(CultureInfo.InvariantCulture),
        2 => "0",
        3 => "EWHAT",
        _ => ErrnoNames[r.Next(ErrnoNames.Length)],
    };

    private static string OtherString(string old, System.Random r) => r.Next(10) switch
    {
        0 => "\"\"",
        1 => "\"x\"",
        2 => "\"a/b\"",
        3 => "\"" + new string('a', 300) + "\"",
        4 => "\"bad \\q escape\"",
        5 => "\"tab\\x09\"",
        6 => "\"with space\"",
        7 => "\"tap%d\"",
        8 => old[..^1] + "\\\"\"",
        _ => old[..^1] + "9\"",
    };

    private static string OtherPayload(string old, System.Random r)
    {
        if (!old.StartsWith("x:", StringComparison.Ordinal))
        {
            int hash = old.IndexOf('#');
            int len = int.Parse(old.AsSpan(0, hash), CultureInfo.InvariantCulture);
            return r.Next(5) switch
            {
                0 => (len + 1).ToString(CultureInfo.InvariantCulture) + old[hash..],
                1 => (len - 1).ToString(CultureInfo.InvariantCulture) + old[hash..],
                2 => "99999999999" + old[hash..],
                3 => old[..^1] + (old[^1] == '0' ? '1' : '0'),
                _ => old.Replace("#", "", StringComparison.Ordinal),
            };
        }
        int digits = old.Length - 2;
        int at = digits == 0 ? 2 : 2 + r.Next(digits);
        return r.Next(7) switch
        {
            0 when digits > 0 => old[..at] + (old[at] == '0' ? '1' : '0') + old[(at + 1)..],
            1 when digits >= 2 => old[..^2],
            2 => old + "00",
            3 when digits > 0 => old[..^1],
            4 => "x:",
            5 when digits > 0 => old[..at] + "F" + old[(at + 1)..],
            _ => old[..at] + "g" + old[at..],
        };
    }

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex DecimalToken();

    [GeneratedRegex("^0x[0-9a-f]+$")]
    private static partial Regex FlagsToken();

    [GeneratedRegex("^[0-9]+#[0-9a-f]{8}$")]
    private static partial Regex HashToken();
}
