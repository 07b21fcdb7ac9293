namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The reference model of the data path: given a <see cref="DataPathConfig"/> and a workload, it predicts every
/// kernel call (creation values, vhost init and poll-us included), every frame each guest NIC and each tap device
/// receives, byte for byte and in order, every completion, and every drop by reason. It is written from
/// tap-backend.md, net-queue.md and linux-tun.md and uses none of the product's code or constants.
/// </summary>
public sealed class DataPathModel : IDataPathSide
{
    private readonly DataPathConfig _config;
    private readonly DpKernel _kernel = new();
    private readonly DpNet _net = new();
    private readonly List<List<DpTap>> _taps = new();
    private readonly List<DpGuest> _guests = new();
    private readonly List<DpTunDevice> _devices = new();
    private readonly SeenCounter _seen = new();
    private readonly HashSet<int> _netdevsGone = new();

    public DataPathModel(DataPathConfig config) => _config = config;

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
        // D-21: opened by name, the device may carry a previous user's state; all of it is cleared through queue 0
        // once every queue is attached: steering and filter programs, TX filter, socket filter, little-endian flag.
        _kernel.ClearStaleState(fds[0]);
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

    public bool DeviceGone(int dev) => !_kernel.Devices.ContainsKey($"tap{dev}");

    public bool NetdevGone(int dev) => _netdevsGone.Contains(dev);

    public bool VmRunning => _net.VmRunning;

    public void HostSend(int dev, int queue, byte[]? header, byte[] frame) =>
        _kernel.HostSend(_devices[dev], queue, header ?? new byte[10], frame);

    public int Dispatch(int dev, int queue) => _kernel.Dispatch(_taps[dev][queue].Fd);

    public void Drain(int dev, int queue)
    {
        var q = _devices[dev].Queues[queue];
        foreach (var f in _seen.New(q, _kernel.HostDrain(q)))
        {
            _drained.Add(($"host tap{dev}/{queue}", f));
        }
        _seen.Reset(q);
    }

    public void SetLink(int dev, bool up) => _devices[dev].Up = up;
    public void GuestRefuse(int guest, int packets) => _guests[guest].Refuse(packets);
    public void GuestGrant(int guest, int packets) => _guests[guest].Grant(packets);
    public void GuestOpen(int guest) => _guests[guest].Open();
    public int GuestTransmit(int guest, byte[] packet) => _guests[guest].Transmit(packet);
    public bool QueueEnabled(int dev, int queue) => _taps[dev][queue].Enabled;
    public int Enable(int dev, int queue) => _taps[dev][queue].Enable();
    public int Disable(int dev, int queue) => _taps[dev][queue].Disable();
    public void Poll(int dev, int queue, bool enable) => _taps[dev][queue].Poll(enable);
    public bool Negotiate(int guest, int hdrLen, int offloadMask, bool le) => _guests[guest].Negotiate(hdrLen, offloadMask, le);
    public void InjectFault(int dev, int queue, bool onWrite, string errno) => _kernel.InjectFault(_taps[dev][queue].Fd, onWrite, errno);
    public void ClearFaults() => _kernel.ClearFaults();

    public void DeleteNetdev(int dev)
    {
        _net.Delete(_taps[dev][0]);
        _netdevsGone.Add(dev);
    }

    public void DeleteDevice(int dev) => _kernel.DeleteDevice(_devices[dev]);
    public bool GuestGone(int guest) => _guests[guest].Deleted;
    public void DeleteGuest(int guest) => _net.Delete(_guests[guest]);
    public void StartVm() => _net.StartVm();
    public void StopVm() => _net.StopVm();
    public void DeleteAll() => _net.DeleteAll();

    private readonly List<(string Key, byte[] Frame)> _drained = new();

    public DataPathObservation Observe(string result)
    {
        var o = DataPathObservation.Begin(result, _seen.New(_kernel.Calls, _kernel.Calls), _drained);
        foreach (var g in _guests)
        {
            o.AddFrames($"guest {g.Label}", _seen.New(g.Received, g.Received));
            o.Events.AddRange(_seen.New(g.Events, g.Events));
        }
        foreach (var d in _devices.Where(d => _kernel.Devices.ContainsKey(d.Name)))
        {
            for (int i = 0; i < d.Queues.Count; i++)
            {
                var q = d.Queues[i];
                o.AddFrames($"host {d.Name}/{i}", _seen.New(q, q.Written));
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
