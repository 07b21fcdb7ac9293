namespace Tap.Tests.Model.DataPath;

/// <summary>Turns workload steps into a side's primitive actions: the one interpretation of a step, for model and core alike.</summary>
public static class DataPathDriver
{
    /// <summary>Settle gives up after this many rounds (a flood of 10 000 frames needs about 200).</summary>
    public const int SettleRoundsMax = 1000;

    /// <summary>Frames the host sends per round of a flood: one readable callback's worth (R22).</summary>
    public const int FloodBurst = 50;

    public static DataPathObservation Apply(IDataPathSide side, DataPathConfig config, DataPathOp op)
    {
        if (Skipped(side, op))
        {
            return side.Observe("skipped");
        }
        string result = "";
        switch (op)
        {
            case DataPathOp.HostSend s:
                for (int k = 0; k < s.Count; k++)
                {
                    side.HostSend(s.Dev, s.Queue, s.WithHeader ? DataPathFrames.Header(s.Salt + k) : null, DataPathFrames.Make(s.Salt + k, s.Length));
                }
                break;
            case DataPathOp.Flood f:
                for (int r = 0; r < f.Rounds; r++)
                {
                    for (int k = 0; k < FloodBurst; k++)
                    {
                        side.HostSend(f.Dev, f.Queue, null, DataPathFrames.Make(f.Salt + r * FloodBurst + k, f.Length));
                    }
                    side.Dispatch(f.Dev, f.Queue);
                }
                break;
            case DataPathOp.Service s:
                side.Dispatch(s.Dev, s.Queue);
                break;
            case DataPathOp.ServiceAll s:
                var all = AllQueues(config);
                foreach (int i in s.Order)
                {
                    side.Dispatch(all[i].Dev, all[i].Queue);
                }
                break;
            case DataPathOp.HostDrain d:
                side.Drain(d.Dev, d.Queue);
                break;
            case DataPathOp.Link l:
                side.SetLink(l.Dev, l.Up);
                break;
            case DataPathOp.GuestRefuse g:
                side.GuestRefuse(g.Guest, g.Packets);
                break;
            case DataPathOp.GuestGrant g:
                side.GuestGrant(g.Guest, g.Packets);
                break;
            case DataPathOp.GuestOpen g:
                side.GuestOpen(g.Guest);
                break;
            case DataPathOp.GuestTransmit t:
                result = $"g{t.Guest} transmit {t.Length} = {side.GuestTransmit(t.Guest, DataPathFrames.Make(t.Salt, t.Length))}";
                break;
            case DataPathOp.Toggle t:
                result = side.QueueEnabled(t.Dev, t.Queue)
                    ? $"t{t.Dev}/{t.Queue} disable = {side.Disable(t.Dev, t.Queue)}"
                    : $"t{t.Dev}/{t.Queue} enable = {side.Enable(t.Dev, t.Queue)}";
                break;
            case DataPathOp.Poll p:
                side.Poll(p.Dev, p.Queue, p.Enable);
                break;
            case DataPathOp.Negotiate n:
                result = $"g{n.Guest} negotiate = {side.Negotiate(n.Guest, n.HdrLen, n.OffloadMask, n.Le)}";
                break;
            case DataPathOp.Fault f:
                side.InjectFault(f.Dev, f.Queue, f.OnWrite, f.Errno);
                break;
            case DataPathOp.DeleteNetdev d:
                side.DeleteNetdev(d.Dev);
                break;
            case DataPathOp.DeleteDevice d:
                side.DeleteDevice(d.Dev);
                break;
            case DataPathOp.DeleteNic:
                for (int g = 0; g < config.Guests; g++)
                {
                    side.DeleteGuest(g);
                }
                break;
            case DataPathOp.Vm v when v.Running:
                side.StartVm();
                break;
            case DataPathOp.Vm:
                side.StopVm();
                break;
            case DataPathOp.Settle:
                result = $"settled after {Settle(side, config)} round(s)";
                break;
            case DataPathOp.Teardown:
                return Teardown(side);
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown step");
        }
        return side.Observe(result);
    }

    /// <summary>Every queue of every netdev, in creation order (the indices of <see cref="DataPathOp.ServiceAll"/>).</summary>
    private static List<(int Dev, int Queue)> AllQueues(DataPathConfig config) =>
        Enumerable.Range(0, config.Netdevs.Length).SelectMany(j => Enumerable.Range(0, config.QueuesOf(j)).Select(i => (j, i))).ToList();

    /// <summary>
    /// The host cannot send into, drain or configure an interface that is gone; a deleted netdev has nothing to
    /// toggle; a deleted guest does nothing more.
    /// </summary>
    private static bool Skipped(IDataPathSide side, DataPathOp op) => op switch
    {
        DataPathOp.HostSend s => side.DeviceGone(s.Dev),
        DataPathOp.Flood f => side.DeviceGone(f.Dev),
        DataPathOp.HostDrain d => side.DeviceGone(d.Dev),
        DataPathOp.Link l => side.DeviceGone(l.Dev),
        DataPathOp.DeleteDevice d => side.DeviceGone(d.Dev),
        DataPathOp.Toggle t => side.NetdevGone(t.Dev),
        DataPathOp.Poll p => side.NetdevGone(p.Dev),
        DataPathOp.DeleteNetdev d => side.NetdevGone(d.Dev),
        DataPathOp.GuestRefuse g => side.GuestGone(g.Guest),
        DataPathOp.GuestGrant g => side.GuestGone(g.Guest),
        DataPathOp.GuestOpen g => side.GuestGone(g.Guest),
        DataPathOp.GuestTransmit t => side.GuestGone(t.Guest),
        DataPathOp.Negotiate n => side.GuestGone(n.Guest),
        DataPathOp.DeleteNic => side.GuestGone(0),
        _ => false,
    };

    /// <summary>Liveness: faults stop, the VM runs, guests open, links up, queues enabled; then drain-and-service rounds until quiet.</summary>
    private static int Settle(IDataPathSide side, DataPathConfig config)
    {
        side.ClearFaults();
        if (!side.VmRunning)
        {
            side.StartVm();
        }
        for (int g = 0; g < config.Guests; g++)
        {
            if (!side.GuestGone(g))
            {
                side.GuestOpen(g);
            }
        }
        var live = Enumerable.Range(0, config.Netdevs.Length).Where(j => !side.DeviceGone(j)).ToList();
        foreach (int j in live)
        {
            side.SetLink(j, true);
        }
        var queues = AllQueues(config);
        foreach (var (j, i) in queues.Where(a => !side.NetdevGone(a.Dev)))
        {
            side.Enable(j, i);
        }
        for (int round = 1; round <= SettleRoundsMax; round++)
        {
            foreach (var (j, i) in queues.Where(a => live.Contains(a.Dev)))
            {
                side.Drain(j, i);
            }
            int calls = 0;
            foreach (var (j, i) in queues)
            {
                calls += side.Dispatch(j, i);
            }
            if (calls == 0)
            {
                return round;
            }
        }
        return SettleRoundsMax;
    }

    /// <summary>Writes the host has not seen are reported before the interfaces go; then every client is deleted.</summary>
    private static DataPathObservation Teardown(IDataPathSide side)
    {
        var before = side.Observe("teardown");
        side.DeleteAll();
        var after = side.Observe("");
        before.Calls.AddRange(after.Calls);
        before.Events.AddRange(after.Events);
        before.State.Clear();
        foreach (var (k, v) in after.State)
        {
            before.State[k] = v;
        }
        foreach (var (k, v) in after.Frames)
        {
            before.AddFrames(k, v);
        }
        return before;
    }
}
