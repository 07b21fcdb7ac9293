namespace Tap.Core.Os;

/// <summary>
/// How to start a bridge helper: argv is <c>[Program, ..ArgsBeforeFd, "--fd=N", ..ArgsAfterFd]</c>, where N is the
/// helper's end of a fresh Unix socket pair, chosen by the OS layer. Never a shell command line (D-19).
/// </summary>
public sealed record HelperLaunch(string Program, IReadOnlyList<string> ArgsBeforeFd, IReadOnlyList<string> ArgsAfterFd)
{
    /// <summary>The full argv with <paramref name="fdNumber"/> in place.</summary>
    public IReadOnlyList<string> Argv(int fdNumber)
    {
        var argv = new List<string>(1 + ArgsBeforeFd.Count + 1 + ArgsAfterFd.Count) { Program };
        argv.AddRange(ArgsBeforeFd);
        argv.Add("--fd=" + fdNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        argv.AddRange(ArgsAfterFd);
        return argv;
    }
}
