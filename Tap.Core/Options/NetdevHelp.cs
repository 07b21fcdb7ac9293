using System.Text;

namespace Tap.Core.Options;

/// <summary>
/// The help texts made from the option tables: the answer to <c>-netdev help</c> (O9) and the <c>-netdev</c>
/// lines of <c>tapnet --help</c>, so a member added to a table shows up in the help without a second list.
/// </summary>
public static class NetdevHelp
{
    /// <summary>Where descriptions start in <c>--help</c>: past the longest option syntax, as in its other
    /// lines.</summary>
    private const int DescriptionColumn = 34;

    /// <summary>What <c>-netdev help</c> prints: QEMU's heading, then one type per line (the socket types, read
    /// by their own parser, ST3, last).</summary>
    public static string BackendTypes { get; } =
        "Available netdev backend types:\n" + string.Concat(NetdevTypes.All.Select(t => t.Name + "\n"))
        + string.Concat(SocketNetdevParser.Types.Select(t => t + "\n"));

    /// <summary>
    /// One entry per type, each line ending in a newline. A type whose members have texts of their own lists them
    /// a line each, with what absence means in parentheses; a type without has one synopsis line, its summary
    /// below, and the defaults of its members after that summary.
    /// </summary>
    public static string OptionLines { get; } = string.Concat(NetdevTypes.All.Select(Entry)) + SocketLines();

    /// <summary>stream and dgram, whose nested addresses the member tables do not describe (ST3).</summary>
    private static string SocketLines()
    {
        var text = new StringBuilder();
        Line(text, "-netdev stream,id=ID,addr.type=TYPE,ADDRESS[,OPTIONS]", "");
        Line(text, "", "frames over a stream socket, a 4-byte length before each; OPTIONS:");
        Line(text, "    server=on|off", "listen, one peer at a time (off: connect)");
        Line(text, "    reconnect-ms=MS", "client: connect again after this delay (never)");
        Line(text, "    reconnect=SECONDS", "the same in seconds (not with reconnect-ms)");
        Line(text, "  ADDRESS, addr.type=inet", "addr.host=HOST,addr.port=PORT[,addr.to=PORT]");
        Line(text, "  ADDRESS, addr.type=unix", "addr.path=PATH[,addr.abstract=on|off][,addr.tight=on|off]");
        Line(text, "  ADDRESS, addr.type=fd", "addr.str=N (an open socket)");
        Line(text, "-netdev dgram,id=ID,local.type=TYPE,...[,remote.type=TYPE,...]", "");
        Line(text, "", "one frame per datagram; local.* and remote.* as addr.* (local also fd);");
        Line(text, "", "remote.host in 224.0.0.0/4: a multicast group (local.host: interface)");
        return text.ToString();
    }

    private static string Entry(NetdevType type)
    {
        var text = new StringBuilder();
        var synopsis = new StringBuilder($"-netdev {type.Name},id=ID");
        if (type.Members.Any(m => m.Help.Text is not null))
        {
            foreach (var m in type.Members.Where(m => m.Required))
            {
                synopsis.Append($",{m.Name}={m.Help.Metavar}");
            }
            synopsis.Append("[,OPTIONS]");
            Line(text, synopsis.ToString(), type.Summary + "; OPTIONS (default when absent):");
            AppendMemberLines(text, type.Members.Where(m => !m.Required));
            return text.ToString();
        }

        foreach (var m in type.Members)
        {
            synopsis.Append(m.Required ? $",{m.Name}={m.Help.Metavar}" : $"[,{m.Name}={m.Help.Metavar}]");
        }
        var defaults = type.Members.Select(m => m.Help.Absent).OfType<string>().ToList();
        text.Append("  ").Append(synopsis).Append('\n');
        Line(text, "", defaults.Count == 0 ? type.Summary : $"{type.Summary} ({string.Join(", ", defaults)})");
        return text.ToString();
    }

    /// <summary>A member without a text of its own joins the line before it as an alternative
    /// (<c>fd=N | fds=N:N:...</c>).</summary>
    private static void AppendMemberLines(StringBuilder text, IEnumerable<NetdevMember> members)
    {
        string? syntax = null;
        string description = "";
        foreach (var m in members)
        {
            if (m.Help.Text is null && syntax is not null)
            {
                syntax += $" | {m.Name}={m.Help.Metavar}";
                continue;
            }
            if (syntax is not null)
            {
                Line(text, syntax, description);
            }
            syntax = $"    {m.Name}={m.Help.Metavar}";
            description = m.Help.Absent is null ? m.Help.Text ?? "" : $"{m.Help.Text} ({m.Help.Absent})";
        }
        if (syntax is not null)
        {
            Line(text, syntax, description);
        }
    }

    private static void Line(StringBuilder text, string syntax, string description) =>
        text.Append(("  " + syntax).PadRight(DescriptionColumn)).Append(description).Append('\n');
}
