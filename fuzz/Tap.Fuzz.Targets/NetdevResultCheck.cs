using Tap.Core.Options;

namespace Tap.Fuzz.Targets;

/// <summary>
/// What every <c>-netdev</c> parse must give, whatever the text: a result, never an exception (a bad argument is an
/// error message, O6-O12), with exactly one of options, error or help text, and options only with a valid id that
/// the JSON form (O12) gives back unchanged.
/// </summary>
internal static class NetdevResultCheck
{
    public static void Holds(NetdevParseResult result, string text)
    {
        int parts = (result.Options is null ? 0 : 1) + (result.Error is null ? 0 : 1) + (result.HelpText is null ? 0 : 1);
        FuzzFindingException.Check(parts == 1,
            $"the parse of {Show(text)} gave {parts} of options, error and help text, not exactly one");
        if (result.Error is { } error)
        {
            FuzzFindingException.Check(error.Trim().Length > 0, $"the parse of {Show(text)} failed with an empty message");
        }
        if (result.Options is { } options)
        {
            // O6, spelled out here rather than through NetdevParser.IsIdentifier, the code under test.
            FuzzFindingException.Check(IsQemuIdentifier(options.Id),
                $"the parse of {Show(text)} accepted the id {Show(options.Id)}, which is not an identifier");
            string json = NetdevJsonForm.Of(options);
            var again = JsonNetdevParser.Parse(json);
            FuzzFindingException.Check(options.Equals(again.Options),
                $"the parse of {Show(text)} gave {options}, but its JSON form {Show(json)} gives {again.Options?.ToString() ?? again.Error}");
        }
    }

    /// <summary>The text shortened and escaped for a finding's message.</summary>
    public static string Show(string text)
    {
        const int MaxShownChars = 200;
        string cut = text.Length > MaxShownChars ? text[..MaxShownChars] + "..." : text;
        var sb = new System.Text.StringBuilder("'");
        foreach (char c in cut)
        {
            sb.Append(c < 0x20 || c == 0x7f || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return sb.Append('\'').ToString();
    }

    private static bool IsQemuIdentifier(string id)
    {
        if (id.Length == 0 || !(id[0] is >= 'a' and <= 'z' or >= 'A' and <= 'Z'))
        {
            return false;
        }
        foreach (char c in id)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '.' or '_'))
            {
                return false;
            }
        }
        return true;
    }
}
