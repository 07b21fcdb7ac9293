namespace Tap.Tests.Conformance;

/// <summary>One case of <c>stream-dgram-qemu72.txt</c>: what QEMU 7.2 did with some -netdev stream/dgram
/// arguments.</summary>
/// <param name="Name">The case's name, as in <c>stream-dgram-cases.txt</c>.</param>
/// <param name="Netdevs">The -netdev arguments, with the case's temporary directory written <c>DIR</c>.</param>
/// <param name="Setup">The set-up hooks run before QEMU started (<c>-</c> for none).</param>
/// <param name="ExitCode">1 for an init error, 0 when QEMU ran and quit on the monitor's command, 134 for an
/// abort.</param>
/// <param name="Stderr">QEMU's stderr lines, verbatim.</param>
/// <param name="Info">The lines of <c>info network</c> one second after start (empty when QEMU had exited).</param>
/// <param name="Sockets">QEMU's sockets then, <c>netid state local [peer]</c>.</param>
public sealed record StreamDgramRow(
    string Name, IReadOnlyList<string> Netdevs, string Setup, int ExitCode, IReadOnlyList<string> Stderr,
    IReadOnlyList<string> Info, IReadOnlyList<string> Sockets)
{
    public override string ToString() => Name;
}

/// <summary>
/// QEMU 7.2's answers to the stream/dgram cases, as <c>scripts/stream-dgram-qemu72.sh</c> recorded them
/// (docs/stream-dgram-qemu-diff.md says how). The file is data: regenerate it, never edit it by hand.
/// </summary>
public static class StreamDgramTable
{
    public const string CasesFile = "Tap.Tests/Conformance/stream-dgram-cases.txt";
    public const string TableFile = "Tap.Tests/Conformance/stream-dgram-qemu72.txt";

    /// <summary>The table of the source tree.</summary>
    public static IReadOnlyList<StreamDgramRow> Load() =>
        Parse(File.ReadAllText(Path.Combine(Docs.RepoFiles.Root(), TableFile)));

    /// <summary>Reads the blocks <c>## NAME</c>, <c>args:</c>, <c>setup:</c>, <c>exit:</c>, <c>stderr:</c>,
    /// <c>info:</c>, <c>socket:</c>; fails on a line it does not know, so a change of format cannot be read as an
    /// empty row.</summary>
    public static IReadOnlyList<StreamDgramRow> Parse(string text)
    {
        var rows = new List<StreamDgramRow>();
        string? name = null;
        string args = "", setup = "-";
        int? exit = null;
        List<string> stderr = [], info = [], sockets = [];
        void Flush()
        {
            if (name is null)
            {
                return;
            }
            if (exit is null)
            {
                throw new FormatException($"case '{name}' has no exit line");
            }
            rows.Add(new StreamDgramRow(name, SplitNetdevs(args), setup, exit.Value, stderr, info, sockets));
            (name, args, setup, exit, stderr, info, sockets) = (null, "", "-", null, [], [], []);
        }
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith("# ", StringComparison.Ordinal))
            {
                continue;
            }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                name = line[3..];
                continue;
            }
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            string key = colon < 0 ? line.TrimEnd(':') : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 2)..];
            switch (key)
            {
                case "args": args = value; break;
                case "setup": setup = value; break;
                case "exit": exit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "stderr": stderr.Add(value); break;
                case "info": info.Add(value); break;
                case "socket": sockets.Add(value); break;
                default: throw new FormatException($"unknown line in case '{name}': {line}");
            }
        }
        Flush();
        return rows;
    }

    /// <summary>The cases of <c>stream-dgram-cases.txt</c>: name, setup and -netdev arguments (<c>{DIR}</c> as
    /// <c>DIR</c>).</summary>
    public static IReadOnlyList<(string Name, string Setup, IReadOnlyList<string> Netdevs)> LoadCases() =>
        File.ReadAllLines(Path.Combine(Docs.RepoFiles.Root(), CasesFile))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(" | ", 3))
            .Select(p => (p[0], Dir(p[1]), (IReadOnlyList<string>)p[2].Split(" || ").Select(Dir).ToList()))
            .ToList();

    private static string Dir(string s) => s.Replace("{DIR}", "DIR", StringComparison.Ordinal);

    /// <summary><c>-netdev A -netdev B</c> as [A, B]; no argument of the table contains a blank.</summary>
    private static List<string> SplitNetdevs(string args) =>
        args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => a != "-netdev").ToList();
}
