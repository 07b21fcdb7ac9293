namespace Tap.Tests.Model.DataPath;

/// <summary>A hub port (Q21): an ordinary client that pads, whose receive is the hub's forward.</summary>
public sealed class DpHubPort(DpNet net, DpHub hub, string name) : DpClient(net, name, name)
{
    public DpHub Hub { get; } = hub;

    public override int Receive(byte[] packet) => Hub.Forward(this, packet);

    public override bool CanReceiveNow() => Hub.CanReceiveOn(this);
}
