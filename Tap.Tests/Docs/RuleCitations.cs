using System.Text.RegularExpressions;

namespace Tap.Tests.Docs;

/// <summary>
/// Finds the rule ids and spec sections that C# source cites. The forms are those the code uses: a rule id
/// (<c>R12</c>, <c>R22a</c>, <c>Q18</c>, <c>O30</c>, <c>S5</c>, <c>B9</c>, <c>H7</c>, <c>I5</c>, <c>X4</c>, the
/// backend's <c>D1</c> and known-defects' <c>D-27</c>; sub-steps such as <c>R20.3</c> cite the rule), and a
/// section with its document (<c>linux-tun §9</c>, <c>vhost-net.md §3.1/§9</c>, <c>tap-backend.md §7-§8</c>).
/// A range such as <c>O30-O37</c> checks its two ends: the numbering has gaps, so the ids between are not all real.
/// </summary>
public static partial class RuleCitations
{
    /// <summary>Documents a section citation may name, each the prefix of its anchors (<c>linux-tun-9</c>).</summary>
    public static readonly string[] SectionDocuments =
        ["linux-tun", "vhost-net", "netdev-options", "tap-backend", "helpers-and-scripts", "net-queue", "trace-format"];

    // Written as an escape so that this file's own scan does not take it for a citation.
    private const char SectionSign = '\u00a7';

    /// <summary>Every rule id and section anchor cited in <paramref name="text"/>, in order.</summary>
    public static List<Citation> Find(string file, string text)
    {
        var found = new List<Citation>();
        string? lastCited = null;
        var named = new List<string>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            foreach (Match m in RuleId().Matches(line))
            {
                string id = m.Groups["id"].Value;
                found.Add(new Citation(file, i + 1, id, [id]));
            }
            FindSections(file, i + 1, line, found, ref lastCited, named);
        }
        return found;
    }

    /// <summary>
    /// Sections with their document, and bare ones. A bare <c>§9</c> is read in the document the file last cited a
    /// section of (<c>linux-tun.md §1, §7</c> … <c>§9</c>), else in one the file named before it, latest first
    /// (<c>written from tap-backend.md</c> … <c>§1</c>); it resolves when one of those has the section.
    /// </summary>
    // named: the documents the file has named so far, latest first (updated here).
    private static void FindSections(string file, int lineNo, string line, List<Citation> found, ref string? lastCited, List<string> named)
    {
        var covered = new bool[line.Length];
        var cited = new List<(int Start, string Doc)>();
        foreach (Match m in DocSection().Matches(line))
        {
            string doc = m.Groups["doc"].Value;
            Cover(covered, m);
            cited.Add((m.Index, doc));
            found.Add(new Citation(file, lineNo, m.Value, [$"{doc}-{m.Groups["sec"].Value}"]));
            // A chain such as linux-tun §4/§12, tap-backend §7-§8 or vhost-net §3.1, §4 stays in its document.
            int at = m.Index + m.Length;
            for (Match next = ChainedSection().Match(line, at); next.Success; next = ChainedSection().Match(line, at))
            {
                Cover(covered, next);
                found.Add(new Citation(file, lineNo, $"{doc} {next.Value.TrimStart(' ', '/', ',', '-', '\u2013')}", [$"{doc}-{next.Groups["sec"].Value}"]));
                at = next.Index + next.Length;
            }
        }
        var names = DocName().Matches(line);
        int citedNext = 0, namedNext = 0;
        for (int c = 0; c < line.Length; c++)
        {
            for (; citedNext < cited.Count && cited[citedNext].Start < c; citedNext++)
            {
                lastCited = cited[citedNext].Doc;
            }
            for (; namedNext < names.Count && names[namedNext].Index < c; namedNext++)
            {
                Name(named, names[namedNext].Value);
            }
            if (line[c] == SectionSign && !covered[c])
            {
                int end = c + 1;
                while (end < line.Length && (char.IsDigit(line[end]) || line[end] == '.'))
                {
                    end++;
                }
                string written = line[c..end].TrimEnd('.');
                string? cite = lastCited;
                var docs = new List<string>(named.Count + 1);
                if (cite is not null)
                {
                    docs.Add(cite);
                }
                docs.AddRange(named.Where(d => d != cite));
                found.Add(new Citation(file, lineNo, written, docs.Select(d => $"{d}-{written[1..]}").ToList()));
            }
        }
        if (cited.Count > 0)
        {
            lastCited = cited[^1].Doc;
        }
        for (; namedNext < names.Count; namedNext++)
        {
            Name(named, names[namedNext].Value);
        }
    }

    private static void Name(List<string> named, string doc)
    {
        named.Remove(doc);
        named.Insert(0, doc);
    }

    private static void Cover(bool[] covered, Match m)
    {
        for (int c = m.Index; c < m.Index + m.Length; c++)
        {
            covered[c] = true;
        }
    }

    // Not after a word character (SIGTERM, 0x4D2, hex X4 in Architecture.X64 or "{v:X4}", ToString("D8")).
    [GeneratedRegex(@"(?<![\w])(?<!\w\.)(?<!:)(?<!ToString\("")(?<id>D-[0-9]+|ST[0-9]+[a-z]?|DG[0-9]+[a-z]?|[RIQOSBHXD][0-9]+[a-z]?)(?!\w)", RegexOptions.CultureInvariant)]
    private static partial Regex RuleId();

    [GeneratedRegex(@"(?<doc>linux-tun|vhost-net|netdev-options|tap-backend|helpers-and-scripts|net-queue|trace-format)(?:\.md)?\s*\u00a7\s*(?<sec>[0-9]+(?:\.[0-9]+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex DocSection();

    [GeneratedRegex(@"linux-tun|vhost-net|netdev-options|tap-backend|helpers-and-scripts|net-queue|trace-format", RegexOptions.CultureInvariant)]
    private static partial Regex DocName();

    [GeneratedRegex(@"\G\s*(?:/|,|-|\u2013|and|or)\s*\u00a7\s*(?<sec>[0-9]+(?:\.[0-9]+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex ChainedSection();
}
