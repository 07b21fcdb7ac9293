namespace Tap.Core.Net;

/// <summary>Something to run when the process exits while its client still exists (QEMU's exit notifier).</summary>
public interface INetExitNotifier
{
    /// <summary>The process is exiting.</summary>
    void OnProcessExit();
}
