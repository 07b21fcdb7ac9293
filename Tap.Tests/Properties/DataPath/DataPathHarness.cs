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
public sealed class DataPathHarness : IDataPathSide
{
    private readonly DataPathConfig _config;
    private readonly SimKernel _kernel;
    private readonly KernelCallLog _log;
    private readonly NetStack _stack = new();
    private readonly List<List<TapBackend>> _taps = new();
    private readonly List<SimGuestPeer> _guests = new();
    private readonly List<(string Label, NetClient Client)> _clients = new();
    private readonly SeenCounter _seen = new();
    private readonly List<(string Key, byte[] Frame)> _drained = new();

    public DataPathHarness(DataPathConfig config, ulong seed)
    {
        _config = config;
        _kernel = new SimKernel(seed) { VhostPresent = true };
        _log = new KernelCallLog(_kernel);
    }

    /// <summary>The simulated kernel's own record, for failure reports.</summary>
    public SimKernel Kernel => _kernel;

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
    }

    public bool DeviceGone(int dev) => _kernel.Device(DeviceName(dev)) is null;

    public bool NetdevGone(int dev) => !_stack.Clients.Contains(_taps[dev][0]);

    public bool GuestGone(int guest) => _guests[guest].Deleted;

    public bool VmRunning => _stack.VmRunning;

    public void HostSend(int dev, int queue, byte[]? header, byte[] frame) => _kernel.HostSend(DeviceName(dev), frame, queue, header);

    public int Dispatch(int dev, int queue) => _kernel.Dispatch(_taps[dev][queue].Fd);

    public void Drain(int dev, int queue)
    {
        var q = _kernel.Device(DeviceName(dev))!.Queues[queue];
        foreach (var f in _seen.New(q, _kernel.HostReceive(DeviceName(dev), queue)))
        {
            _drained.Add(($"host {DeviceName(dev)}/{queue}", f));
        }
        _seen.Reset(q);
    }

    public void SetLink(int dev, bool up) => _kernel.SetLinkUp(DeviceName(dev), up);
    public void GuestRefuse(int guest, int packets) => _guests[guest].Refuse(packets);
    public void GuestGrant(int guest, int packets) => _guests[guest].Grant(packets);
    public void GuestOpen(int guest) => _guests[guest].Open();
    public int GuestTransmit(int guest, byte[] packet) => _guests[guest].Transmit(packet);
    public bool QueueEnabled(int dev, int queue) => _taps[dev][queue].Enabled;
    public int Enable(int dev, int queue) => _taps[dev][queue].Enable();
    public int Disable(int dev, int queue) => _taps[dev][queue].Disable();
    public void Poll(int dev, int queue, bool enable) => _taps[dev][queue].Poll(enable);
    public bool Negotiate(int guest, int hdrLen, int offloadMask, bool le) => _guests[guest].Negotiate(hdrLen, (TunOffload)offloadMask, le);
    public void InjectFault(int dev, int queue, bool onWrite, string errno) => _log.InjectFault(_taps[dev][queue].Fd, onWrite, Enum.Parse<Errno>(errno));
    public void ClearFaults() => _log.ClearFaults();
    public void DeleteNetdev(int dev) => _stack.Delete(_taps[dev][0]);
    public void DeleteDevice(int dev) => _kernel.DeleteDevice(DeviceName(dev));
    public void DeleteGuest(int guest) => _stack.Delete(_guests[guest]);
    public void StartVm() => _stack.StartVm();
    public void StopVm() => _stack.StopVm();
    public void DeleteAll() => _stack.DeleteAll();

    public DataPathObservation Observe(string result)
    {
        var o = DataPathObservation.Begin(result, _seen.New(_log.Calls, _log.Calls), _drained);
        foreach (var g in _guests)
        {
            o.AddFrames($"guest {g.Name}", _seen.New(g.Received, g.Received));
            o.Events.AddRange(_seen.New(g.Completions, g.Completions).Select(n => $"{g.Name} completion {n}"));
            o.Events.AddRange(_seen.New(g.LinkReports, g.LinkReports).Select(down => $"{g.Name} link {(down ? "down" : "up")}"));
        }
        for (int j = 0; j < _config.Netdevs.Length; j++)
        {
            if (_kernel.Device(DeviceName(j)) is not { } d)
            {
                continue;
            }
            for (int i = 0; i < d.Queues.Count; i++)
            {
                var q = d.Queues[i];
                o.AddFrames($"host {d.Name}/{i}", _seen.New(q, q.Transmitted));
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
