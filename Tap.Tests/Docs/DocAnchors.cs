using System.Text.RegularExpressions;

namespace Tap.Tests.Docs;

/// <summary>The anchors docs/ defines (<c>&lt;a id="R12"&gt;&lt;/a&gt;</c>) and the links between its pages.</summary>
public static partial class DocAnchors
{
    /// <summary>Each anchor id defined in <paramref name="markdown"/>, with its line, in order.</summary>
    public static IEnumerable<(string Id, int Line)> Defined(string markdown)
    {
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in Anchor().Matches(lines[i]))
            {
                yield return (m.Groups["id"].Value, i + 1);
            }
        }
    }

    /// <summary>Each markdown link to an anchor in <paramref name="markdown"/>: <c>](file.md#id)</c>, or
    /// <c>](#id)</c>, which points into <paramref name="ownFile"/>.</summary>
    public static IEnumerable<(string File, string Id, int Line)> Links(string markdown, string ownFile) =>
        Matches(MarkdownLink(), markdown, ownFile);

    /// <summary>Each docs page anchor a source file names, written <c>docs/{page}.md#{anchor}</c>.</summary>
    public static IEnumerable<(string File, string Id, int Line)> CodeLinks(string source) =>
        Matches(CodeLink(), source, "");

    private static IEnumerable<(string File, string Id, int Line)> Matches(Regex regex, string text, string ownFile)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in regex.Matches(lines[i]))
            {
                string file = m.Groups["file"].Success ? m.Groups["file"].Value : ownFile;
                yield return (file, m.Groups["id"].Value, i + 1);
            }
        }
    }

    [GeneratedRegex(@"<a id=""(?<id>[^""]+)""></a>", RegexOptions.CultureInvariant)]
    private static partial Regex Anchor();

    [GeneratedRegex(@"\]\((?<file>[\w-]+\.md)?#(?<id>[\w.-]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"docs/(?<file>[\w-]+\.md)#(?<id>[\w.-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex CodeLink();
}
