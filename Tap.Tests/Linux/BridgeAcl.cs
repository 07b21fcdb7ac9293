namespace Tap.Tests.Linux;

/// <summary>The real qemu-bridge-helper's ACL (/etc/qemu/bridge.conf). Writes the ACL for the duration of a test and puts back what was there.</summary>
internal sealed class BridgeAcl : IDisposable
{
    private const string AclPath = "/etc/qemu/bridge.conf";

    private readonly string? _previous;
    private readonly bool _dirCreated;

    public BridgeAcl(string text)
    {
        _previous = File.Exists(AclPath) ? File.ReadAllText(AclPath) : null;
        _dirCreated = !Directory.Exists("/etc/qemu");
        Directory.CreateDirectory("/etc/qemu");
        File.WriteAllText(AclPath, text);
    }

    public void Dispose()
    {
        if (_previous is not null)
        {
            File.WriteAllText(AclPath, _previous);
            return;
        }
        File.Delete(AclPath);
        if (_dirCreated)
        {
            Directory.Delete("/etc/qemu");
        }
    }
}
