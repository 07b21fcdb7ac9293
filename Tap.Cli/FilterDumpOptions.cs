using Tap.Core.Options;

namespace Tap.Cli;

/// <summary>
/// <c>-object filter-dump,id=ID,netdev=NETDEV,file=FILE[,maxlen=N]</c>, parsed with QEMU's rules and messages.
/// </summary>
public sealed record FilterDumpOptions(string Id, string Netdev, string File, uint MaxLen)
{
    /// <summary>QEMU's default snapshot length for filter-dump.</summary>
    public const uint DefaultMaxLen = 65536;

    public static (FilterDumpOptions? Options, string? Error) Parse(string text)
    {
        var items = QemuOptsSplitter.Split(text, "qom-type", null);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            values[item.Key] = item.Value;
        }
        string? type = values.GetValueOrDefault("qom-type");
        if (type is null)
        {
            return (null, "Parameter 'qom-type' is missing");
        }
        if (type != "filter-dump")
        {
            return (null, $"Parameter 'qom-type' does not accept value '{type}'");
        }
        string? id = QemuOptsSplitter.FindId(text);
        if (id is null)
        {
            return (null, "Parameter 'id' is missing");
        }
        if (!values.TryGetValue("netdev", out var netdev))
        {
            return (null, "Parameter 'netdev' is missing");
        }
        if (!values.TryGetValue("file", out var file))
        {
            return (null, "Parameter 'file' is missing");
        }
        uint maxLen = DefaultMaxLen;
        if (values.TryGetValue("maxlen", out var m) && !OptionValues.TryUInt32("maxlen", m, out maxLen, out var error))
        {
            return (null, error);
        }
        foreach (var key in values.Keys)
        {
            if (key is not (
                "qom-type" or "id" or "netdev" or "file" or "maxlen" or "queue" or "status" or "position" or "insert"))
            {
                return (null, $"Invalid parameter '{key}'");
            }
        }
        return (new FilterDumpOptions(id, netdev, file, maxLen), null);
    }
}
