using Tap.Core.Net;

namespace Tap.Tests.CommandLine;

/// <summary>A netdev of model "tap" that takes every packet: what the reports read is only its counters.</summary>
internal sealed class PlainTap(NetStack stack, string name) : NetClient(stack, null, "tap", name)
{
    public override int Receive(ReadOnlySpan<byte> packet) => packet.Length;
}
