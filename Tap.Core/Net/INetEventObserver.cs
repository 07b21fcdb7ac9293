namespace Tap.Core.Net;

/// <summary>Sees the net layer's own events that no system call shows: a queued packet's completion reaching its
/// sender (Q14). A trace recorder listens here.</summary>
public interface INetEventObserver
{
    /// <summary><paramref name="sender"/>'s completion runs with <paramref name="length"/> (0 for a purge).</summary>
    void OnSendCompleted(NetClient sender, int length);
}
