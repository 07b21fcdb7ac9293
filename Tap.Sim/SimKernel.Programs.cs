using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <inheritdoc/>
    public ChildOutcome RunScript(string path, string ifname, Fd keepOpen)
    {
        var childFds = new List<int> { 0, 1, 2 };
        if (_fds.ContainsKey(keepOpen.Number) && keepOpen.Number > 2)
        {
            childFds.Add(keepOpen.Number);
        }
        ScriptRuns.Add((new[] { path, ifname }, childFds));
        var outcome = Scripts.TryGetValue(path, out var script)
            ? script.Outcome
            : ChildOutcome.ExecFailure(Errno.ENOENT);
        Record.Add(KernelCalls.Line(KernelCalls.RunScript(path, ifname, keepOpen), KernelCalls.Result(outcome)));
        return outcome;
    }

    /// <inheritdoc/>
    public HelperOutcome RunBridgeHelper(HelperLaunch launch)
    {
        var outcome = RunHelper(launch);
        Record.Add(KernelCalls.Line(KernelCalls.RunBridgeHelper(launch), KernelCalls.Result(outcome)));
        return outcome;
    }

    private HelperOutcome RunHelper(HelperLaunch launch)
    {
        if (SocketPairError is { } pairError)
        {
            return new HelperOutcome(HelperReceive.SocketPairFailed, default, pairError, default);
        }
        // QEMU's order: socketpair takes the two lowest free numbers, the child gets the second; the parent closes
        // the child's end, so a received fd lands on that number again.
        var ours = Allocate(new SimFile.Other("socket"));
        var theirs = Allocate(new SimFile.Other("socket"));
        var argv = launch.Argv(theirs.Number);
        HelperRuns.Add(argv);
        _fds.Remove(theirs.Number);

        if (!Helpers.TryGetValue(launch.Program, out var helper))
        {
            _fds.Remove(ours.Number);
            return new HelperOutcome(HelperReceive.Eof, default, Errno.None, ChildOutcome.ExecFailure(Errno.ENOENT));
        }

        HelperOutcome outcome;
        if (helper.End.End == ChildEnd.SpawnFailed)
        {
            _fds.Remove(ours.Number);
            return new HelperOutcome(HelperReceive.Error, default, helper.End.Error, helper.End);
        }
        switch (helper.Sends)
        {
            case SimHelperSends.ReceiveFails:
                outcome = new HelperOutcome(HelperReceive.Error, default, Errno.EPIPE, helper.End);
                break;
            case SimHelperSends.TapFd or SimHelperSends.TapFdWithoutVnetHdr:
                // The test chose what the helper sends; a real helper adds VNET_HDR for --use-vnet when it can.
                bool vnet = helper.Sends == SimHelperSends.TapFd;
                var fd = MakeHelperTap(vnet);
                outcome = new HelperOutcome(HelperReceive.Fd, fd, Errno.None, helper.End);
                break;
            case SimHelperSends.OtherFd:
                var devNull = Allocate(new SimFile.Other("/dev/null"));
                outcome = new HelperOutcome(HelperReceive.Fd, devNull, Errno.None, helper.End);
                break;
            case SimHelperSends.DataWithoutFd:
                outcome = new HelperOutcome(HelperReceive.NoFd, default, Errno.None, helper.End);
                break;
            case SimHelperSends.Hangs:
                outcome = new HelperOutcome(HelperReceive.Error, default, Errno.ETIMEDOUT, ChildOutcome.Timeout());
                break;
            default:
                outcome = new HelperOutcome(HelperReceive.Eof, default, Errno.None, helper.End);
                break;
        }
        _fds.Remove(ours.Number);
        return outcome;
    }

    /// <summary>What qemu-bridge-helper does: a new tap from tap%d, up, handed over as a fresh fd.</summary>
    private Fd MakeHelperTap(bool vnet)
    {
        TryResolveTemplate("tap%d", out string name);
        var device = new SimTunDevice(name, TunFlags.Tap | TunFlags.NoPi | (vnet ? TunFlags.VnetHdr : 0)) { Up = true };
        _devices[name] = device;
        var queue = new SimTunQueue(device, _buffers);
        device.Queues.Add(queue);
        return Allocate(new SimFile.Tun { Queue = queue });
    }
}
