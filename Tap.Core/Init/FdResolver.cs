using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>O33: <c>fd=</c> style strings, checked as a set before any fd is used (D-4, D-25).</summary>
public static class FdResolver
{
    /// <summary>A parsed fd string: a number, or (from a monitor) a name.</summary>
    public readonly record struct FdRef(string Text, bool IsName, int Number);

    /// <summary>
    /// Parses every string (tap fds first, then vhost fds) and refuses a number given twice.
    /// Returns the exact message of the first bad string.
    /// </summary>
    public static string? ParseAll(NetdevEnvironment env, IReadOnlyList<string> texts, List<FdRef> refs)
    {
        foreach (var text in texts)
        {
            if (env.FromMonitor && (text.Length == 0 || !char.IsAsciiDigit(text[0])))
            {
                refs.Add(new FdRef(text, true, -1));
                continue;
            }
            if (!TryParseNumber(text, out int n))
            {
                return $"Invalid file descriptor number '{text}'";
            }
            refs.Add(new FdRef(text, false, n));
        }

        var seen = new HashSet<int>();
        foreach (var r in refs)
        {
            if (!r.IsName && !seen.Add(r.Number))
            {
                return InitMessages.DuplicateFd(r.Number);
            }
        }
        return null;
    }

    /// <summary>
    /// Takes ownership of every fd in <paramref name="refs"/>, in order, into <paramref name="taken"/>.
    /// </summary>
    public static string? TakeAll(IOsNet os, IReadOnlyList<FdRef> refs, List<Fd> taken)
    {
        foreach (var r in refs)
        {
            if (!r.IsName)
            {
                taken.Add(new Fd(r.Number));
                continue;
            }
            var named = os.TakeNamedFd(r.Text);
            if (!named.Ok)
            {
                return $"File descriptor named '{r.Text}' has not been found";
            }
            taken.Add(named.Value);
        }
        return null;
    }

    /// <summary>C <c>strtol</c> base 10 over the whole text (leading blanks and a sign allowed), 0..INT_MAX.</summary>
    public static bool TryParseNumber(string text, out int value)
    {
        value = 0;
        int i = 0;
        while (i < text.Length && IsCSpace(text[i]))
        {
            i++;
        }
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }
        int start = i;
        long n = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            n = Math.Min(n * 10 + (text[i] - '0'), int.MaxValue + 1L);
            i++;
        }
        if (i == start || i != text.Length)
        {
            return false;
        }
        if (negative)
        {
            n = -n;
        }
        if (n < 0 || n > int.MaxValue)
        {
            return false;
        }
        value = (int)n;
        return true;
    }

    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
