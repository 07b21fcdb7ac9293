using System.Diagnostics;
using Tap.Core.Options.Json;

namespace Tap.Core.Options;

/// <summary>
/// Reads members from a JSON <c>-netdev</c> object the way QEMU's qobject-input-visitor does, with its messages
/// (O12): strict JSON types, unsigned members as uint64 first and then their own range.
/// </summary>
internal static class JsonMemberReader
{
    /// <summary>A reader over the object's members.</summary>
    public static MemberReader Over(Dictionary<string, QValue> fields) =>
        (NetdevMember member, out object? value) =>
        {
            value = null;
            if (!fields.TryGetValue(member.Name, out var v))
            {
                return null;
            }
            string key = member.Name;
            string? error;
            switch (member.Kind)
            {
                case OptionKind.Str:
                    error = Str(fields, key, out string? text);
                    value = text;
                    return error;
                case OptionKind.Bool:
                    if (v is QBool b)
                    {
                        value = b.Value;
                        return null;
                    }
                    return $"Invalid parameter type for '{key}', expected: boolean";
                case OptionKind.UInt32:
                    error = UInt64(key, v, "uint32_t", uint.MaxValue, out ulong u);
                    value = error is null ? (uint)u : null;
                    return error;
                case OptionKind.Size:
                    error = UInt64(key, v, "size", ulong.MaxValue, out ulong n);
                    value = error is null ? n : null;
                    return error;
                case OptionKind.Int32:
                    if (v is not QNumber { Kind: QNumberKind.Int64 } i)
                    {
                        return $"Invalid parameter type for '{key}', expected: integer";
                    }
                    if (i.Int64 is < int.MinValue or > int.MaxValue)
                    {
                        return $"Parameter '{key}' expects int32_t";
                    }
                    value = (int)i.Int64;
                    return null;
                default:
                    throw new UnreachableException($"option kind {member.Kind}");
            }
        };

    /// <summary>A string member (also <c>id</c> and <c>type</c>): the error, or null and the text (null when
    /// absent).</summary>
    public static string? Str(Dictionary<string, QValue> fields, string key, out string? text)
    {
        text = null;
        if (!fields.TryGetValue(key, out var v))
        {
            return null;
        }
        if (v is not QString { Value: var s })
        {
            return $"Invalid parameter type for '{key}', expected: string";
        }
        if (s.Contains('\0'))
        {
            // \u0000: QEMU passes a modified-UTF-8 NUL to C code that cannot hold one; we refuse it.
            return $"Parameter '{key}' expects a string without NUL characters";
        }
        text = s;
        return null;
    }

    /// <summary>An unsigned member: any integer that fits 64 bits, a negative one taken modulo 2^64 as QEMU does
    /// for compatibility; then the member's own range (<c>uint32_t</c>).</summary>
    private static string? UInt64(string key, QValue v, string range, ulong max, out ulong value)
    {
        value = 0;
        if (v is not QNumber { Kind: not QNumberKind.Double } n)
        {
            return $"Parameter '{key}' expects uint64";
        }
        ulong u = n.Kind == QNumberKind.Int64 ? unchecked((ulong)n.Int64) : n.UInt64;
        if (u > max)
        {
            return $"Parameter '{key}' expects {range}";
        }
        value = u;
        return null;
    }
}
