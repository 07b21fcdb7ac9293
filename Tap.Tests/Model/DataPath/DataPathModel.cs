namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The reference model of the data path: given a <see cref="DataPathConfig"/> and a workload, it predicts every
/// kernel call (creation values, vhost init and poll-us included), every frame each guest NIC and each tap device
/// receives, byte for byte and in order, every completion, and every drop by reason. It is written from
/// tap-backend.md, net-queue.md and linux-tun.md and uses none of the product's code or constants.
/// </summary>
public sealed class DataPathModel
{
    /// <summary>Settle gives up after this many rounds (a flood of 10 000 frames needs about 200).</summary>
    public const int SettleRoundsMax = 1000;

    private readonly DataPathConfig _config;
    private readonly DpKernel _kernel = new();
    private readonly DpNet _net = new();
    private readonly List<List<DpTap>> _taps = new();
    private readonly List<DpGuest> _guests = new();
    private readonly List<DpTunDevice> _devices = new();
    private readonly Dictionary<DpTunQueue, int> _writtenSeen = new();
    private readonly List<int> _receivedSeen = new();
    private readonly List<int> _eventsSeen = new();
    private readonly HashSet<int> _netdevsGone = new();
    private int _callsSeen;

    public DataPathModel(DataPathConfig config) => _config = config;

    /// <summary>Every queue of every netdev, in creation order (the indices of <see cref="DataPathOp.ServiceAll"/>).</summary>
    private IEnumerable<DpTap> AllTaps => _taps.SelectMany(t => t);

    /// <summary>Creates the netdevs and guests (O34-O37, R4-R10; vhost-net.md) and brings every link up.</summary>
    public DataPathObservation Build()
    {
        var hub = _config.Hub ? new DpHub() : null;
        for (int j = 0; j < _config.Netdevs.Length; j++)
        {
            var port = hub?.AddPort(_net, $"p{j}");
            _taps.Add(CreateNetdev(j, _config.Netdevs[j], port));
            _devices.Add(_kernel.Devices[$"tap{j}"]);
        }
        if (hub is not null && _config.HubGuest)
        {
            var port = hub.AddPort(_net, "pg");
            var g = new DpGuest(_net, "g0", _config.GuestVirtio[0]);
            _net.Add(g, port);
            _guests.Add(g);
        }
        if (hub is null)
        {
            for (int i = 0; i < _taps[0].Count; i++)
            {
                var g = new DpGuest(_net, $"g{i}", _config.GuestVirtio[i]);
                _net.Add(g, _taps[0][i]);
                _guests.Add(g);
            }
        }
        foreach (var _ in _guests)
        {
            _receivedSeen.Add(0);
            _eventsSeen.Add(0);
        }
        foreach (var d in _devices)
        {
            d.Up = true;
        }
        return Observe("build");
    }

    /// <summary>O37 for every queue (open, features, TUNSETIFF, non-blocking), then O34 per queue (R5-R9, sndbuf, vhost).</summary>
    private List<DpTap> CreateNetdev(int j, DataPathNetdev nd, DpClient? peer)
    {
        string ifname = $"tap{j}";
        // TAP | NO_PI | ONE_QUEUE (offered by the kernel), VNET_HDR when asked, MULTI_QUEUE when queues > 1 (§1.1).
        int flags = 0x0002 | 0x1000 | 0x2000 | (nd.VnetHdr ? 0x4000 : 0) | (nd.Queues > 1 ? 0x0100 : 0);
        var fds = new List<int>();
        for (int i = 0; i < nd.Queues; i++)
        {
            int fd = _kernel.OpenTun();
            _kernel.SetIff(fd, ifname, flags);
            _kernel.NonBlocking(fd);
            fds.Add(fd);
        }
        var taps = new List<DpTap>();
        for (int i = 0; i < nd.Queues; i++)
        {
            var tap = new DpTap(_net, _kernel, $"t{j}", i, fds[i], nd.VnetHdr, peer);
            // O35: absent or 0 means INT_MAX; larger values are cut to INT_MAX.
            ulong wanted = nd.Sndbuf ?? 0;
            _kernel.SetSndBuf(fds[i], wanted == 0 || wanted > 2147483647UL ? 2147483647 : (int)wanted);
            if (nd.Vhost)
            {
                // O36: /dev/vhost-net, non-blocking, init with the busy-poll timeout (poll-us or 0).
                int v = _kernel.OpenVhost();
                _kernel.NonBlocking(v);
                _kernel.VhostInit(v, fds[i], nd.VnetHdr, nd.PollUs ?? 0);
                tap.VhostFd = v;
            }
            taps.Add(tap);
        }
        return taps;
    }

    /// <summary>The interface of netdev <paramref name="dev"/> no longer exists (deleted by the host, or every fd closed).</summary>
    private bool DeviceGone(int dev) => !_kernel.Devices.ContainsKey($"tap{dev}");

    /// <summary>Applies one step and returns what it made visible.</summary>
    public DataPathObservation Apply(DataPathOp op)
    {
        if (DataPathSkip.Skipped(op, DeviceGone, _netdevsGone.Contains))
        {
            return Observe("skipped");
        }
        string result = "";
        switch (op)
        {
            case DataPathOp.HostSend s:
                for (int k = 0; k < s.Count; k++)
                {
                    HostSend(s.Dev, s.Queue, s.Salt + k, s.Length, s.WithHeader);
                }
                break;
            case DataPathOp.Flood f:
                for (int r = 0; r < f.Rounds; r++)
                {
                    for (int k = 0; k < DpTap.PacketsPerWakeup; k++)
                    {
                        HostSend(f.Dev, f.Queue, f.Salt + r * 50 + k, f.Length, false);
                    }
                    _kernel.Dispatch(_taps[f.Dev][f.Queue].Fd);
                }
                break;
            case DataPathOp.Service s:
                _kernel.Dispatch(_taps[s.Dev][s.Queue].Fd);
                break;
            case DataPathOp.ServiceAll s:
                var all = AllTaps.ToList();
                foreach (int i in s.Order)
                {
                    _kernel.Dispatch(all[i].Fd);
                }
                break;
            case DataPathOp.HostDrain d:
                return Observe("", _devices[d.Dev].Queues[d.Queue]);
            case DataPathOp.Link l:
                _devices[l.Dev].Up = l.Up;
                break;
            case DataPathOp.GuestRefuse g:
                _guests[g.Guest].Refuse(g.Packets);
                break;
            case DataPathOp.GuestGrant g:
                _guests[g.Guest].Grant(g.Packets);
                break;
            case DataPathOp.GuestOpen g:
                _guests[g.Guest].Open();
                break;
            case DataPathOp.GuestTransmit t:
                result = $"g{t.Guest} transmit {t.Length} = {_guests[t.Guest].Transmit(DataPathFrames.Make(t.Salt, t.Length))}";
                break;
            case DataPathOp.Toggle t:
                var tap = _taps[t.Dev][t.Queue];
                result = tap.Enabled ? $"{tap.Label} disable = {tap.Disable()}" : $"{tap.Label} enable = {tap.Enable()}";
                break;
            case DataPathOp.Negotiate n:
                result = $"g{n.Guest} negotiate = {_guests[n.Guest].Negotiate(n.HdrLen, n.OffloadMask, n.Le)}";
                break;
            case DataPathOp.Fault f:
                _kernel.InjectFault(_taps[f.Dev][f.Queue].Fd, f.OnWrite, f.Errno);
                break;
            case DataPathOp.DeleteNetdev d:
                _net.Delete(_taps[d.Dev][0]);
                _netdevsGone.Add(d.Dev);
                break;
            case DataPathOp.DeleteDevice d:
                _kernel.DeleteDevice(_devices[d.Dev]);
                break;
            case DataPathOp.Vm v when v.Running:
                _net.StartVm();
                break;
            case DataPathOp.Vm:
                _net.StopVm();
                break;
            case DataPathOp.Settle:
                result = $"settled after {Settle()} round(s)";
                break;
            case DataPathOp.Teardown:
                return Teardown();
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown step");
        }
        return Observe(result);
    }

    private void HostSend(int dev, int queue, int salt, int length, bool withHeader) =>
        _kernel.HostSend(_devices[dev], queue, withHeader ? DataPathFrames.Header(salt) : new byte[10], DataPathFrames.Make(salt, length));

    private int Settle()
    {
        _kernel.ClearFaults();
        if (!_net.VmRunning)
        {
            _net.StartVm();
        }
        foreach (var g in _guests)
        {
            g.Open();
        }
        var live = _devices.Where(d => _kernel.Devices.ContainsKey(d.Name)).ToList();
        foreach (var d in live)
        {
            d.Up = true;
        }
        for (int j = 0; j < _taps.Count; j++)
        {
            if (!_netdevsGone.Contains(j))
            {
                _taps[j].ForEach(t => t.Enable());
            }
        }
        for (int round = 1; round <= SettleRoundsMax; round++)
        {
            foreach (var d in live)
            {
                foreach (var q in d.Queues)
                {
                    Drain(q);
                }
            }
            int calls = 0;
            foreach (var t in AllTaps)
            {
                calls += _kernel.Dispatch(t.Fd);
            }
            if (calls == 0)
            {
                return round;
            }
        }
        return SettleRoundsMax;
    }

    private readonly List<(string Key, byte[] Frame)> _drained = new();

    private void Drain(DpTunQueue q)
    {
        int seen = _writtenSeen.GetValueOrDefault(q);
        foreach (var f in _kernel.HostDrain(q).Skip(seen))
        {
            _drained.Add(($"host {q.Device.Name}/{q.Device.Queues.IndexOf(q)}", f));
        }
        _writtenSeen[q] = 0;
    }

    private DataPathObservation Teardown()
    {
        // Writes not yet seen by the host are reported before the devices go away.
        var before = Observe("teardown");
        _net.DeleteAll();
        var after = Observe("");
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

    private DataPathObservation Observe(string result, DpTunQueue? drain = null)
    {
        if (drain is not null)
        {
            Drain(drain);
        }
        var o = new DataPathObservation();
        o.Calls.AddRange(_kernel.Calls.Skip(_callsSeen));
        _callsSeen = _kernel.Calls.Count;
        if (result.Length > 0)
        {
            o.Events.Add(result);
        }
        for (int i = 0; i < _guests.Count; i++)
        {
            var g = _guests[i];
            o.AddFrames($"guest {g.Label}", g.Received.Skip(_receivedSeen[i]));
            _receivedSeen[i] = g.Received.Count;
            o.Events.AddRange(g.Events.Skip(_eventsSeen[i]));
            _eventsSeen[i] = g.Events.Count;
        }
        foreach (var (key, frame) in _drained)
        {
            o.AddFrames(key, new[] { frame });
        }
        _drained.Clear();
        foreach (var d in _devices.Where(d => _kernel.Devices.ContainsKey(d.Name)))
        {
            for (int i = 0; i < d.Queues.Count; i++)
            {
                var q = d.Queues[i];
                int seen = _writtenSeen.GetValueOrDefault(q);
                o.AddFrames($"host {d.Name}/{i}", q.Written.Skip(seen));
                _writtenSeen[q] = q.Written.Count;
                o.State[$"kernel {d.Name}/{i}"] = $"pending={q.Ring.Count} purged={q.Purged} detached={q.Detached} sndbuf={q.SndBuf}";
            }
            o.State[$"device {d.Name}"] = $"hostdrops={d.HostDrops} hdr={d.HdrSize} offload={KernelCallText.Hex(d.Offload)} le={d.VnetLe}";
        }
        foreach (var c in _net.Everyone)
        {
            string drops = DataPathObservation.DropText(c.Drops);
            if (drops.Length > 0)
            {
                o.State[$"drops {c.Label}"] = drops;
            }
        }
        return o;
    }
}
