using System.Text;
using Tap.Core.Options.Json;

namespace Tap.Core.Options;

/// <summary>
/// QEMU's <c>keyval_parse</c>, which reads the key=value form of <c>-netdev stream</c> and <c>-netdev dgram</c>
/// (ST3): a dotted key makes nested objects (<c>addr.type=unix</c>), <c>,,</c> is a literal comma, a leading item
/// without <c>=</c> is the implied <c>type</c>, and the last of a repeated key wins. The result is the same tree
/// the JSON form gives, with every scalar a string.
/// </summary>
internal static class KeyvalParser
{
    /// <summary>The tree, or QEMU's message for the first bad item.</summary>
    public static (QDict? Root, string? Error) Parse(string text, string impliedKey)
    {
        var root = new Node();
        int p = 0;
        bool first = true;
        while (p < text.Length)
        {
            int keyEnd = p;
            while (keyEnd < text.Length && text[keyEnd] != '=' && text[keyEnd] != ',')
            {
                keyEnd++;
            }
            string key;
            if (keyEnd >= text.Length || text[keyEnd] != '=')
            {
                if (!first)
                {
                    return (null, $"Expected '=' after parameter '{text[p..keyEnd]}'");
                }
                key = impliedKey;
            }
            else
            {
                key = text[p..keyEnd];
                p = keyEnd + 1;
            }
            first = false;
            var value = new StringBuilder();
            while (p < text.Length)
            {
                if (text[p] == ',')
                {
                    if (p + 1 < text.Length && text[p + 1] == ',')
                    {
                        value.Append(',');
                        p += 2;
                        continue;
                    }
                    break;
                }
                value.Append(text[p++]);
            }
            if (p < text.Length)
            {
                p++; // the separating comma
            }
            if (Put(root, key, value.ToString()) is { } error)
            {
                return (null, error);
            }
        }
        return (root.ToQDict(), null);
    }

    private static string? Put(Node root, string key, string value)
    {
        var fragments = key.Split('.');
        foreach (var f in fragments)
        {
            if (!IsKeyFragment(f))
            {
                return $"Invalid parameter '{key}'";
            }
        }
        var node = root;
        for (int i = 0; i < fragments.Length - 1; i++)
        {
            if (!node.Members.TryGetValue(fragments[i], out var child))
            {
                child = new Node();
                node.Members[fragments[i]] = child;
                node.Order.Add(fragments[i]);
            }
            if (child is not Node inner)
            {
                return $"Parameters '{string.Join('.', fragments[..(i + 1)])}.*' used inconsistently";
            }
            node = inner;
        }
        string last = fragments[^1];
        if (node.Members.TryGetValue(last, out var old) && old is Node)
        {
            return $"Parameters '{key}.*' used inconsistently";
        }
        if (old is null)
        {
            node.Order.Add(last);
        }
        node.Members[last] = value;
        return null;
    }

    /// <summary>keyval's key fragment: a letter or digit first, then letters, digits, '-', '_'.</summary>
    private static bool IsKeyFragment(string f)
    {
        if (f.Length == 0 || !char.IsAsciiLetterOrDigit(f[0]))
        {
            return false;
        }
        foreach (char c in f)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        return true;
    }

    private sealed class Node
    {
        public Dictionary<string, object> Members { get; } = new(StringComparer.Ordinal);
        public List<string> Order { get; } = new();

        public QDict ToQDict()
        {
            var list = new List<KeyValuePair<string, QValue>>();
            foreach (var k in Order)
            {
                QValue v = Members[k] is Node n ? n.ToQDict() : new QString((string)Members[k]);
                list.Add(new(k, v));
            }
            return new QDict(list);
        }
    }
}
