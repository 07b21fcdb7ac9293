using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>
/// Splits a traditional option string the way QEMU's QemuOpts does (O4, O5): items separated by single commas,
/// <c>,,</c> a literal comma inside a value, the first item without <c>=</c> the value of the implied key, later
/// items without <c>=</c> boolean flags (<c>name</c> = on, <c>noname</c> = off, with a deprecation warning).
/// </summary>
public static class QemuOptsSplitter
{
    /// <summary>
    /// Splits <paramref name="text"/>; <paramref name="impliedKey"/> names a leading bare item (null: none).
    /// </summary>
    public static List<OptionItem> Split(string text, string? impliedKey, List<Diagnostic>? warnings)
    {
        var items = new List<OptionItem>();
        int p = 0;
        string? first = impliedKey;
        while (p < text.Length)
        {
            int len = IndexOfAny(text, p, '=', ',') - p;
            if (p + len >= text.Length || text[p + len] != '=')
            {
                if (first is not null)
                {
                    p = ReadValue(text, p, out string value);
                    items.Add(new OptionItem(first, value));
                }
                else
                {
                    string name = text.Substring(p, len);
                    p += len;
                    string prefix = "";
                    string flagValue = "on";
                    if (name.StartsWith("no", StringComparison.Ordinal))
                    {
                        prefix = "no";
                        name = name[2..];
                        flagValue = "off";
                    }
                    bool isHelp = flagValue == "on" && name is "help" or "?";
                    if (!isHelp && warnings is not null)
                    {
                        warnings.Add(new Diagnostic(
                            DiagnosticKind.Warning, $"short-form boolean option '{prefix}{name}' deprecated"));
                        warnings.Add(new Diagnostic(DiagnosticKind.Raw, $"Please use {name}={flagValue} instead"));
                    }
                    items.Add(new OptionItem(name, flagValue));
                }
            }
            else
            {
                string key = text.Substring(p, len);
                p = ReadValue(text, p + len + 1, out string value);
                items.Add(new OptionItem(key, value));
            }
            first = null;
            if (p < text.Length && text[p] == ',')
            {
                p++;
            }
        }
        return items;
    }

    /// <summary>The first <c>id=</c> item's value, as QEMU takes it before parsing the rest (O6).</summary>
    public static string? FindId(string text)
    {
        foreach (var item in Split(text, null, null))
        {
            if (item.Key == "id")
            {
                return item.Value;
            }
        }
        return null;
    }

    /// <summary>
    /// Reads a value up to a single comma; <c>,,</c> stands for one comma. Returns the index of that comma or the end.
    /// </summary>
    private static int ReadValue(string text, int p, out string value)
    {
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            int comma = text.IndexOf(',', p);
            if (comma < 0)
            {
                sb.Append(text, p, text.Length - p);
                value = sb.ToString();
                return text.Length;
            }
            sb.Append(text, p, comma - p);
            if (comma + 1 < text.Length && text[comma + 1] == ',')
            {
                sb.Append(',');
                p = comma + 2;
                continue;
            }
            value = sb.ToString();
            return comma;
        }
    }

    private static int IndexOfAny(string text, int start, char a, char b)
    {
        for (int i = start; i < text.Length; i++)
        {
            if (text[i] == a || text[i] == b)
            {
                return i;
            }
        }
        return text.Length;
    }
}
