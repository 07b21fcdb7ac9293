using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>Reads members from the key=value items of one <c>-netdev</c> argument, each by its kind (O10).</summary>
internal static class KeyValueMemberReader
{
    /// <summary>A reader over <paramref name="values"/> (the last occurrence of each key, O7); a hex size with a
    /// suffix adds its deprecation warning to <paramref name="warnings"/>.</summary>
    public static MemberReader Over(Dictionary<string, string> values, List<Diagnostic> warnings) =>
        (NetdevMember member, out object? value) =>
        {
            value = null;
            if (!values.TryGetValue(member.Name, out string? text))
            {
                return null;
            }
            string key = member.Name;
            string? error;
            switch (member.Kind)
            {
                case OptionKind.Str:
                    value = text;
                    return null;
                case OptionKind.Bool:
                    if (OptionValues.TryBool(key, text, out bool b, out error))
                    {
                        value = b;
                    }
                    return error;
                case OptionKind.UInt32:
                    if (OptionValues.TryUInt32(key, text, out uint u, out error))
                    {
                        value = u;
                    }
                    return error;
                case OptionKind.Int32:
                    if (OptionValues.TryInt32(key, text, out int i, out error))
                    {
                        value = i;
                    }
                    return error;
                case OptionKind.Size:
                    if (OptionValues.TrySize(key, text, out ulong n, out error, warnings))
                    {
                        value = n;
                    }
                    return error;
                default:
                    throw new System.Diagnostics.UnreachableException($"option kind {member.Kind}");
            }
        };
}
