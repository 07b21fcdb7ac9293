namespace Tap.Core.Os;

/// <summary>The result of the kernel vhost-net init for one queue pair. On failure <see cref="Detail"/> is the
/// line QEMU prints first (for example <c>vhost_set_owner failed: Inappropriate ioctl for device</c>).</summary>
public readonly record struct VhostInitResult(bool Ok, string? Detail)
{
    public static VhostInitResult Success => new(true, null);
    public static VhostInitResult Failure(string detail) => new(false, detail);
}
