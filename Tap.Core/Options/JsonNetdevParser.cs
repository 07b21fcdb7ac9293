using Tap.Core.Options.Json;
using Tap.Core.Os;

namespace Tap.Core.Options;

/// <summary>O12: the JSON form of <c>-netdev</c>: the same members with strict JSON types.</summary>
public static class JsonNetdevParser
{
    /// <summary>Parses a JSON object argument.</summary>
    public static NetdevParseResult Parse(string json)
    {
        var (value, syntaxError) = QemuJson.Parse(json);
        if (syntaxError is not null)
        {
            return Fail(syntaxError);
        }
        if (value is not QDict root)
        {
            // QEMU's visitor finds no members in a value that is not an object.
            return Fail("Parameter 'id' is missing");
        }
        var fields = new Dictionary<string, QValue>(StringComparer.Ordinal);
        foreach (var (key, member) in root.Members)
        {
            fields[key] = member;
        }

        // id and type come first, as QEMU's visitor reads them before the type's members; an id error wins.
        string? idError = JsonMemberReader.Str(fields, "id", out string? id);
        if (idError is null && id is null)
        {
            return Fail("Parameter 'id' is missing");
        }
        string? typeError = JsonMemberReader.Str(fields, "type", out string? type);
        if ((idError ?? typeError) is { } e0)
        {
            return Fail(e0);
        }
        if (!NetdevParser.IsIdentifier(id!))
        {
            return Fail("Parameter 'id' expects an identifier\n"
                + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
        }
        if (type is null)
        {
            return Fail("Parameter 'type' is missing");
        }
        if (NetdevTypes.Find(type) is not { } table)
        {
            return Fail($"Parameter 'type' does not accept value '{type}'");
        }

        var options = table.Read(id!, JsonMemberReader.Over(fields), out string? error);
        if (error is not null)
        {
            return Fail(error);
        }
        foreach (var (key, _) in root.Members)
        {
            if (key is not "id" and not "type" && !table.HasMember(key))
            {
                return Fail($"Parameter '{key}' is unexpected");
            }
        }
        return new NetdevParseResult(options, null, Array.Empty<Diagnostic>());

        static NetdevParseResult Fail(string message) => new(null, message, Array.Empty<Diagnostic>());
    }
}
