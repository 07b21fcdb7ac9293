namespace Tap.Core.Net;

/// <summary>A copy of a packet waiting in a receiver's queue. The buffer is pooled and returned on removal.</summary>
internal struct QueuedPacket
{
    public NetClient Sender;
    public PacketFlags Flags;
    public byte[] Buffer;
    public int Length;
    public INetCompletion? Completion;

    public readonly ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
}
