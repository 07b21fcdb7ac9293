namespace Tap.Core.Net;

/// <summary>
/// Sees every packet a client sends to its peer and every packet its peer sends to it, at the moment it is sent
/// (where QEMU's netfilters sit), whatever then happens to it. Must not keep the span.
/// </summary>
public interface IPacketObserver
{
    /// <summary><paramref name="outgoing"/>: sent by <paramref name="client"/>; otherwise sent to it.</summary>
    void OnPacket(NetClient client, ReadOnlySpan<byte> packet, bool outgoing);
}
