using Tap.Core.Abi;
using Tap.Core.Net;

namespace Tap.Sim.Scenarios;

/// <summary>
/// The data-path workload: a tap (one to four queues, with or without a vnet header, a send buffer or not) with a
/// simulated guest NIC on each queue, the host sending frames of every size (short ones, huge ones), the guest
/// refusing and accepting, sending back, detaching queues, negotiating the header, the link flapping, the VM
/// pausing, faults from the seed. A run has three phases: random steps with faults; the faults stop and the
/// system must drain (liveness); cleanup. The judging is done by one checker per invariant family, each in its own
/// file: <see cref="DeliveryChecker"/>, <see cref="PollChecker"/>, <see cref="FrameAccountingChecker"/>,
/// <see cref="LivenessChecker"/>, <see cref="CleanupChecker"/>.
/// </summary>
public sealed class DataPathScenario
{
    /// <summary>Every fault site a data-path run may switch on.</summary>
    public static readonly IReadOnlyList<FaultSite> AllFaultSites =
        new[] { FaultSite.WriteEintr, FaultSite.ReadEintr, FaultSite.WriteEagain, FaultSite.WriteEio,
            FaultSite.IoctlEintr };

    /// <summary>Mixed into the seed for the workload's own stream, so that it differs from the kernel's.</summary>
    private const ulong WorkloadStreamSalt = 0x5DEECE66DUL;

    /// <summary>
    /// How often the frame accounts are checked during the random phase: often enough that a frame counted twice or
    /// not at all is caught near the step that did it, rarely enough (the check builds text for every queue) to
    /// cost under a tenth of a run.
    /// </summary>
    private const int AccountingCheckEverySteps = 100;

    private readonly SimRandom _random;
    private readonly WorkloadShape _shape;
    private readonly DataPathRig _rig;
    private DeliveryChecker _delivery = null!;
    private PollChecker _poll = null!;
    private FrameAccountingChecker _accounting = null!;
    private LivenessChecker _liveness = null!;
    private long _seq;
    private string _where = "setup";

    private DataPathScenario(ulong seed, ScenarioOptions options)
    {
        _random = new SimRandom(seed ^ WorkloadStreamSalt);
        var setup = options.Swarm
            ? DataPathSetup.Swarm(_random, options.FaultSites)
            : DataPathSetup.Default(_random, options.FaultSites);
        _shape = options.Swarm ? WorkloadShape.Swarm(_random) : WorkloadShape.Default;
        _rig = new DataPathRig(seed, setup);
        _rig.Kernel.Record.KeepLines = options.KeepRecord;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> random steps from <paramref name="seed"/>; never throws for a broken invariant.
    /// </summary>
    public static ScenarioResult Run(ulong seed, int steps = 2000, bool faults = true, bool keepRecord = true) =>
        Run(seed, new ScenarioOptions
        {
            Steps = steps,
            FaultSites = faults ? AllFaultSites : Array.Empty<FaultSite>(),
            KeepRecord = keepRecord,
        });

    /// <summary>As above, with the fault sites the seed may switch on.</summary>
    public static ScenarioResult Run(
        ulong seed, int steps, IReadOnlyList<FaultSite> faultSites, bool keepRecord = true) =>
        Run(seed, new ScenarioOptions { Steps = steps, FaultSites = faultSites, KeepRecord = keepRecord });

    /// <summary>
    /// One run drawn from <paramref name="seed"/> as <paramref name="options"/> say; never throws for a broken
    /// invariant.
    /// </summary>
    public static ScenarioResult Run(ulong seed, ScenarioOptions options)
    {
        var s = new DataPathScenario(seed, options);
        string? violation = null;
        (FrameAccount, FrameAccount)? atStop = null, atEnd = null;
        try
        {
            var error = s._rig.Build();
            Invariant.Require(error is null, "O34", $"creation failed: {error}");
            s._rig.Kernel.Record.Add($"scenario {s._rig.Setup} workload {s._shape}");
            s._delivery = new DeliveryChecker(s._rig);
            s._poll = new PollChecker(s._rig);
            s._accounting = new FrameAccountingChecker(s._rig, s._delivery);
            s._liveness = new LivenessChecker(s._rig, s._delivery, s._poll);
            for (int step = 0; step < options.Steps; step++)
            {
                s._where = $"step {step}";
                s.Step();
                s._poll.Check();
                if (step % AccountingCheckEverySteps == AccountingCheckEverySteps - 1)
                {
                    s._accounting.Check($"at step {step}");
                }
            }
            s._where = $"fault stop (step {options.Steps})";
            atStop = s._accounting.Check("when the faults stopped");
            s._liveness.StopFaults();
            s._where = "drain";
            s._liveness.Drain();
            s._where = "end";
            atEnd = s._accounting.Check("after the drain");
            s._where = "cleanup";
            new CleanupChecker(s._rig).DeleteAndCheck();
        }
        catch (InvariantViolation v)
        {
            violation = $"{s._where}: {v.Message}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The core threw: a programmer error, and as much a failed run as a broken invariant. Reported with the
            // seed like one, so that a campaign goes on and the seed can be replayed under a debugger.
            violation = $"{s._where}: the run threw {e.GetType().Name}: {e.Message} (at " +
                $"{e.StackTrace?.Split('\n')[0].Trim()})";
        }
        return s.Result(seed, options, violation, atStop, atEnd);
    }

    private ScenarioResult Result(ulong seed, ScenarioOptions options, string? violation,
        (FrameAccount, FrameAccount)? atStop, (FrameAccount, FrameAccount)? atEnd)
    {
        // A run that broke before the end shows the accounts as they stood when it broke.
        var (toGuest, toHost) = atEnd ?? _accounting?.Measure()
            ?? (new FrameAccount("host->guest"), new FrameAccount("guest->host"));
        var k = _rig.Kernel;
        return new ScenarioResult
        {
            Seed = seed,
            Options = options,
            Setup = _rig.Setup.ToString(),
            Workload = _shape.ToString(),
            Violation = violation,
            Digest = k.Record.Digest(),
            RecordLines = k.Record.Count,
            HostToGuest = toGuest,
            GuestToHost = toHost,
            AtFaultStop = atStop,
            DrainIterations = _liveness?.Iterations ?? 0,
            DrainIterationsMax = _liveness?.IterationsMax ?? 0,
            EagainStalls = _rig.Taps.Sum(t => t.Counters.EagainStalls),
            BackpressureStalls = _rig.Taps.Sum(t => t.Counters.PeerBackpressureStalls),
            RecordTail = k.Record.Tail(30).ToList(),
        };
    }

    private void Step()
    {
        int q = _random.Next(_rig.Taps.Count);
        var op = _shape.NextOp(_random);
        if (!_rig.Stack.VmRunning && op is DataPathOp.GuestTransmit or DataPathOp.Refuse or DataPathOp.Grant
            or DataPathOp.Open or DataPathOp.ToggleQueue or DataPathOp.Negotiate)
        {
            return;   // a paused guest does nothing
        }
        var guest = _rig.Guests[q];
        switch (op)
        {
            case DataPathOp.HostSend:
                HostSend(q);
                break;
            case DataPathOp.RunLoop:
                RunLoopOnce();
                break;
            case DataPathOp.GuestTransmit:
                GuestTransmit(q);
                break;
            case DataPathOp.HostDrain:
                _delivery.HostDrain(q);
                break;
            case DataPathOp.Refuse:
                guest.Refuse(_random.Next(3));
                break;
            case DataPathOp.Grant:
                guest.Grant(_random.Next(1, 5));
                _delivery.CheckGuestReceived(q);
                break;
            case DataPathOp.Open:
                guest.Open();
                _delivery.CheckGuestReceived(q);
                break;
            case DataPathOp.ToggleQueue:
                if (_rig.Taps.Count > 1)
                {
                    ToggleQueue(q);
                }
                break;
            case DataPathOp.Negotiate:
                if (_rig.Setup.VnetHdr && !_rig.Negotiated && _random.Chance(new Ratio(3, 10)))
                {
                    Negotiate();
                }
                break;
            case DataPathOp.LinkFlap:
                _rig.Kernel.SetLinkUp(DataPathRig.Ifname, !_rig.Device!.Up);
                break;
            case DataPathOp.VmPause:
                if (_rig.Stack.VmRunning)
                {
                    _rig.Stack.StopVm();
                }
                else
                {
                    _rig.Stack.StartVm();
                    CheckAllDeliveries();
                }
                break;
        }
    }

    /// <summary>
    /// A frame whose bytes say which one it is: byte i is <c>seq * 31 + i * 7</c> (period 256, so the first 256 bytes
    /// are made and then copied, doubling: jumbo frames are most of a run's bytes), and the last 8 bytes hold seq.
    /// </summary>
    private byte[] MakeFrame(int length)
    {
        var f = new byte[length];
        long seq = ++_seq;
        int made = Math.Min(length, 256);
        for (int i = 0; i < made; i++)
        {
            f[i] = (byte)(seq * 31 + i * 7);
        }
        while (made < length)
        {
            int n = Math.Min(made, length - made);
            f.AsSpan(0, n).CopyTo(f.AsSpan(made));
            made += n;
        }
        if (length >= 8)
        {
            BitConverter.TryWriteBytes(f.AsSpan(length - 8), seq);
        }
        return f;
    }

    private int HostFrameSize() => _shape.NextSizeClass(_random) switch
    {
        0 => _random.Next(_rig.Setup.VnetHdr ? 0 : 1, 60),                      // short frames: padding, short reads
        1 => _random.Next(60, 1515),
        2 => _random.Next(1515, SpecNumbers.NetBufSizeBytes - 64),
        // past NET_BUFSIZE: truncated
        _ => _random.Next(SpecNumbers.NetBufSizeBytes - 64, SpecNumbers.NetBufSizeBytes + 200),
    };

    private void HostSend(int q)
    {
        var frame = MakeFrame(HostFrameSize());
        _delivery.HostSent(q, frame, _rig.Kernel.HostSend(DataPathRig.Ifname, frame, q));
    }

    private void RunLoopOnce()
    {
        _poll.BeforeLoop();
        _rig.Kernel.RunOnce();
        _poll.AfterLoop();
        CheckAllDeliveries();
    }

    private void CheckAllDeliveries()
    {
        for (int i = 0; i < _rig.Taps.Count; i++)
        {
            _delivery.CheckGuestReceived(i);
        }
    }

    private void GuestTransmit(int q)
    {
        bool vnet = _rig.Setup.VnetHdr;
        int header = vnet && _rig.Negotiated ? _rig.Device!.VnetHdrSize : 0;
        int ethLength = _random.Chance(_shape.GuestRunt) ? _random.Next(1, SpecNumbers.EthHeaderBytes)
            : _random.Next(SpecNumbers.EthHeaderBytes, 1600);
        var frame = MakeFrame(header + ethLength);
        frame.AsSpan(0, header).Clear();
        // Before negotiation the tap puts its own zero header in front when the device has one (R11).
        int prefix = vnet && !_rig.Negotiated ? SpecNumbers.VnetHdrBytes : 0;
        var written = new byte[prefix + frame.Length];
        frame.CopyTo(written, prefix);
        int r = _rig.Guests[q].Transmit(frame);
        if (r > 0)
        {
            Invariant.Require(r == written.Length, "R15/I5", $"write returned {r}, expected {written.Length}");
        }
        _delivery.GuestSent(q, written, frame);
    }

    private void ToggleQueue(int q)
    {
        var tap = _rig.Taps[q];
        int r = tap.Enabled ? tap.Disable() : tap.Enable();
        Invariant.Require(r == 0, "R26/R27", $"queue {q} {(tap.Enabled ? "disable" : "enable")} failed with {r}");
        if (!tap.Enabled)
        {
            Invariant.Require(_rig.Guests[q].IncomingQueue.Count == 0, "I10",
                "a disabled queue still has packets waiting at its peer");
        }
    }

    private void Negotiate()
    {
        _rig.Negotiated = true;
        var offloads = TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.TsoEcn | TunOffload.Ufo;
        foreach (var g in _rig.Guests)
        {
            Invariant.Require(g.Negotiate(SpecNumbers.MrgRxBufHdrBytes, offloads, littleEndian: true), "R30",
                "set_vnet_hdr_len(12) failed");
        }
        Invariant.Require(_rig.Taps.All(t => t.UsingVnetHdr && t.HostVnetHdrLen == SpecNumbers.MrgRxBufHdrBytes),
            "R30/I3", "the header was not handed to the peer");
        // Frames already queued keep their place; their header is made at read time at the new size.
    }
}
