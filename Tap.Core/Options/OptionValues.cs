using System.Globalization;
using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>QEMU's option value syntaxes and their messages (O10).</summary>
public static class OptionValues
{
    /// <summary>qapi_bool_parse: case-sensitive on/yes/true/y and off/no/false/n.</summary>
    public static bool TryBool(string key, string text, out bool value, out string? error)
    {
        error = null;
        switch (text)
        {
            case "on" or "yes" or "true" or "y":
                value = true;
                return true;
            case "off" or "no" or "false" or "n":
                value = false;
                return true;
            default:
                value = false;
                error = $"Parameter '{key}' expects 'on' or 'off'";
                return false;
        }
    }

    /// <summary>
    /// The options visitor's uint32: strtoull base 0 over the whole text, no minus sign, then the 32-bit range.
    /// </summary>
    public static bool TryUInt32(string key, string text, out uint value, out string? error)
    {
        value = 0;
        if (!TryStrToULong(text, 0, out ulong v, out int end, out bool overflow)
            || overflow || end != text.Length || HasLeadingMinus(text))
        {
            error = $"Parameter '{key}' expects a uint64 value";
            return false;
        }
        if (v > uint.MaxValue)
        {
            error = $"Parameter '{key}' expects uint32_t";
            return false;
        }
        value = (uint)v;
        error = null;
        return true;
    }

    /// <summary>The options visitor's int32: strtoll base 0 over the whole text, then the 32-bit range.</summary>
    public static bool TryInt32(string key, string text, out int value, out string? error)
    {
        value = 0;
        int i = SkipSpace(text, 0);
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }
        var digits = text[i..];
        if (!TryStrToULong(digits, 0, out ulong magnitude, out int end, out bool overflow) || end != digits.Length
            || (digits.Length > 0 && (digits[0] == '+' || digits[0] == '-' || char.IsWhiteSpace(digits[0])))
            || overflow || magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            error = $"Parameter '{key}' expects an int64 value";
            return false;
        }
        long v = negative ? (long)(0 - magnitude) : (long)magnitude;
        if (v < int.MinValue || v > int.MaxValue)
        {
            error = $"Parameter '{key}' expects int32_t";
            return false;
        }
        value = (int)v;
        error = null;
        return true;
    }

    /// <summary>
    /// qemu_strtosz: a decimal number with an optional fraction (only with a suffix other than B), an optional
    /// suffix B K M G T P E (any case, powers of 1024), or hex without a fraction. The whole text must be used.
    /// </summary>
    public static bool TrySize(
        string key, string text, out ulong value, out string? error, List<Diagnostic>? warnings = null)
    {
        value = 0;
        error = $"Parameter '{key}' expects a size value";
        if (!TryStrToULong(text, 10, out ulong whole, out int end, out bool overflow)
            || overflow || text.AsSpan(0, end).Contains('-'))
        {
            return false;
        }

        bool hex = false;
        UInt128 fraction = 0;   // 0.64 fixed point
        if (whole == 0 && end < text.Length && (text[end] == 'x' || text[end] == 'X'))
        {
            // A '.' after hex digits is no suffix, so the end check below refuses a fraction.
            if (!TryStrToULong(text, 16, out whole, out end, out overflow) || overflow)
            {
                return false;
            }
            hex = true;
        }
        else if (end < text.Length && text[end] == '.')
        {
            int f = end + 1;
            int digitsEnd = f;
            while (digitsEnd < text.Length && char.IsAsciiDigit(text[digitsEnd]))
            {
                digitsEnd++;
            }
            // An exponent (1.5e3) is no size: its 'e' reads as the suffix E and what follows fails the end check.
            double frac = digitsEnd > f ? double.Parse("0." + text[f..digitsEnd], CultureInfo.InvariantCulture) : 0;
            fraction = (UInt128)(frac * Math.Pow(2, 64));
            end = digitsEnd;
        }

        ulong mul = 1;
        if (end < text.Length && SuffixMultiplier(text[end]) is { } m)
        {
            if (hex && warnings is not null)
            {
                warnings.Add(new Diagnostic(
                    DiagnosticKind.Warning, $"Using a multiplier suffix on hex numbers is deprecated: {text}"));
            }
            mul = m;
            end++;
        }
        if (end != text.Length)
        {
            return false;
        }
        if (mul == 1)
        {
            if (fraction != 0)
            {
                return false;
            }
            value = whole;
            error = null;
            return true;
        }

        UInt128 product = (UInt128)whole * mul;
        UInt128 fracProduct = fraction * mul;             // 64.64
        product += fracProduct >> 64;
        product += (fracProduct >> 63) & 1;               // round half up
        if (product > ulong.MaxValue)
        {
            return false;
        }
        value = (ulong)product;
        error = null;
        return true;
    }

    private static ulong? SuffixMultiplier(char c) => char.ToUpperInvariant(c) switch
    {
        'B' => 1UL,
        'K' => 1UL << 10,
        'M' => 1UL << 20,
        'G' => 1UL << 30,
        'T' => 1UL << 40,
        'P' => 1UL << 50,
        'E' => 1UL << 60,
        _ => null,
    };

    private static bool HasLeadingMinus(string text)
    {
        int i = SkipSpace(text, 0);
        return i < text.Length && text[i] == '-';
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }
        return i;
    }

    /// <summary>
    /// C strtoull: leading blanks, an optional sign, then digits in <paramref name="radix"/> (0: by prefix; 8, 10, 16).
    /// False when no digit was read; <paramref name="end"/> is where parsing stopped.
    /// </summary>
    internal static bool TryStrToULong(string text, int radix, out ulong value, out int end, out bool overflow)
    {
        value = 0;
        overflow = false;
        end = 0;
        int i = SkipSpace(text, 0);
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            // strtoull negates after a '-': QEMU's keyval uint16 ("to=-1") relies on the wrap to refuse the range.
            negative = text[i] == '-';
            i++;
        }
        if ((radix == 0 || radix == 16) && i + 1 < text.Length && text[i] == '0'
            && (text[i + 1] == 'x' || text[i + 1] == 'X')
            && i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]))
        {
            radix = 16;
            i += 2;
        }
        else if (radix == 0)
        {
            radix = i < text.Length && text[i] == '0' ? 8 : 10;
        }

        int start = i;
        UInt128 acc = 0;
        while (i < text.Length)
        {
            int d = DigitValue(text[i]);
            if (d < 0 || d >= radix)
            {
                break;
            }
            acc = acc * (uint)radix + (uint)d;
            if (acc > ulong.MaxValue)
            {
                overflow = true;
                acc = ulong.MaxValue;
            }
            i++;
        }
        if (i == start)
        {
            return false;
        }
        end = i;
        value = negative ? 0UL - (ulong)acc : (ulong)acc;
        return true;
    }

    // Radix 8, 10 or 16 only: a letter past 'f' ends the number like any other non-digit.
    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
