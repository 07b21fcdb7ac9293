namespace Tap.Tests.Docs;

/// <summary>
/// The repository stands on its own (style.md): every rule id and spec section the code and tests cite resolves to
/// a paragraph of ours in docs/, each anchor is defined once, and the links between the pages land.
/// </summary>
public sealed class RuleIdsDocumentedTests
{
    // Spelled in pieces so this file does not cite them itself.
    private static readonly string MadeUpRule = "R" + "999";
    private static readonly string Section = "\u00a7";

    [Fact(DisplayName = "Docs: every rule id and section cited in Tap.Core/Linux/Sim/Cli/Tests has an anchor in docs/")]
    public void EveryCitationHasAnAnchor()
    {
        string root = RepoFiles.Root();
        IReadOnlySet<string> anchors = AllAnchors(root).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var citations = RepoFiles.CitingSources(root)
            .SelectMany(f => RuleCitations.Find(f, File.ReadAllText(Path.Combine(root, f))))
            .ToList();

        var missing = citations.Where(c => !c.ResolvesIn(anchors)).ToList();

        Assert.True(citations.Count > 100, $"only {citations.Count} citations found: is the scan looking in the right place ({root})?");
        Assert.True(missing.Count == 0,
            $"{missing.Count} citation(s) without an anchor in docs/ (add <a id=\"...\"></a> to the page of that area, or name the document of a section, e.g. linux-tun {Section}9):\n"
            + string.Join("\n", missing));
    }

    [Fact(DisplayName = "Docs: no anchor is defined twice, and every docs/ link and docs/*.md#id in the code lands on an anchor")]
    public void AnchorsAreUniqueAndLinksLand()
    {
        string root = RepoFiles.Root();
        var all = AllAnchors(root).ToList();
        var twice = all.GroupBy(a => a.Id, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(", ", g.Select(a => $"{a.Page}:{a.Line}")))
            .ToList();
        Assert.True(twice.Count == 0, "anchors defined more than once:\n" + string.Join("\n", twice));

        var byPage = all.ToLookup(a => a.Page, a => a.Id, StringComparer.Ordinal);
        var links = RepoFiles.DocPages(root)
            .SelectMany(p => DocAnchors.Links(File.ReadAllText(Path.Combine(root, "docs", p)), p).Select(l => (From: $"docs/{p}", l.File, l.Id, l.Line)))
            .Concat(RepoFiles.CitingSources(root)
                .SelectMany(f => DocAnchors.CodeLinks(File.ReadAllText(Path.Combine(root, f))).Select(l => (From: f, l.File, l.Id, l.Line))))
            .ToList();
        var broken = links.Where(l => !byPage[l.File].Contains(l.Id, StringComparer.Ordinal))
            .Select(l => $"{l.From}:{l.Line}: {l.File}#{l.Id}")
            .ToList();
        Assert.True(links.Count > 50, $"only {links.Count} links found");
        Assert.True(broken.Count == 0, "links to anchors that do not exist:\n" + string.Join("\n", broken));
    }

    [Fact(DisplayName = "Docs: the scan reports a made-up rule id, an undocumented section and a section in a file that names no document")]
    public void TheScanCanFail()
    {
        string source = $"// {MadeUpRule}: made up. Q18 and linux-tun {Section}9/{Section}8.1 are real; a later bare {Section}7 is linux-tun's.";
        IReadOnlySet<string> anchors = new HashSet<string>(StringComparer.Ordinal) { "Q18", "linux-tun-9", "linux-tun-8.1" };

        var missing = RuleCitations.Find("Made.cs", source).Where(c => !c.ResolvesIn(anchors)).ToList();
        var orphan = Assert.Single(RuleCitations.Find("Bare.cs", $"// A file that names no document cites {Section}7."));

        Assert.Equal(new[] { MadeUpRule, "linux-tun-7" }, missing.Select(c => string.Join(" ", c.Anchors)));
        Assert.Equal($"{Section}7", orphan.AsWritten);
        Assert.Empty(orphan.Anchors);
    }

    [Fact(DisplayName = "Docs: a bare section is read in the document cited last, then in those the file named, latest first")]
    public void BareSectionCandidates()
    {
        string source = $"// written from linux-tun.md and net-queue.md\n// (R4-R10; vhost-net.md)\n// flags ({Section}1.1); tap-backend.md {Section}8 and {Section}9\n// {Section}3";

        var bare = RuleCitations.Find("Any.cs", source).Where(c => c.AsWritten.StartsWith(Section, StringComparison.Ordinal)).ToList();

        Assert.Equal(new[] { "vhost-net-1.1", "net-queue-1.1", "linux-tun-1.1" }, bare[0].Anchors);
        Assert.Equal(new[] { "tap-backend-3", "vhost-net-3", "net-queue-3", "linux-tun-3" }, bare[1].Anchors);
        Assert.True(bare[0].ResolvesIn(new HashSet<string>(StringComparer.Ordinal) { "linux-tun-1.1" }));
        Assert.Equal(2, bare.Count);
    }

    [Theory(DisplayName = "Docs: the scan takes rule ids and sections as the code writes them")]
    [InlineData("(R20.3, R23a, Q16, I8, I12)", "R20 R23a Q16 I8 I12")]
    [InlineData("\"I6/R22\", \"X4/D-25\", \"D-1..D-30\"", "I6 R22 X4 D-25 D-1 D-30")]
    [InlineData("O30-O37, S1-S9, B3.3, H7, O34.5/S7, (R23b / D1)", "O30 O37 S1 S9 B3 H7 O34 S7 R23b D1")]
    [InlineData("tap-backend.md \u00a77-\u00a78 and vhost-net.md \u00a73.1, \u00a74", "tap-backend-7 tap-backend-8 vhost-net-3.1 vhost-net-4")]
    [InlineData("linux-tun \u00a74/\u00a712; docs/trace-format.md \u00a72", "linux-tun-4 linux-tun-12 trace-format-2")]
    [InlineData("linux-tun.md \u00a71, \u00a77; vhost-net.md; later \u00a79 and tap-backend.md R1, then \u00a73", "R1 linux-tun-1 linux-tun-7 linux-tun-9 linux-tun-3")]
    [InlineData("written from tap-backend.md: (\u00a71, Q16)", "Q16 tap-backend-1")]
    public void ScanFindsCitations(string source, string expected)
    {
        var anchors = RuleCitations.Find("Any.cs", source).Select(c => c.Anchors.FirstOrDefault() ?? "(none)");

        Assert.Equal(expected.Split(' '), anchors);
    }

    [Theory(DisplayName = "Docs: the scan leaves alone what only looks like a rule id")]
    [InlineData("Architecture.X64 ? \"not x86-64\"")]
    [InlineData("seq.ToString(\"D" + "8\", CultureInfo.InvariantCulture)")] // split: this file is scanned too
    [InlineData("$\"{flags:X4}\" 0x4D2 0X1F")]
    [InlineData("SIGTERM SIGHUP O_RDWR IPv4 I2C R2D2 AES256")]
    public void ScanIgnoresLookalikes(string source)
    {
        Assert.Empty(RuleCitations.Find("Any.cs", source));
    }

    private static IEnumerable<(string Id, string Page, int Line)> AllAnchors(string root) =>
        RepoFiles.DocPages(root).SelectMany(p =>
            DocAnchors.Defined(File.ReadAllText(Path.Combine(root, "docs", p))).Select(a => (a.Id, Page: p, a.Line)));
}
