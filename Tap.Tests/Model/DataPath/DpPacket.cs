namespace Tap.Tests.Model.DataPath;

/// <summary>A copy of a packet waiting in a receiver's incoming queue, with whether its sender wants a completion (Q8).</summary>
public sealed record DpPacket(DpClient Sender, byte[] Data, bool WantsCompletion);
