namespace Tap.Tests.Linux;

/// <summary>
/// The real qemu-bridge-helper's ACL (/etc/qemu/bridge.conf), held in a known state for the duration of a test: the
/// given text, or no file at all. A file that was there is moved aside and put back; a run killed half-way leaves
/// either our marked file or the moved-aside one, and the next run puts things back before it starts.
/// </summary>
internal sealed class BridgeAcl : IDisposable
{
    private const string AclPath = "/etc/qemu/bridge.conf";
    private const string SavedPath = "/etc/qemu/bridge.conf.tapnet-tests-saved";
    private const string Marker = "# written by TapNet's tests: removed when the test ends, or by the next test run\n";

    private readonly bool _dirCreated;

    /// <summary>Writes <paramref name="text"/> as the ACL, or with <c>null</c> makes sure there is none.</summary>
    public BridgeAcl(string? text)
    {
        RecoverLeftover();
        _dirCreated = !Directory.Exists("/etc/qemu");
        Directory.CreateDirectory("/etc/qemu");
        if (File.Exists(AclPath))
        {
            File.Move(AclPath, SavedPath);
        }
        if (text is not null)
        {
            File.WriteAllText(AclPath, Marker + text);
        }
    }

    public void Dispose()
    {
        File.Delete(AclPath);
        if (File.Exists(SavedPath))
        {
            File.Move(SavedPath, AclPath);
        }
        else if (_dirCreated && !Directory.EnumerateFileSystemEntries("/etc/qemu").Any())
        {
            Directory.Delete("/etc/qemu");
        }
    }

    /// <summary>Puts back what a killed run left: its own ACL goes, a moved-aside one returns.</summary>
    private static void RecoverLeftover()
    {
        if (File.Exists(AclPath) && File.ReadAllText(AclPath).StartsWith(Marker, StringComparison.Ordinal))
        {
            File.Delete(AclPath);
        }
        if (File.Exists(SavedPath))
        {
            if (File.Exists(AclPath))
            {
                throw new InvalidOperationException($"both {AclPath} and {SavedPath} exist: a killed test run left the saved ACL; keep the one you want and delete the other");
            }
            File.Move(SavedPath, AclPath);
        }
    }
}
