using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>
/// Parses a <c>-netdev</c> argument in QEMU's traditional syntax (or JSON when it starts with <c>{</c>) into typed
/// options, checking in QEMU's order: id, type, the type's members in declaration order, unknown keys last (O6-O9).
/// </summary>
public static class NetdevParser
{
    /// <summary>Parses one argument.</summary>
    public static NetdevParseResult Parse(string argument)
    {
        if (SocketNetdevParser.Handles(argument))
        {
            return SocketNetdevParser.Parse(argument);
        }
        if (argument.StartsWith('{'))
        {
            return JsonNetdevParser.Parse(argument);
        }

        var warnings = new List<Diagnostic>();
        if (argument is "help" or "?")
        {
            return new NetdevParseResult(null, null, warnings, NetdevHelp.BackendTypes);
        }
        var items = QemuOptsSplitter.Split(argument, "type", warnings);

        string? id = QemuOptsSplitter.FindId(argument);
        if (id is null)
        {
            return Fail("Parameter 'id' is missing", warnings);
        }
        if (!IsIdentifier(id))
        {
            return Fail("Parameter 'id' expects an identifier\n"
                + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.", warnings);
        }

        // O7: every key but id: the last occurrence wins. id items after the first are dropped.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var item in items)
        {
            if (item.Key == "id")
            {
                continue;
            }
            if (!values.ContainsKey(item.Key))
            {
                order.Add(item.Key);
            }
            values[item.Key] = item.Value;
        }

        if (!values.TryGetValue("type", out string? type))
        {
            return Fail("Parameter 'type' is missing", warnings);
        }
        if (type == "nic")
        {
            return Fail("network backend 'nic' is not compiled into this binary", warnings);
        }
        if (NetdevTypes.Find(type) is not { } table)
        {
            return Fail($"Parameter 'type' does not accept value '{type}'", warnings);
        }

        var options = table.Read(id, KeyValueMemberReader.Over(values, warnings), out string? error);
        if (error is not null)
        {
            return Fail(error, warnings);
        }
        foreach (var key in order)
        {
            if (key != "type" && !table.HasMember(key))
            {
                return Fail($"Invalid parameter '{key}'", warnings);
            }
        }
        return new NetdevParseResult(options, null, warnings);
    }

    /// <summary>O6: an ASCII letter, then letters, digits, '-', '.', '_'.</summary>
    public static bool IsIdentifier(string id)
    {
        if (id.Length == 0 || !char.IsAsciiLetter(id[0]))
        {
            return false;
        }
        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.' and not '_')
            {
                return false;
            }
        }
        return true;
    }

    private static NetdevParseResult Fail(string message, List<Diagnostic> warnings) => new(null, message, warnings);
}
