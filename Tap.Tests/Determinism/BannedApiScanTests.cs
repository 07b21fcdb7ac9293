using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Tap.Tests.Determinism;

/// <summary>
/// Core and Sim must be deterministic: no clocks, no System.Random, no Guid.NewGuid, no threads (style.md).
/// The banned-API analyzer stops them at build time; this scan reads the built assemblies' metadata so that a
/// suppressed warning or a removed analyzer cannot let one in unnoticed.
/// </summary>
public sealed class BannedApiScanTests
{
    private static readonly string[] BannedTypes =
    {
        "System.Random",
        "System.Diagnostics.Stopwatch",
        "System.Threading.Thread",
        "System.Threading.ThreadPool",
        "System.Threading.Timer",
        "System.Security.Cryptography.RandomNumberGenerator",
    };

    private static readonly (string Type, string Member)[] BannedMembers =
    {
        ("System.DateTime", "get_Now"),
        ("System.DateTime", "get_UtcNow"),
        ("System.DateTimeOffset", "get_Now"),
        ("System.DateTimeOffset", "get_UtcNow"),
        ("System.Environment", "get_TickCount"),
        ("System.Environment", "get_TickCount64"),
        ("System.Guid", "NewGuid"),
        ("System.Threading.Tasks.Task", "Run"),
        ("System.Threading.Tasks.Task", "Delay"),
        ("System.Threading.Tasks.Parallel", "For"),
        ("System.Threading.Tasks.Parallel", "ForEach"),
    };

    public static TheoryData<string> Assemblies => new() { "Tap.Core", "Tap.Sim" };

    [Theory(DisplayName = "Determinism: Core and Sim reference no clock, random source or thread")]
    [MemberData(nameof(Assemblies))]
    public void NoBannedReferences(string assemblyName)
    {
        var found = ScanAssembly(OriginalAssembly(assemblyName));
        Assert.Empty(found);
    }

    [Fact(DisplayName = "Determinism: the scan finds a banned reference where there is one")]
    public void ScanDetectsBannedReference()
    {
        // The test assembly itself uses Stopwatch below, so the scanner must report it.
        _ = System.Diagnostics.Stopwatch.GetTimestamp();
        var found = ScanAssembly(typeof(BannedApiScanTests).Assembly.Location);
        Assert.Contains("System.Diagnostics.Stopwatch", found);
    }

    /// <summary>
    /// The project's own build output: under coverage, the copy beside the tests is instrumented by coverlet, whose
    /// injected tracker uses threads and clocks of its own.
    /// </summary>
    private static string OriginalAssembly(string name)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testBin.Name;                 // net10.0
        string configuration = testBin.Parent!.Name;     // Debug or Release
        var root = testBin.Parent!.Parent!.Parent!.Parent!.FullName;
        var original = Path.Combine(root, name, "bin", configuration, framework, name + ".dll");
        return File.Exists(original) ? original : Path.Combine(AppContext.BaseDirectory, name + ".dll");
    }

    private static List<string> ScanAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var found = new List<string>();

        foreach (var handle in md.TypeReferences)
        {
            string name = FullName(md, md.GetTypeReference(handle));
            if (Array.IndexOf(BannedTypes, name) >= 0)
            {
                found.Add(name);
            }
        }

        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }
            string type = FullName(md, md.GetTypeReference((TypeReferenceHandle)member.Parent));
            string name = md.GetString(member.Name);
            foreach (var (bannedType, bannedMember) in BannedMembers)
            {
                if (type == bannedType && name == bannedMember)
                {
                    found.Add($"{type}.{name}");
                }
            }
        }
        return found;
    }

    private static string FullName(MetadataReader md, TypeReference t)
    {
        string ns = md.GetString(t.Namespace);
        string name = md.GetString(t.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
