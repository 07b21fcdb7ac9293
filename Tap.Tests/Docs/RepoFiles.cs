namespace Tap.Tests.Docs;

/// <summary>The repository's source and docs, found from the test binary's directory.</summary>
public static class RepoFiles
{
    /// <summary>The projects whose C# may cite rules.</summary>
    public static readonly string[] CitingProjects = ["Tap.Core", "Tap.Linux", "Tap.Sim", "Tap.Cli", "Tap.Tests"];

    /// <summary>The directory holding Tap.sln, walking up from the test binary.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tap.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Tap.sln above {AppContext.BaseDirectory}: the docs test needs the source tree");
    }

    /// <summary>Every *.cs of the citing projects, build output (bin/, obj/) left out, as paths relative to the root.</summary>
    public static IEnumerable<string> CitingSources(string root)
    {
        foreach (string project in CitingProjects)
        {
            foreach (string path in Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, path);
                string[] parts = relative.Split(Path.DirectorySeparatorChar);
                if (!parts.Contains("bin") && !parts.Contains("obj"))
                {
                    yield return relative;
                }
            }
        }
    }

    /// <summary>Every markdown file under docs/, as names relative to docs/ (e.g. <c>backend.md</c>).</summary>
    public static IEnumerable<string> DocPages(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Path.Combine(root, "docs"), p))
            .Order(StringComparer.Ordinal);
}
