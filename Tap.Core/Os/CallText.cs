using System.Globalization;
using System.Text;
using Tap.Core.Abi;

namespace Tap.Core.Os;

/// <summary>
/// How values are written inside a kernel call's text (docs/trace-format.md §3), for the trace and the simulator's
/// record alike: words and numbers as they are, strings quoted with <c>\\</c>, <c>\"</c> and <c>\xHH</c> escapes,
/// flags as <c>0x</c> hex, errno by name. Payloads are the recorder's choice (<see cref="PayloadText"/>).
/// </summary>
public static class CallText
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Appends a quoted string.</summary>
    public static StringBuilder Str(this StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case < ' ' or '\x7f':
                    sb.Append("\\x").Append(HexDigits[c >> 4]).Append(HexDigits[c & 0xf]);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.Append('"');
    }

    /// <summary>Appends a space, then a quoted string.</summary>
    public static StringBuilder SpStr(this StringBuilder sb, string value) => sb.Append(' ').Str(value);

    /// <summary>Appends a space, then a decimal number.</summary>
    public static StringBuilder SpInt(this StringBuilder sb, long value) =>
        sb.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends a space, then <c>0x</c> and lower-case hex.</summary>
    public static StringBuilder SpFlags(this StringBuilder sb, uint value) =>
        sb.Append(" 0x").Append(value.ToString("x", CultureInfo.InvariantCulture));

    /// <summary>Appends a space, then 1 or 0.</summary>
    public static StringBuilder SpBool(this StringBuilder sb, bool value) => sb.Append(value ? " 1" : " 0");

    /// <summary>
    /// Appends a space, then an errno by name (its number when it has no name here), <c>-</c> for none.
    /// </summary>
    public static StringBuilder SpErrno(this StringBuilder sb, Errno error) =>
        sb.Append(' ').Append(error == Errno.None ? "-"
            : Enum.IsDefined(error) ? error.ToString() : ((int)error).ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends <paramref name="data"/> as lower-case hex, two digits a byte.</summary>
    public static StringBuilder Hex(this StringBuilder sb, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            sb.Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xf]);
        }
        return sb;
    }
}
