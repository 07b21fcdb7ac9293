using Tap.Fuzz.Targets;

namespace Tap.Tests.Fuzz;

/// <summary>
/// The committed fuzz inputs (<c>fuzz/corpus/TARGET</c>, <c>fuzz/regressions/TARGET</c>, copied beside the tests) and
/// a bounded run of one input through its target, the same code afl-fuzz runs.
/// </summary>
internal static class FuzzInputs
{
    /// <summary>A hang found by AFL ran past its 2 s timeout; a fixed one runs in milliseconds.</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(t => t.Name));

    /// <summary>The files of <paramref name="folder"/> (<c>corpus</c> or <c>regressions</c>) for <paramref name="target"/>.</summary>
    public static IReadOnlyList<string> Files(string folder, string target)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fuzz", folder, target);
        return Directory.Exists(dir) ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>Runs every file of <paramref name="folder"/> through <paramref name="target"/>; fails with every file
    /// that threw or did not finish.</summary>
    public static void RunAll(string folder, string target)
    {
        var files = Files(folder, target);
        var fuzzTarget = FuzzTargets.Find(target) ?? throw new Xunit.Sdk.XunitException($"no fuzz target '{target}'");
        var failures = new List<string>();
        foreach (var file in files)
        {
            if (Run(fuzzTarget, File.ReadAllBytes(file)) is { } failure)
            {
                failures.Add($"{Path.GetFileName(file)}: {failure}\n  reproduce: dotnet run -c Release --project fuzz/Tap.Fuzz -- {target} fuzz/{folder}/{target}/{Path.GetFileName(file)}");
            }
        }
        if (failures.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"{failures.Count} of {files.Count} {target} inputs fail:\n{string.Join("\n", failures)}");
        }
    }

    /// <summary>On a thread of its own, not the thread pool's: with the suite's tests blocking pool threads on a
    /// loaded machine, a queued task could wait for a thread longer than the bound and read as a hang.</summary>
    private static string? Run(IFuzzTarget target, byte[] input)
    {
        Exception? thrown = null;
        var run = new Thread(() =>
        {
            try
            {
                target.Run(input);
            }
            catch (Exception e)
            {
                thrown = e;
            }
        })
        { IsBackground = true, Name = "fuzz input" };
        run.Start();
        if (!run.Join(HangBound))
        {
            return $"still running after {HangBound.TotalSeconds} s (a hang)";
        }
        return thrown is null ? null : $"{thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}";
    }
}
