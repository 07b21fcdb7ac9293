using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Abi;

namespace Tap.Fuzz.Targets;

/// <summary>
/// The frame path (vnet header handling, R11-R30): one tap queue between a <see cref="FrameKernel"/> and a guest
/// <see cref="FramePeer"/>, driven by operations the input spells: host frames, readable and writable wake-ups,
/// guest frames, the peer taking the header over (10, 12 or 20 bytes), a busy peer, read and write errors, queue
/// detach and attach, VM stop and start. Every frame crossing either way is checked against
/// <see cref="FrameModel"/>; after every operation the queue must not be stuck (a host frame waiting, a peer that
/// can take it, and no read watch), and at the end the counters must agree with the model and cleanup must close
/// the fd.
/// </summary>
public sealed class FrameTarget : IFuzzTarget
{
    /// <summary>R22: frames forwarded per readable wake-up at most.</summary>
    private const int MaxFramesPerWakeup = 50;

    private static readonly int[] HeaderLengths = [10, 12, 20];
    private static readonly Errno[] Errors = [Errno.EAGAIN, Errno.EINTR, Errno.EIO, Errno.EBADFD];

    public string Name => "frame";

    public string Description => "tap frame path ops (host/guest frames, vnet header take-over, errors) against a header model";

    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzReader(input);
        byte setup = reader.Byte();
        bool vnetHdr = (setup & 1) != 0;
        bool doNotPad = (setup & 2) != 0;
        var model = new FrameModel(vnetHdr, peerPads: !doNotPad);
        var kernel = new FrameKernel(model, vnetHdr);
        var stack = new NetStack();
        var peer = new FramePeer(stack, model, doNotPad);
        var tap = TapBackend.Create(stack, peer, "tap", "t0", kernel, FrameKernel.TapFd, vnetHdr);
        FuzzFindingException.Check(tap.CreationError is null, $"creation failed on a kernel that refuses nothing: {tap.CreationError}");
        bool enabled = true;

        while (!reader.IsEmpty)
        {
            byte op = reader.Byte();
            switch (op % 10)
            {
                case 0:
                    kernel.HostSends(Frame(reader.UInt16(), reader.Byte()));
                    break;
                case 1 when kernel.WatchedReadable:
                    kernel.StartWakeup();
                    tap.OnReadable();
                    FuzzFindingException.Check(kernel.FramesThisWakeup <= MaxFramesPerWakeup,
                        $"one readable wake-up read {kernel.FramesThisWakeup} frames, more than {MaxFramesPerWakeup} (R22)");
                    break;
                case 2:
                    // Up to 128 KiB, so the net layer's NET_BUFSIZE limit is crossed too.
                    int length = reader.UInt16() | ((reader.Byte() & 1) << 16);
                    byte[] packet = Frame(length, reader.Byte());
                    model.PeerSent(packet);
                    peer.SendAsync(packet, peer);
                    break;
                case 3:
                    byte how = reader.Byte();
                    int bytes = HeaderLengths[how % HeaderLengths.Length];
                    kernel.FailNextVnetHdrSize = (how & 0x80) != 0;
                    bool refused = kernel.FailNextVnetHdrSize;
                    bool applied = tap.SetVnetHdrLen(bytes);
                    FuzzFindingException.Check(applied == !refused,
                        $"SetVnetHdrLen({bytes}) returned {applied}, but the kernel {(refused ? "refused" : "took")} the size");
                    if (!refused)
                    {
                        model.HeaderTakenOver(bytes);
                    }
                    break;
                case 4:
                    peer.Busy = !peer.Busy;
                    if (!peer.Busy)
                    {
                        peer.FlushQueuedPackets();
                    }
                    break;
                case 5:
                    kernel.FailNextRead(Errors[reader.Byte() % Errors.Length]);
                    break;
                case 6:
                    kernel.FailNextWrite(Errors[reader.Byte() % Errors.Length]);
                    break;
                case 7 when kernel.WatchedWritable:
                    tap.OnWritable();
                    break;
                case 8:
                    if (enabled)
                    {
                        model.Purged(peer.IncomingQueue.Count);
                        FuzzFindingException.Check(tap.Disable() == 0, "detaching the queue failed on a kernel that refuses nothing");
                    }
                    else
                    {
                        FuzzFindingException.Check(tap.Enable() == 0, "attaching the queue failed on a kernel that refuses nothing");
                    }
                    enabled = !enabled;
                    break;
                case 9:
                    if (stack.VmRunning)
                    {
                        stack.StopVm();
                    }
                    else
                    {
                        stack.StartVm();
                    }
                    break;
            }
            NotStuck(kernel, model, stack, peer, tap, enabled);
        }

        FuzzFindingException.Check(tap.FramesRead == model.FramesRead,
            $"the tap counts {tap.FramesRead} frames read, the kernel handed out {model.FramesRead}");
        FuzzFindingException.Check(tap.Counters.Drops(DropReason.ShortRead) == model.ShortReads,
            $"the tap counts {tap.Counters.Drops(DropReason.ShortRead)} short reads, expected {model.ShortReads} (frames no longer than the {model.HostHeaderBytes}-byte header)");
        stack.DeleteAll();
        FuzzFindingException.Check(kernel.Closed, "deleting the tap did not close its fd (R40)");
    }

    /// <summary>Liveness: whatever waits on either side must have a watch that will move it (R1, R16, R24).</summary>
    private static void NotStuck(FrameKernel kernel, FrameModel model, NetStack stack, FramePeer peer, TapBackend tap, bool enabled)
    {
        if (model.Broken || !enabled || !stack.VmRunning)
        {
            return;
        }
        if (kernel.HostFramesWaiting > 0 && !peer.Busy && peer.IncomingQueue.Count == 0)
        {
            FuzzFindingException.Check(kernel.WatchedReadable,
                $"{kernel.HostFramesWaiting} host frames wait, the peer can take them, but the tap fd is not watched for reading");
        }
        if (tap.IncomingQueue.Count > 0)
        {
            FuzzFindingException.Check(kernel.WatchedWritable,
                $"{tap.IncomingQueue.Count} guest frames wait for the host, but the tap fd is not watched for writing");
        }
    }

    /// <summary>A frame of <paramref name="length"/> bytes counting up from <paramref name="first"/>, so a cut or shift shows.</summary>
    private static byte[] Frame(int length, byte first)
    {
        var frame = new byte[length];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)(first + i);
        }
        return frame;
    }
}
