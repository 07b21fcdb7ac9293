using SharpFuzz;
using Tap.Fuzz.Targets;

namespace Tap.Fuzz;

/// <summary>
/// <c>Tap.Fuzz TARGET</c> under afl-fuzz: runs the target on each input AFL hands over (SharpFuzz's in-process
/// fork-server loop). <c>Tap.Fuzz TARGET FILE...</c> runs files once each and says which fail, to reproduce a finding.
/// </summary>
public static class Program
{
    /// <summary>AFL's inputs are small; a larger one is cut rather than read whole.</summary>
    private const int MaxInputBytes = 1 << 20;

    public static int Main(string[] args)
    {
        var target = args.Length > 0 ? FuzzTargets.Find(args[0]) : null;
        if (target is null)
        {
            Console.Error.WriteLine("usage: Tap.Fuzz TARGET [FILE...]");
            foreach (var t in FuzzTargets.All)
            {
                Console.Error.WriteLine($"  {t.Name,-12} {t.Description}");
            }
            return 2;
        }
        if (args.Length > 1)
        {
            return RunFiles(target, args[1..]);
        }

        byte[] buffer = new byte[MaxInputBytes];
        Fuzzer.Run(stream =>
        {
            int length = 0;
            int n;
            while (length < buffer.Length && (n = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += n;
            }
            target.Run(buffer.AsSpan(0, length));
        });
        return 0;
    }

    private static int RunFiles(IFuzzTarget target, string[] files)
    {
        int failed = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FAIL  {file}: {e.GetType().Name}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
