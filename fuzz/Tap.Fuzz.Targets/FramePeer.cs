using Tap.Core.Net;

namespace Tap.Fuzz.Targets;

/// <summary>
/// The guest NIC at the other end of the tap for <see cref="FrameTarget"/>: takes frames unless busy (then the net
/// layer queues them, Q7), and hands each accepted frame to the <see cref="FrameModel"/>.
/// </summary>
internal sealed class FramePeer(NetStack stack, FrameModel model, bool doNotPad) : NetClient(stack, null, "nic", "guest"), INetCompletion
{
    /// <summary>No receive buffers: frames wait in this client's queue until <see cref="Busy"/> is cleared.</summary>
    public bool Busy { get; set; }

    public override bool DoNotPad => doNotPad;

    public override bool IsNic => true;

    public override int Receive(ReadOnlySpan<byte> packet)
    {
        if (Busy)
        {
            return 0;
        }
        model.PeerAccepted(packet);
        return packet.Length;
    }

    protected override bool CanReceiveNow() => !Busy;

    /// <summary>A frame this NIC sent waited and was then written or dropped; a NIC just goes on.</summary>
    public void OnSendCompleted(NetClient sender, int length)
    {
    }
}
