using System.Diagnostics;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Sim;

namespace Tap.Bench;

/// <summary>
/// Packets per second and bytes allocated per packet through host → tap backend → peer in the simulator, for
/// 64-byte and 1500-byte frames, with and without the vnet header. Prints figures; asserts nothing.
/// </summary>
public static class PacketPathBenchmark
{
    private const int BatchFrames = 256;

    public static int Run(double seconds, TextWriter stdout)
    {
        stdout.WriteLine($"packet path host -> tap backend -> peer (simulated kernel), {seconds:0.#} s per case");
        stdout.WriteLine("case                      packets/s     MB/s   bytes alloc/packet (steady state)   gen0 GCs");
        foreach (bool vnet in new[] { true, false })
        {
            foreach (int size in new[] { 64, 1500 })
            {
                Measure(vnet, size, seconds, stdout);
            }
        }
        return 0;
    }

    private static void Measure(bool vnet, int frameBytes, double seconds, TextWriter stdout)
    {
        var kernel = new SimKernel(42) { RecordDataPath = false, KeepTransmitted = false };
        kernel.Record.KeepLines = false;
        var stack = new NetStack();
        var r = TapInit.Run(stack, kernel, new NetdevEnvironment(), new TapOptions { Id = "t0", Script = "no", Downscript = "no", VnetHdr = vnet });
        var tap = (TapBackend)r.Created[0];
        kernel.SetLinkUp("tap0", true);
        var peer = new SimGuestPeer(stack, tap, "nic0", virtio: false) { KeepCopies = false };
        var frame = new byte[frameBytes];
        frame.AsSpan().Fill(0xab);

        // Warm up: pools, ring growth, JIT tiers.
        for (int i = 0; i < 2000; i++)
        {
            Pump(kernel, frame);
        }

        long packetsBefore = peer.AcceptedPackets;
        int gcBefore = GC.CollectionCount(0);
        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        long batches = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            Pump(kernel, frame);
            batches++;
        }
        sw.Stop();
        long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
        long packets = peer.AcceptedPackets - packetsBefore;
        double pps = packets / sw.Elapsed.TotalSeconds;
        stdout.WriteLine($"{(vnet ? "vnet_hdr=on " : "vnet_hdr=off")} {frameBytes,5} B     {pps,12:N0}  {pps * frameBytes / 1e6,7:N1}   {(double)alloc / Math.Max(1, packets),10:0.000}                          {GC.CollectionCount(0) - gcBefore}");
        stack.DeleteAll();
    }

    private static void Pump(SimKernel kernel, byte[] frame)
    {
        for (int i = 0; i < BatchFrames; i++)
        {
            kernel.HostSend("tap0", frame);
        }
        while (kernel.RunOnce() > 0)
        {
        }
    }
}
