using System.Globalization;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Trace;

/// <summary>
/// How values are read back from a trace record (docs/trace-format.md §3), and how a trace spells payloads: as
/// <c>x:</c> hex or <c>LEN#CRC</c>. Everything else is written by <see cref="CallText"/>, shared with the simulator.
/// </summary>
public static class TraceText
{
    private static readonly PayloadText FullPayload = (sb, data) => sb.Append("x:").Hex(data);

    private static readonly PayloadText HashPayload = (sb, data) =>
        sb.Append(data.Length.ToString(CultureInfo.InvariantCulture)).Append('#')
            .Append(System.IO.Hashing.Crc32.HashToUInt32(data).ToString("x8", CultureInfo.InvariantCulture));

    /// <summary>How a payload is spelled in a trace: in full as <c>x:HEX</c>, or as <c>LEN#CRC32</c>.</summary>
    public static PayloadText Payload(TracePayloads mode) => mode == TracePayloads.Hash ? HashPayload : FullPayload;

    /// <summary>
    /// Splits a record body into tokens at single spaces, keeping quoted strings whole (and still quoted).
    /// </summary>
    /// <exception cref="FormatException">An unterminated string, a bad escape, or an empty token.</exception>
    public static List<string> Split(string body)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < body.Length)
        {
            int start = i;
            if (body[i] == '"')
            {
                i++;
                while (i < body.Length && body[i] != '"')
                {
                    i += body[i] == '\\' ? 2 : 1;
                }
                if (i >= body.Length)
                {
                    throw new FormatException("a string is not closed");
                }
                i++;
            }
            else
            {
                while (i < body.Length && body[i] != ' ')
                {
                    i++;
                }
            }
            if (i == start)
            {
                throw new FormatException("two spaces in a row");
            }
            tokens.Add(body[start..i]);
            if (i < body.Length)
            {
                if (body[i] != ' ')
                {
                    throw new FormatException($"no space after {Shorten(body[start..i])}");
                }
                i++;
                if (i == body.Length)
                {
                    throw new FormatException("a space at the end");
                }
            }
        }
        return tokens;
    }

    /// <summary>Decodes a quoted string token.</summary>
    /// <exception cref="FormatException">Not a well-formed quoted string.</exception>
    public static string Unquote(string token)
    {
        if (token.Length < 2 || token[0] != '"' || token[^1] != '"')
        {
            throw new FormatException($"expected a quoted string, found {Shorten(token)}");
        }
        var sb = new StringBuilder(token.Length);
        for (int i = 1; i < token.Length - 1; i++)
        {
            char c = token[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (i + 1 >= token.Length - 1)
            {
                throw new FormatException("a string ends in a lone backslash");
            }
            char e = token[++i];
            if (e is '"' or '\\')
            {
                sb.Append(e);
            }
            else if (e == 'x' && i + 2 < token.Length - 1 && IsHex(token[i + 1]) && IsHex(token[i + 2]))
            {
                sb.Append((char)Convert.ToInt32(token.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                throw new FormatException($"bad escape \\{e} in a string");
            }
        }
        return sb.ToString();
    }

    /// <summary>Decodes an <c>x:HEX</c> payload.</summary>
    /// <exception cref="FormatException">Not a hex payload.</exception>
    public static byte[] Unhex(string token)
    {
        if (!token.StartsWith("x:", StringComparison.Ordinal) || token.Length % 2 != 0)
        {
            throw new FormatException($"expected a payload x:HEX, found {Shorten(token)}");
        }
        var bytes = new byte[(token.Length - 2) / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            char hi = token[2 + 2 * i], lo = token[3 + 2 * i];
            if (!IsHex(hi) || !IsHex(lo))
            {
                throw new FormatException($"bad hex digit in payload at byte {i}");
            }
            bytes[i] = (byte)((HexValue(hi) << 4) | HexValue(lo));
        }
        return bytes;
    }

    /// <summary>The length of a payload token, in either form.</summary>
    /// <exception cref="FormatException">Neither form.</exception>
    public static int PayloadLength(string token)
    {
        if (token.StartsWith("x:", StringComparison.Ordinal))
        {
            return Unhex(token).Length;
        }
        int hash = token.IndexOf('#');
        if (hash > 0
            && int.TryParse(token.AsSpan(0, hash), NumberStyles.None, CultureInfo.InvariantCulture, out int len)
            && token.Length == hash + 9
            && uint.TryParse(token.AsSpan(hash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture,
                out _))
        {
            return len;
        }
        throw new FormatException($"expected a payload (x:HEX or LEN#CRC), found {Shorten(token)}");
    }

    /// <summary>A signed decimal number.</summary>
    /// <exception cref="FormatException">Not one.</exception>
    public static long Number(string token) =>
        long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            && !token.StartsWith('+')
            ? v
            : throw new FormatException($"expected a number, found {Shorten(token)}");

    /// <summary>A 32-bit number.</summary>
    /// <exception cref="FormatException">Not one, or out of range.</exception>
    public static int Int(string token)
    {
        long v = Number(token);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v
            : throw new FormatException($"number {Shorten(token)} is out of range");
    }

    /// <summary><c>0x</c> hex flags.</summary>
    /// <exception cref="FormatException">Not such flags.</exception>
    public static uint Flags(string token) =>
        token.StartsWith("0x", StringComparison.Ordinal) && token.Length > 2
        && uint.TryParse(token.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint v)
            ? v
            : throw new FormatException($"expected flags 0xHEX, found {Shorten(token)}");

    /// <summary>An errno by name or number, <c>-</c> for none.</summary>
    /// <exception cref="FormatException">Not an errno.</exception>
    public static Errno ErrnoOf(string token)
    {
        if (token == "-")
        {
            return Errno.None;
        }
        if (token.Length > 1 && token[0] == 'E' && Enum.TryParse<Errno>(token, ignoreCase: false, out var named)
            && Enum.IsDefined(named)
            && named.ToString() == token)
        {
            return named;
        }
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and < 4096)
        {
            return (Errno)n;
        }
        throw new FormatException($"expected an errno, found {Shorten(token)}");
    }

    /// <summary>A 0 or 1.</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static bool Bool(string token) => token switch
    {
        "1" => true,
        "0" => false,
        _ => throw new FormatException($"expected 0 or 1, found {Shorten(token)}"),
    };

    /// <summary>A token cut to a length fit for an error message.</summary>
    public static string Shorten(string token) => token.Length <= 40 ? $"'{token}'" : $"'{token[..37]}...'";

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    private static int HexValue(char c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
