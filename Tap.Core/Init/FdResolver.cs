using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>O33: turn an <c>fd=</c> style string into an fd (QEMU's monitor_fd_param).</summary>
public static class FdResolver
{
    /// <summary>The fd, or the exact QEMU message.</summary>
    public static (Fd Fd, string? Error) Resolve(IOsNet os, NetdevEnvironment env, string text)
    {
        if (env.FromMonitor && text.Length > 0 && !char.IsAsciiDigit(text[0]))
        {
            var named = os.TakeNamedFd(text);
            return named.Ok ? (named.Value, null) : (default, $"File descriptor named '{text}' has not been found");
        }

        return TryParseNumber(text, out int n)
            ? (new Fd(n), null)
            : (default, $"Invalid file descriptor number '{text}'");
    }

    /// <summary>C <c>strtol</c> base 10 over the whole text (leading blanks and a sign allowed), 0..INT_MAX.</summary>
    private static bool TryParseNumber(string text, out int value)
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
            n = n * 10 + (text[i] - '0');
            if (n > int.MaxValue + 1L)
            {
                return false;
            }
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
