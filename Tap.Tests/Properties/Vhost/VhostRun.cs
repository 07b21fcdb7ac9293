using Tap.Core.Frontend;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Os;
using Tap.Trace;
using Tap.Sim;
using Tap.Tests.Model;

namespace Tap.Tests.Properties.Vhost;

/// <summary>
/// One case: create the netdev in the simulated kernel (<see cref="ModelHarness"/>), hand every vhost queue to the
/// kernel worker through the front end's controls, move the workload's frames both ways, give the queues back,
/// delete everything, and list what broke invariants (a)-(d) of vhost-net §7.7. Values are read from the simulated
/// kernel and compared with literals and <see cref="VhostFrames"/>, never with what the core holds.
/// </summary>
public sealed class VhostRun
{
    /// <summary>
    /// Loop iterations a workload needs at most: 6 frames each way, one per iteration in the worst case (a tiny
    /// sndbuf).
    /// </summary>
    private const int IdleWithinIterations = 64;

    private readonly VhostCase _c;
    private readonly ModelHarness _h;
    private readonly List<string> _problems = new();
    private readonly List<QueueUnderTest> _queues = new();

    private VhostRun(VhostCase c)
    {
        _c = c;
        _h = ModelHarness.Run(c.Case.Options, c.Case.Env);
    }

    /// <summary>Queues handed to vhost in this case (0 when creation failed or no queue has vhost).</summary>
    public int VhostQueues => _queues.Count;

    /// <summary>
    /// Vhost queues where the kernel and the backend disagree on the tap's header (see QueueUnderTest).
    /// </summary>
    public int HeaderDisagreements => _queues.Count(q => q.HeaderDisagrees);

    /// <summary>Frames compared byte for byte, both directions.</summary>
    public int FramesCompared { get; private set; }

    public SimKernel Kernel => _h.Kernel;

    public static (VhostRun Run, List<string> Problems) Execute(VhostCase c)
    {
        var run = new VhostRun(c);
        run.Go();
        return (run, run._problems);
    }

    private sealed record QueueUnderTest(TapBackend Backend, Fd Vhost, SimTunQueue Sim, int Index, bool TapOwnsHeader)
    {
        /// <summary>
        /// The kernel puts a header on this queue but the backend (and so vhost) believes it has none: an existing
        /// multiqueue tap keeps IFF_VNET_HDR when a later queue attaches without it (linux-tun §3.1), and
        /// vnet_hdr=off never reads the flags back (vhost-net §8 item 6). Frames are garbled by design of QEMU's
        /// flow, so (d) compares no bytes here; (a)-(c) still hold.
        /// </summary>
        public bool HeaderDisagrees => Sim.Device.HasVnetHdr != Backend.HasVnetHdr;

        public List<byte[]> ExpectedAtHost { get; } = new();
        public List<byte[]> ExpectedAtGuest { get; } = new();
        public int ExpectedStillInTap { get; set; }
        public long FramesReadBefore { get; set; }
        public byte[]? PeerFrame { get; set; }
        public List<byte[]> AtHost { get; } = new();
    }

    private void Go()
    {
        var expected = NetdevReferenceModel.Evaluate(_c.Case.Options, _c.Case.Env);
        if (_h.Result.Ok)
        {
            var driver = new CoreDriver(_h.Stack, _h.Calls, new NetdevEnvironment());
            var created = _h.Result.Created.OfType<TapBackend>().ToList();
            CheckPollUs(created);
            StartAll(driver, created);
            MoveFrames();
            CheckWhileOwned();
            if (_c.Workload.StopBeforeTeardown)
            {
                StopAll(driver);
            }
        }
        // Teardown and the creation checks (fds after failure and teardown, scripts) as the creation property does.
        _problems.AddRange(_h.Compare(_c.Case.Options, expected));
        _problems.AddRange(VhostFdLedger.Problems(_h.Calls.FdEvents));
        _problems.AddRange(_h.Kernel.VhostOwnershipViolations.Select(v => "(a) " + v));
    }

    /// <summary>(b): the busy-poll time the kernel holds is poll-us, or 0 without it.</summary>
    private void CheckPollUs(List<TapBackend> created)
    {
        uint want = _c.Case.Options.PollUs ?? 0;
        foreach (var q in created.Where(q => q.VhostFd is not null))
        {
            var vhost = _h.Kernel.VhostOf(q.VhostFd!.Value);
            if (vhost is null || !vhost.Initialised)
            {
                _problems.Add($"(b) queue {q.Name}: vhost fd {q.VhostFd} is not an initialised vhost device in the kernel");
            }
            else if (vhost.BusyloopTimeoutUs != want)
            {
                _problems.Add($"(b) queue {q.Name}: the kernel's busy-poll time is {vhost.BusyloopTimeoutUs}, poll-us={want}");
            }
        }
    }

    private void StartAll(CoreDriver driver, List<TapBackend> created)
    {
        for (int i = 0; i < created.Count; i++)
        {
            var q = created[i];
            int callsBefore = _h.Calls.Calls.Count;
            var interestBefore = _h.Kernel.InterestOf(q.Fd);
            int r = driver.Control(q, QueueControl.VhostStart);
            if (q.VhostFd is not { } vhost)
            {
                // A queue without vhost refuses, asks the kernel nothing and keeps its data path.
                if (r != -22 || _h.Calls.Calls.Count != callsBefore || _h.Kernel.InterestOf(q.Fd) != interestBefore)
                {
                    _problems.Add($"(a) queue {q.Name} without vhost: vhost-start gave {r}, made {_h.Calls.Calls.Count - callsBefore} calls, watch {interestBefore} -> {_h.Kernel.InterestOf(q.Fd)}");
                }
                continue;
            }
            if (r != 0)
            {
                _problems.Add($"queue {q.Name}: vhost-start gave {r}");
                continue;
            }
            var sim = (_h.Kernel.FileOf(q.Fd) as SimFile.Tun)?.Queue;
            var device = _h.Kernel.VhostOf(vhost);
            if (sim is null || device is null || !ReferenceEquals(device.Backend, sim) || !ReferenceEquals(sim.VhostOwner, device))
            {
                _problems.Add($"queue {q.Name}: after vhost-start the kernel does not have tap fd {q.Fd} attached to vhost fd {vhost}");
                continue;
            }
            _h.Kernel.SetLinkUp(sim.Device.Name, true);
            if (_c.Workload.FrontEndPokesWhileOwned)
            {
                // R25c: none of these may bring the watch back while the worker owns the queue.
                driver.Control(q, QueueControl.PollOn);
                driver.Control(q, QueueControl.Disable);
                driver.Control(q, QueueControl.Enable);
            }
            _queues.Add(new QueueUnderTest(q, vhost, sim, i, sim.Device.HasVnetHdr));
        }
    }

    private void MoveFrames()
    {
        var w = _c.Workload;
        foreach (var t in _queues)
        {
            var vhost = _h.Kernel.VhostOf(t.Vhost)!;
            vhost.GuestPostRxBuffers(w.RxBuffers, w.RxBufferBytes);
            int buffers = w.RxBuffers;
            for (int k = 0; k < w.HostFrameLengths.Length; k++)
            {
                var frame = VhostFrames.Frame(t.Index, 0, k, w.HostFrameLengths[k]);
                var header = VhostFrames.HostHeader(t.Index, k);
                _h.Kernel.HostSend(t.Sim.Device.Name, frame, t.Sim.Device.Queues.IndexOf(t.Sim), header);
                var atGuest = VhostFrames.AtGuest(t.TapOwnsHeader, header, frame);
                if (buffers == 0)
                {
                    t.ExpectedStillInTap++;
                }
                else if (atGuest.Length <= w.RxBufferBytes)
                {
                    t.ExpectedAtGuest.Add(atGuest);
                    buffers--;
                }
            }
            for (int k = 0; k < w.GuestFrameLengths.Length; k++)
            {
                var chain = VhostFrames.GuestChain(t.TapOwnsHeader, VhostFrames.Frame(t.Index, 1, k, w.GuestFrameLengths[k]));
                vhost.GuestTransmit(chain);
                if (VhostFrames.AtHost(t.TapOwnsHeader, chain) is { } atHost)
                {
                    t.ExpectedAtHost.Add(atHost);
                }
            }
            if (w.PeerSendsWhileOwned && t.Backend.Peer is { } peer && ReferenceEquals(peer.Peer, t.Backend))
            {
                // R25c: the peer's frame waits while vhost owns the tap; it reaches the host once vhost stops.
                var frame = VhostFrames.Frame(t.Index, 2, 0, 60);
                peer.Send(frame);
                t.PeerFrame = t.TapOwnsHeader ? [.. new byte[VhostFrames.TapHeaderBytes], .. frame] : frame;
            }
            t.FramesReadBefore = t.Backend.FramesRead;
        }
        RunWithHostDraining();
    }

    /// <summary>
    /// Runs the loop while the host side takes what reaches each tap queue after every iteration (a small sndbuf
    /// makes the worker wait for that, vhost-net §5.5 tx 4), until an iteration moves nothing.
    /// </summary>
    private void RunWithHostDraining()
    {
        for (int i = 0; i < IdleWithinIterations; i++)
        {
            int moved = _h.Kernel.RunOnce();
            int drained = 0;
            foreach (var t in _queues)
            {
                var frames = _h.Kernel.HostReceive(t.Sim.Device.Name, t.Sim.Device.Queues.IndexOf(t.Sim));
                t.AtHost.AddRange(frames);
                drained += frames.Count;
            }
            if (moved == 0 && drained == 0)
            {
                return;
            }
        }
        if (_queues.Count > 0)
        {
            _problems.Add($"(d) the loop was still busy after {IdleWithinIterations} iterations");
        }
    }

    /// <summary>(a) and (d) while the worker owns the queues.</summary>
    private void CheckWhileOwned()
    {
        foreach (var t in _queues)
        {
            var vhost = _h.Kernel.VhostOf(t.Vhost)!;
            var interest = _h.Kernel.InterestOf(t.Backend.Fd);
            if (interest.Readable || interest.Writable)
            {
                _problems.Add($"(a) queue {t.Backend.Name}: watched (r={interest.Readable}, w={interest.Writable}) while vhost owns it");
            }
            if (t.Backend.FramesRead != t.FramesReadBefore)
            {
                _problems.Add($"(a) queue {t.Backend.Name}: the backend read {t.Backend.FramesRead - t.FramesReadBefore} frame(s) while vhost owns it");
            }
            if (t.HeaderDisagrees)
            {
                continue;
            }
            Compare($"(d) queue {t.Backend.Name}: guest -> host", t.ExpectedAtHost, t.AtHost);
            Compare($"(d) queue {t.Backend.Name}: host -> guest", t.ExpectedAtGuest, vhost.GuestReceived);
            long guestSent = _c.Workload.GuestFrameLengths.Length;
            if (vhost.TxSent + vhost.TxDropped + vhost.TxRingErrors != guestSent || vhost.GuestTxPending != 0)
            {
                _problems.Add($"(d) queue {t.Backend.Name}: guest sent {guestSent}, worker sent {vhost.TxSent}, dropped {vhost.TxDropped}, "
                    + $"lost {vhost.TxRingErrors}, {vhost.GuestTxPending} still on the ring");
            }
            long hostSent = _c.Workload.HostFrameLengths.Length;
            if (vhost.GuestReceived.Count + vhost.RxTooSmall + t.Sim.Pending != hostSent || t.Sim.Pending != t.ExpectedStillInTap)
            {
                _problems.Add($"(d) queue {t.Backend.Name}: host sent {hostSent}, guest got {vhost.GuestReceived.Count}, "
                    + $"too small {vhost.RxTooSmall}, {t.Sim.Pending} left in the tap (want {t.ExpectedStillInTap})");
            }
        }
    }

    /// <summary>
    /// (a) after stop: the watch is back, the backend reads what vhost left, the peer's frame goes out.
    /// </summary>
    private void StopAll(CoreDriver driver)
    {
        foreach (var t in _queues)
        {
            int r = driver.Control(t.Backend, QueueControl.VhostStop);
            var interest = _h.Kernel.InterestOf(t.Backend.Fd);
            if (r != 0 || !interest.Readable || _h.Kernel.VhostOf(t.Vhost)!.Backend is not null || t.Sim.VhostOwner is not null)
            {
                _problems.Add($"(a) queue {t.Backend.Name}: after vhost-stop ({r}) read watch {interest.Readable}, kernel still attached: "
                    + $"{_h.Kernel.VhostOf(t.Vhost)!.Backend is not null}");
            }
            var atHost = _h.Kernel.HostReceive(t.Sim.Device.Name, t.Sim.Device.Queues.IndexOf(t.Sim));
            if (!t.HeaderDisagrees)
            {
                Compare($"(d) queue {t.Backend.Name}: the peer's frame after stop", t.PeerFrame is { } p ? [p] : [], atHost);
            }
        }
        _h.Kernel.RunUntilIdle(IdleWithinIterations);
        foreach (var t in _queues)
        {
            // The backend reads again; how far it gets depends on its peer (R21 backpressure), but it reads.
            long read = t.Backend.FramesRead - t.FramesReadBefore;
            bool readSome = t.ExpectedStillInTap == 0 || read > 0;
            if (!readSome || read + t.Sim.Pending != t.ExpectedStillInTap)
            {
                _problems.Add($"(a) queue {t.Backend.Name}: after stop the backend read {read} frame(s), "
                    + $"{t.ExpectedStillInTap} were left by vhost, {t.Sim.Pending} still pending");
            }
        }
    }

    private void Compare(string what, List<byte[]> expected, List<byte[]> actual)
    {
        FramesCompared += actual.Count;
        if (expected.Count != actual.Count)
        {
            _problems.Add($"{what}: {actual.Count} frame(s), want {expected.Count} (lengths {string.Join(",", actual.Select(f => f.Length))} vs {string.Join(",", expected.Select(f => f.Length))})");
            return;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (!expected[i].AsSpan().SequenceEqual(actual[i]))
            {
                int at = 0;
                while (at < Math.Min(expected[i].Length, actual[i].Length) && expected[i][at] == actual[i][at])
                {
                    at++;
                }
                _problems.Add($"{what}: frame {i} differs at byte {at} (length {actual[i].Length}, want {expected[i].Length})");
                return;
            }
        }
    }
}
