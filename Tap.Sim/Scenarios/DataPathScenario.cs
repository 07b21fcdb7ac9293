using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Sim.Scenarios;

/// <summary>
/// A random run of the data path, judged as it goes: a tap (one or two queues, with or without a vnet header, a
/// send buffer or not) with a simulated guest NIC on each queue, the host sending frames of every size (short ones,
/// huge ones), the guest refusing and accepting, sending back, detaching queues, negotiating the header, faults
/// from the seed. Invariants: every frame read is delivered exactly once and in order, or counted as lost with a
/// reason; read poll is off exactly while a send waits (I7); the watch matches the poll state (I2); at most 50
/// frames per readable callback (I6); headers stripped and prepended exactly (I5, I12); padding to 60 exactly when
/// the peer needs it (I8); nothing happens after cleanup and every fd is closed (I1, R40).
/// </summary>
public sealed class DataPathScenario
{
    private const string Ifname = "tap0";
    private readonly ulong _seed;
    private readonly SimRandom _r;
    private readonly SimKernel _k;
    private readonly NetStack _stack = new();
    private readonly List<TapBackend> _taps = new();
    private readonly List<SimGuestPeer> _guests = new();
    private readonly List<Queue<(long Seq, byte[] Frame, bool SentNegotiated)>> _hostExpected = new();
    private readonly List<Queue<(long Seq, byte[] Bytes, byte[] Raw)>> _guestExpected = new();
    private readonly List<int> _guestSeen = new();
    private readonly List<long> _hostLost = new();
    private readonly List<long> _guestLost = new();
    private readonly bool _vnet;
    private readonly bool _virtio;
    private readonly int _queues;
    private readonly ulong? _sndbuf;
    private long _seq;
    private long _hostSent, _hostDelivered, _guestSent, _guestDelivered;
    private bool _negotiated;
    private int _step;

    /// <summary>Every fault site a data-path run may switch on.</summary>
    public static readonly IReadOnlyList<FaultSite> AllFaultSites =
        new[] { FaultSite.WriteEintr, FaultSite.ReadEintr, FaultSite.WriteEagain, FaultSite.WriteEio, FaultSite.IoctlEintr };

    private DataPathScenario(ulong seed, IReadOnlyList<FaultSite> faultSites)
    {
        _seed = seed;
        _r = new SimRandom(seed ^ 0x5DEECE66DUL);
        _vnet = _r.Chance(0.7);
        _virtio = _r.Chance(0.5);
        _queues = _r.Chance(0.3) ? 2 : 1;
        _sndbuf = _r.Chance(0.5) ? (ulong)_r.Next(200, 20000) : null;
        var plan = faultSites.Count > 0 && _r.Chance(0.7) ? FaultPlan.FromSeed(_r, faultSites) : FaultPlan.None;
        _k = new SimKernel(seed, plan);
    }

    /// <summary>The configuration this seed chose, for the summary.</summary>
    public string Setup => $"queues={_queues} vnet_hdr={(_vnet ? "on" : "off")} peer={(_virtio ? "virtio" : "padding")} sndbuf={_sndbuf?.ToString() ?? "unlimited"} faults={_k.Faults}";

    /// <summary>Runs <paramref name="steps"/> random steps from <paramref name="seed"/>; never throws for a broken invariant.</summary>
    public static ScenarioResult Run(ulong seed, int steps = 2000, bool faults = true, bool keepRecord = true) =>
        Run(seed, steps, faults ? AllFaultSites : Array.Empty<FaultSite>(), keepRecord);

    /// <summary>As above, with the fault sites the seed may switch on.</summary>
    public static ScenarioResult Run(ulong seed, int steps, IReadOnlyList<FaultSite> faultSites, bool keepRecord = true)
    {
        var s = new DataPathScenario(seed, faultSites);
        s._k.Record.KeepLines = keepRecord;
        string? violation = null;
        try
        {
            s.Build();
            for (s._step = 0; s._step < steps; s._step++)
            {
                s.Step();
                s.CheckState();
            }
            s.Finish();
        }
        catch (InvariantViolation v)
        {
            violation = $"step {s._step}: {v.Message}";
        }
        long eagain = s._taps.Sum(t => t.Counters.EagainStalls);
        long stalls = s._taps.Sum(t => t.Counters.PeerBackpressureStalls);
        return new ScenarioResult(seed, s.Setup, violation, s._k.Record.Digest(), s._k.Record.Count,
            s._hostSent, s._hostDelivered, s._hostLost.Sum(), s._guestSent, s._guestDelivered,
            s._guestLost.Sum(), eagain, stalls, s._k.Record.Tail(30).ToList());
    }

    private static void Require(bool condition, string rule, string what)
    {
        if (!condition)
        {
            throw new InvariantViolation($"{rule}: {what}");
        }
    }

    private void Build()
    {
        var options = new TapOptions
        {
            Id = "t0",
            Script = "no",
            Downscript = "no",
            VnetHdr = _vnet,
            Queues = _queues > 1 ? (uint)_queues : null,
            Sndbuf = _sndbuf,
        };
        var r = TapInit.Run(_stack, _k, new NetdevEnvironment(), options);
        Require(r.Ok, "O34", $"creation failed: {r.Error}");
        _k.SetLinkUp(Ifname, true);
        for (int i = 0; i < r.Created.Count; i++)
        {
            var tap = (TapBackend)r.Created[i];
            _taps.Add(tap);
            _guests.Add(new SimGuestPeer(_stack, tap, $"nic{i}", _virtio));
            _hostExpected.Add(new Queue<(long, byte[], bool)>());
            _guestExpected.Add(new Queue<(long, byte[], byte[])>());
            _guestSeen.Add(0);
            _hostLost.Add(0);
            _guestLost.Add(0);
        }
    }

    private void Step()
    {
        int q = _r.Next(_taps.Count);
        int op = _r.Next(100);
        switch (op)
        {
            case < 30:
                HostSend(q);
                break;
            case < 55:
                RunLoopOnce();
                break;
            case < 70:
                GuestTransmit(q);
                break;
            case < 80:
                HostDrain(q);
                break;
            case < 84:
                _guests[q].Refuse(_r.Next(3));
                break;
            case < 88:
                _guests[q].Grant(_r.Next(1, 5));
                CheckDeliveries(q);
                break;
            case < 92:
                _guests[q].Open();
                CheckDeliveries(q);
                break;
            case < 97:
                if (_queues > 1)
                {
                    ToggleQueue(q);
                }
                break;
            default:
                if (_vnet && !_negotiated && _r.Chance(0.3))
                {
                    Negotiate();
                }
                break;
        }
    }

    private byte[] MakeFrame(int length)
    {
        var f = new byte[length];
        long seq = ++_seq;
        for (int i = 0; i < length; i++)
        {
            f[i] = (byte)(seq * 31 + i * 7);
        }
        if (length >= 8)
        {
            BitConverter.TryWriteBytes(f.AsSpan(length - 8), seq);
        }
        return f;
    }

    private int HostFrameSize() => _r.Next(10) switch
    {
        < 3 => _r.Next(_vnet ? 0 : 1, 60),                              // short frames: padding, short reads
        < 8 => _r.Next(60, 1515),
        < 9 => _r.Next(1515, SpecNumbers.NetBufSizeBytes - 64),
        _ => _r.Next(SpecNumbers.NetBufSizeBytes - 64, SpecNumbers.NetBufSizeBytes + 200), // past NET_BUFSIZE: truncated
    };

    private void HostSend(int q)
    {
        var frame = MakeFrame(HostFrameSize());
        if (_k.HostSend(Ifname, frame, q))
        {
            _hostSent++;
            _hostExpected[q].Enqueue((_seq, frame, _negotiated));
        }
    }

    private void RunLoopOnce()
    {
        var before = _taps.Select(t => t.FramesRead).ToArray();
        _k.RunOnce();
        for (int i = 0; i < _taps.Count; i++)
        {
            Require(_taps[i].FramesRead - before[i] <= SpecNumbers.FramesPerWakeupMax, "I6/R22", $"queue {i} read {_taps[i].FramesRead - before[i]} frames in one iteration");
            CheckDeliveries(i);
        }
    }

    /// <summary>What the guest must see for a frame the host sent (R20.3, R23a, Q16, I8, I12).</summary>
    private byte[] ExpectedAtGuest(byte[] frame, bool negotiated)
    {
        int header = !_vnet ? 0 : negotiated ? SpecNumbers.MrgRxBufHdrBytes : SpecNumbers.VnetHdrBytes;
        // A read asks for NET_BUFSIZE bytes: the kernel cuts what does not fit.
        int frameBytes = Math.Min(frame.Length, SpecNumbers.NetBufSizeBytes - header);
        byte[] delivered;
        if (_vnet && negotiated)
        {
            delivered = new byte[header + frameBytes];   // the peer owns the header: passed through as read
            frame.AsSpan(0, frameBytes).CopyTo(delivered.AsSpan(header));
        }
        else
        {
            delivered = frame.AsSpan(0, frameBytes).ToArray();
        }
        if (!_virtio && delivered.Length < SpecNumbers.EthZLenBytes)
        {
            Array.Resize(ref delivered, SpecNumbers.EthZLenBytes);
        }
        return delivered;
    }

    /// <summary>New deliveries to guest <paramref name="q"/>: in order, exactly once, with exact bytes; skipped frames are lost.</summary>
    private void CheckDeliveries(int q)
    {
        var got = _guests[q].Received;
        for (; _guestSeen[q] < got.Count; _guestSeen[q]++)
        {
            var bytes = got[_guestSeen[q]];
            bool matched = false;
            string heads = string.Join(",", _hostExpected[q].Take(4).Select(e => ExpectedAtGuest(e.Frame, _negotiated).Length));
            while (_hostExpected[q].Count > 0)
            {
                var (seq, frame, sentNegotiated) = _hostExpected[q].Dequeue();
                // A frame sent before the negotiation may have been read (and stripped) before it, or after it.
                if (bytes.AsSpan().SequenceEqual(ExpectedAtGuest(frame, _negotiated))
                    || (!sentNegotiated && bytes.AsSpan().SequenceEqual(ExpectedAtGuest(frame, false))))
                {
                    matched = true;
                    _hostDelivered++;
                    break;
                }
                _hostLost[q]++;   // accounted for at the end: must equal the counted losses
            }
            Require(matched, "R20/I5/I8", $"guest {q} got a frame of {bytes.Length} bytes that matches no frame the host sent, in order (next expected lengths {heads}, negotiated={_negotiated})");
        }
    }

    private void GuestTransmit(int q)
    {
        int header = _vnet && _negotiated ? _k.Device(Ifname)!.VnetHdrSize : 0;
        int ethLength = _r.Next(10) == 0 ? _r.Next(1, SpecNumbers.EthHeaderBytes) : _r.Next(SpecNumbers.EthHeaderBytes, 1600);
        var frame = MakeFrame(header + ethLength);
        frame.AsSpan(0, header).Clear();
        // Before negotiation the tap puts its own zero header in front when the device has one (R11).
        int prefix = _vnet && !_negotiated ? SpecNumbers.VnetHdrBytes : 0;
        var written = new byte[prefix + frame.Length];
        frame.CopyTo(written, prefix);
        _guestSent++;
        int r = _guests[q].Transmit(frame);
        if (r > 0)
        {
            Require(r == written.Length, "R15/I5", $"write returned {r}, expected {written.Length}");
        }
        _guestExpected[q].Enqueue((_seq, written, frame));
    }

    private void HostDrain(int q)
    {
        foreach (var bytes in _k.HostReceive(Ifname, q))
        {
            bool matched = false;
            while (_guestExpected[q].Count > 0)
            {
                var (_, written, raw) = _guestExpected[q].Dequeue();
                // A frame queued (EAGAIN) before the negotiation is written after it without the tap's zero header.
                if (bytes.AsSpan().SequenceEqual(written) || (_negotiated && bytes.AsSpan().SequenceEqual(raw)))
                {
                    matched = true;
                    _guestDelivered++;
                    break;
                }
                _guestLost[q]++;   // accounted for at the end: must equal the counted losses
            }
            Require(matched, "R11/R12/I5", $"host got a write of {bytes.Length} bytes on queue {q} that matches no guest frame, in order");
        }
    }

    private void ToggleQueue(int q)
    {
        var tap = _taps[q];
        int r = tap.Enabled ? tap.Disable() : tap.Enable();
        Require(r == 0, "R26/R27", $"queue {q} {(tap.Enabled ? "disable" : "enable")} failed with {r}");
        if (!tap.Enabled)
        {
            Require(_guests[q].IncomingQueue.Count == 0, "I10", "a disabled queue still has packets waiting at its peer");
        }
    }

    private void Negotiate()
    {
        _negotiated = true;
        var offloads = TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn | TunOffload.Ufo;
        foreach (var g in _guests)
        {
            Require(g.Negotiate(SpecNumbers.MrgRxBufHdrBytes, offloads, littleEndian: true), "R30", "set_vnet_hdr_len(12) failed");
        }
        Require(_taps.All(t => t.UsingVnetHdr && t.HostVnetHdrLen == SpecNumbers.MrgRxBufHdrBytes), "R30/I3", "the header was not handed to the peer");
        // What the kernel was told, not what the backend believes: TUNSETVNETHDRSZ 12, TUNSETVNETLE 1, and the
        // offload mask CSUM|TSO4|TSO6|TSO_ECN|UFO (0x1f, linux/if_tun.h) as asked for.
        var device = _k.Device(Ifname)!;
        Require(device.VnetHdrSize == SpecNumbers.MrgRxBufHdrBytes, "R30", $"the kernel's header size is {device.VnetHdrSize}, not 12");
        Require(device.VnetLe, "R32", "the kernel was not switched to little-endian headers");
        Require((int)device.Offload == 0x1f, "R33", $"the kernel's offloads are 0x{(int)device.Offload:x}, not 0x1f");
        // Frames already queued keep their place; their header is made at read time at the new size.
    }

    /// <summary>I2, I7 after every step.</summary>
    private void CheckState()
    {
        for (int i = 0; i < _taps.Count; i++)
        {
            var t = _taps[i];
            var (r, w) = _k.InterestOf(t.Fd);
            Require((r, w) == (t.ReadPoll && t.Enabled, t.WritePoll && t.Enabled), "I2/R1",
                $"queue {i} watch (r={r}, w={w}) but read_poll={t.ReadPoll} write_poll={t.WritePoll} enabled={t.Enabled}");
            int waiting = _guests[i].IncomingQueue.Count;
            Require(waiting <= 1, "I7", $"queue {i} has {waiting} packets waiting at its peer");
            Require(t.ReadPoll == (waiting == 0), "I7/R21/R24", $"queue {i} read_poll={t.ReadPoll} with {waiting} packet(s) waiting at its peer");
        }
    }

    /// <summary>Open everything, drain until quiet, account for every frame, clean up, and prove nothing is left.</summary>
    private void Finish()
    {
        foreach (var g in _guests)
        {
            g.Open();
        }
        for (int round = 0; round < 2000; round++)
        {
            for (int q = 0; q < _taps.Count; q++)
            {
                if (!_taps[q].Enabled)
                {
                    _taps[q].Enable();
                }
                HostDrain(q);
                CheckDeliveries(q);
            }
            bool busy = _k.RunOnce() > 0;
            bool pending = _taps.Any(t => t.IncomingQueue.Count > 0) || _guests.Any(g => g.IncomingQueue.Count > 0)
                || _k.Device(Ifname)!.Queues.Any(q => q.Pending > 0 || q.Transmitted.Count > 0);
            CheckState();
            if (!busy && !pending)
            {
                break;
            }
        }

        var device = _k.Device(Ifname)!;
        for (int q = 0; q < _taps.Count; q++)
        {
            var t = _taps[q];
            var kq = device.Queues[q];
            Require(kq.Pending == 0 && t.IncomingQueue.Count == 0, "end", $"queue {q} did not drain");
            long counted = kq.Purged + t.Counters.Drops(DropReason.ShortRead) + t.Counters.Drops(DropReason.Purged)
                + t.Counters.Drops(DropReason.ReadError) + t.Counters.Drops(DropReason.Rejected);
            long lost = _hostLost[q] + _hostExpected[q].Count;
            Require(lost == counted, "no silent drop",
                $"queue {q}: {lost} host frames never reached the guest, {counted} counted (kernel purge {kq.Purged}, short {t.Counters.Drops(DropReason.ShortRead)}, purged {t.Counters.Drops(DropReason.Purged)})");
            _hostLost[q] = lost;
            long guestLost = _guestLost[q] + _guestExpected[q].Count;
            long rejected = _guests[q].Counters.Drops(DropReason.Rejected);
            Require(guestLost == rejected && rejected == t.Counters.Drops(DropReason.WriteError), "no silent drop",
                $"queue {q}: {guestLost} guest frames never reached the host; guest counted {rejected} rejected, tap {t.Counters.Drops(DropReason.WriteError)} write errors");
            Require(_guests[q].PendingSends == 0, "Q14", $"guest {q} still waits for {_guests[q].PendingSends} completion(s)");
        }

        // Cleanup: every fd closed, nothing watched, nothing happens afterwards (R40, I1).
        _stack.DeleteAll();
        Require(_k.OpenFds.SequenceEqual(new[] { 0, 1, 2 }), "R40/I1", $"fds left open after cleanup: {string.Join(",", _k.OpenFds)}");
        Require(_taps.All(t => !t.IsOpen), "I1", "a queue still has its fd");
        long lines = _k.Record.Count;
        Require(_k.RunOnce() == 0 && _k.Record.Count == lines, "R40", "something ran after cleanup");
    }
}
