namespace Tap.Core.Net;

/// <summary>A sender's completion for a packet the net layer queued (Q14).</summary>
public interface INetCompletion
{
    /// <summary>
    /// The queued packet was delivered with result <paramref name="length"/> (may be negative), or purged (0).
    /// </summary>
    void OnSendCompleted(NetClient sender, int length);
}
