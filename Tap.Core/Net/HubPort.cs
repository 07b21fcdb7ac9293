namespace Tap.Core.Net;

/// <summary>One port of a <see cref="NetHub"/>: an ordinary client of model <c>hubport</c> that pads (Q21).</summary>
public sealed class HubPort : NetClient
{
    internal HubPort(NetStack stack, NetHub hub, string name, NetClient? peer)
        : base(stack, peer, "hubport", name)
    {
        Hub = hub;
    }

    /// <summary>The hub this port belongs to.</summary>
    public NetHub Hub { get; }

    /// <inheritdoc/>
    public override int Receive(ReadOnlySpan<byte> packet) => Hub.Forward(this, packet);

    /// <inheritdoc/>
    protected internal override bool CanReceiveNow() => Hub.CanReceiveOn(this);
}
