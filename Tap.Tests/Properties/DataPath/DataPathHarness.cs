using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;
using Tap.Tests.Model.DataPath;

namespace Tap.Tests.Properties.DataPath;

/// <summary>
/// Runs a data-path workload on the real core (TapInit, TapBackend, NetStack, hubs) over the simulated kernel,
/// with the main loop servicing fds in the workload's order, and reports each step in the model's terms
/// (<see cref="DataPathObservation"/>): the calls the kernel saw (through <see cref="KernelCallLog"/>), the frames
/// the guests and the simulated devices received, completions, drop counters and kernel queue state.
/// </summary>
public sealed class DataPathHarness
{
    private readonly DataPathConfig _config;
    private readonly SimKernel _kernel;
    private readonly KernelCallLog _log;
    private readonly NetStack _stack = new();
    private readonly List<List<TapBackend>> _taps = new();
    private readonly List<SimGuestPeer> _guests = new();
    private readonly List<(string Label, NetClient Client)> _clients = new();
    private readonly Dictionary<SimTunQueue, int> _writtenSeen = new();
    private readonly List<(string Key, byte[] Frame)> _drained = new();
    private readonly List<int> _receivedSeen = new();
    private readonly List<int> _completionsSeen = new();
    private int _callsSeen;

    public DataPathHarness(DataPathConfig config, ulong seed)
    {
        _config = config;
        _kernel = new SimKernel(seed) { VhostPresent = true };
        _log = new KernelCallLog(_kernel);
    }

    /// <summary>The simulated kernel's own record, for failure reports.</summary>
    public SimKernel Kernel => _kernel;

    private IEnumerable<TapBackend> AllTaps => _taps.SelectMany(t => t);

    private string DeviceName(int dev) => $"tap{dev}";

    public DataPathObservation Build()
    {
        NetHub? hub = _config.Hub ? _stack.GetOrCreateHub(0) : null;
        for (int j = 0; j < _config.Netdevs.Length; j++)
        {
            var nd = _config.Netdevs[j];
            var port = hub?.AddPort($"p{j}", null);
            if (port is not null)
            {
                _clients.Add((port.Name, port));
            }
            var options = new TapOptions
            {
                Id = $"t{j}",
                Ifname = DeviceName(j),
                Script = "no",
                Downscript = "no",
                VnetHdr = nd.VnetHdr,
                Queues = nd.Queues > 1 ? (uint)nd.Queues : null,
                Sndbuf = nd.Sndbuf,
                Vhost = nd.Vhost ? true : null,
                PollUs = nd.PollUs,
            };
            var r = TapInit.Run(_stack, _log, new NetdevEnvironment(), options, port);
            if (!r.Ok)
            {
                throw new InvalidOperationException($"creating t{j} ({nd}) failed: {r.Error}");
            }
            var queues = r.Created.Cast<TapBackend>().ToList();
            for (int i = 0; i < queues.Count; i++)
            {
                _clients.Add(($"t{j}/{i}", queues[i]));
            }
            _taps.Add(queues);
        }
        if (hub is not null && _config.HubGuest)
        {
            var port = hub.AddPort("pg", null);
            _clients.Add((port.Name, port));
            AddGuest(port, 0);
        }
        if (hub is null)
        {
            for (int i = 0; i < _taps[0].Count; i++)
            {
                AddGuest(_taps[0][i], i);
            }
        }
        for (int j = 0; j < _config.Netdevs.Length; j++)
        {
            _kernel.SetLinkUp(DeviceName(j), true);
        }
        return Observe("build");
    }

    private void AddGuest(NetClient peer, int i)
    {
        var g = new SimGuestPeer(_stack, peer, $"g{i}", _config.GuestVirtio[i]);
        _guests.Add(g);
        _clients.Add((g.Name, g));
        _receivedSeen.Add(0);
        _completionsSeen.Add(0);
    }

    private bool DeviceGone(int dev) => _kernel.Device(DeviceName(dev)) is null;

    private bool NetdevGone(int dev) => _taps[dev][0].Deleted;

    public DataPathObservation Apply(DataPathOp op)
    {
        if (DataPathSkip.Skipped(op, DeviceGone, NetdevGone))
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
                    for (int k = 0; k < 50; k++)
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
                Drain(d.Dev, d.Queue);
                break;
            case DataPathOp.Link l:
                _kernel.SetLinkUp(DeviceName(l.Dev), l.Up);
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
                string label = $"t{t.Dev}/{t.Queue}";
                result = tap.Enabled ? $"{label} disable = {tap.Disable()}" : $"{label} enable = {tap.Enable()}";
                break;
            case DataPathOp.Negotiate n:
                result = $"g{n.Guest} negotiate = {_guests[n.Guest].Negotiate(n.HdrLen, (TunOffload)n.OffloadMask, n.Le)}";
                break;
            case DataPathOp.Fault f:
                _log.InjectFault(_taps[f.Dev][f.Queue].Fd, f.OnWrite, Enum.Parse<Errno>(f.Errno));
                break;
            case DataPathOp.DeleteNetdev d:
                _stack.Delete(_taps[d.Dev][0]);
                break;
            case DataPathOp.DeleteDevice d:
                _kernel.DeleteDevice(DeviceName(d.Dev));
                break;
            case DataPathOp.Vm v when v.Running:
                _stack.StartVm();
                break;
            case DataPathOp.Vm:
                _stack.StopVm();
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
        _kernel.HostSend(DeviceName(dev), DataPathFrames.Make(salt, length), queue, withHeader ? DataPathFrames.Header(salt) : default);

    private void Drain(int dev, int queue)
    {
        var q = _kernel.Device(DeviceName(dev))!.Queues[queue];
        int seen = _writtenSeen.GetValueOrDefault(q);
        foreach (var f in _kernel.HostReceive(DeviceName(dev), queue).Skip(seen))
        {
            _drained.Add(($"host {DeviceName(dev)}/{queue}", f));
        }
        _writtenSeen[q] = 0;
    }

    private int Settle()
    {
        _log.ClearFaults();
        if (!_stack.VmRunning)
        {
            _stack.StartVm();
        }
        foreach (var g in _guests)
        {
            g.Open();
        }
        var live = Enumerable.Range(0, _config.Netdevs.Length).Where(j => !DeviceGone(j)).ToList();
        foreach (int j in live)
        {
            _kernel.SetLinkUp(DeviceName(j), true);
        }
        for (int j = 0; j < _taps.Count; j++)
        {
            if (!NetdevGone(j))
            {
                _taps[j].ForEach(t => t.Enable());
            }
        }
        for (int round = 1; round <= DataPathModel.SettleRoundsMax; round++)
        {
            foreach (int j in live)
            {
                for (int i = 0; i < _taps[j].Count; i++)
                {
                    Drain(j, i);
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
        return DataPathModel.SettleRoundsMax;
    }

    private DataPathObservation Teardown()
    {
        var before = Observe("teardown");
        _stack.DeleteAll();
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

    private DataPathObservation Observe(string result)
    {
        var o = new DataPathObservation();
        o.Calls.AddRange(_log.Calls.Skip(_callsSeen));
        _callsSeen = _log.Calls.Count;
        if (result.Length > 0)
        {
            o.Events.Add(result);
        }
        for (int i = 0; i < _guests.Count; i++)
        {
            var g = _guests[i];
            o.AddFrames($"guest {g.Name}", g.Received.Skip(_receivedSeen[i]));
            _receivedSeen[i] = g.Received.Count;
            o.Events.AddRange(g.Completions.Skip(_completionsSeen[i]).Select(n => $"{g.Name} completion {n}"));
            _completionsSeen[i] = g.Completions.Count;
        }
        foreach (var (key, frame) in _drained)
        {
            o.AddFrames(key, new[] { frame });
        }
        _drained.Clear();
        for (int j = 0; j < _config.Netdevs.Length; j++)
        {
            if (_kernel.Device(DeviceName(j)) is not { } d)
            {
                continue;
            }
            for (int i = 0; i < d.Queues.Count; i++)
            {
                var q = d.Queues[i];
                int seen = _writtenSeen.GetValueOrDefault(q);
                o.AddFrames($"host {d.Name}/{i}", q.Transmitted.Skip(seen));
                _writtenSeen[q] = q.Transmitted.Count;
                o.State[$"kernel {d.Name}/{i}"] = $"pending={q.Pending} purged={q.Purged} detached={q.Detached} sndbuf={q.SndBuf}";
            }
            o.State[$"device {d.Name}"] = $"hostdrops={d.HostDrops} hdr={d.VnetHdrSize} offload={KernelCallText.Hex((int)d.Offload)} le={d.VnetLe}";
        }
        foreach (var (label, c) in _clients)
        {
            string drops = DataPathObservation.DropText(Enum.GetValues<DropReason>().Select(r => KeyValuePair.Create(r.ToString(), c.Counters.Drops(r))));
            if (drops.Length > 0)
            {
                o.State[$"drops {label}"] = drops;
            }
        }
        return o;
    }
}
