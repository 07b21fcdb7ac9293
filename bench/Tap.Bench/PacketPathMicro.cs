using BenchmarkDotNet.Attributes;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Bench;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the core packet path in the simulator: tap → peer (one readable callback of
/// up to 50 frames) and peer → tap (one write), with and without the vnet header. MemoryDiagnoser shows the
/// bytes allocated per operation, which must stay 0.
/// </summary>
[MemoryDiagnoser]
public class PacketPathMicro
{
    private const int FramesPerCallback = TapBackend.MaxPacketsPerWakeup;
    private SimKernel _kernel = null!;
    private TapBackend _tap = null!;
    private SimGuestPeer _peer = null!;
    private readonly byte[] _frame = new byte[1500];

    [Params(true, false)]
    public bool VnetHdr { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new SimKernel(1) { RecordDataPath = false, KeepTransmitted = false };
        _kernel.Record.KeepLines = false;
        var stack = new NetStack();
        _tap = (TapBackend)TapInit.Run(stack, _kernel, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = VnetHdr }).Created[0];
        _kernel.SetLinkUp("tap0", true);
        _peer = new SimGuestPeer(stack, _tap, "nic", virtio: false) { KeepCopies = false };
    }

    /// <summary>Host → tap → peer: 50 frames queued by the host, one readable callback forwards them.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerCallback)]
    public void TapToPeer()
    {
        for (int i = 0; i < FramesPerCallback; i++)
        {
            _kernel.HostSend("tap0", _frame);
        }
        _tap.OnReadable();
    }

    /// <summary>Peer → tap → host: one frame written (with the zero header when the tap has one).</summary>
    [Benchmark]
    public int PeerToTap()
    {
        int r = _peer.Transmit(_frame);
        _kernel.HostDrainAll();
        return r;
    }
}
