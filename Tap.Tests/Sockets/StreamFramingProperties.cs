using FsCheck.Fluent;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Core.Socket;
using Tap.Sim;
using Tap.Tests.Core;
using Tap.Tests.Properties;

namespace Tap.Tests.Sockets;

/// <summary>
/// ST5-ST7, ST11 property: random frames, split at random into reads and writes, with the simulator's socket faults
/// (short reads, partial writes, EAGAIN, resets) and a peer that refuses at random; what arrives is exactly what
/// <see cref="FramingModel"/> says, or, after a reset, a prefix of it: never a partial, reordered or repeated frame.
/// Each case is one seed; the shape of the case (frame sizes, faults, corruption) is drawn from it.
/// </summary>
public sealed class StreamFramingProperties
{
    private sealed record Case(ulong Seed)
    {
        public override string ToString() => $"seed {Seed}";
    }

    private static FaultPlan Faults(SimRandom r, bool resets)
    {
        var plan = new FaultPlan();
        foreach (var site in new[] { FaultSite.SocketShortRead, FaultSite.SocketShortWrite, FaultSite.WriteEagain,
            FaultSite.WriteEintr })
        {
            if (r.Chance(new Ratio(1, 2)))
            {
                plan.With(site, new Ratio(r.Next(1, 60), 100));
            }
        }
        if (resets && r.Chance(new Ratio(1, 4)))
        {
            plan.With(FaultSite.SocketReset, new Ratio(r.Next(1, 5), 100));
        }
        return plan;
    }

    private static List<byte[]> Frames(SimRandom r)
    {
        var frames = new List<byte[]>();
        int n = r.Next(0, 25);
        for (int i = 0; i < n; i++)
        {
            int len = r.Next(4) switch
            {
                0 => r.Next(1, 61),
                1 => r.Next(60, 1515),
                2 => r.Next(1514, 9001),
                _ => r.Next(9000, 69633),
            };
            var f = new byte[len];
            for (int j = 0; j < len; j += 97)
            {
                f[j] = (byte)r.Next(256);
            }
            f[0] = (byte)i; // frames tell themselves apart
            frames.Add(f);
        }
        return frames;
    }

    [Fact(DisplayName = "ST5-ST7 property: wire to core delivers the model's frames, whole and in order, or a prefix")]
    public void Wire_to_core()
    {
        PropertyRun.Check(nameof(Wire_to_core), ArbMap.Default.ArbFor<ulong>(), 60, seed =>
        {
            var r = new SimRandom(seed);
            var k = new SimKernel(seed, Faults(r, resets: true));
            var stack = new NetStack();
            var s = (StreamBackend)StreamInit.Run(stack, k, (StreamOptions)NetdevParser.Parse(
                "stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/p.sock").Options!).Created[0];
            var nic = new ScriptedClient(stack, s, "nic0");

            var frames = Frames(r);
            var stream = FramingModel.Encode(frames).ToList();
            int corruption = r.Next(4);
            if (corruption == 1)
            {
                stream.AddRange(new byte[] { 0, 0, 0, 0, 7 });            // length 0
            }
            else if (corruption == 2)
            {
                stream.AddRange(new byte[] { 0, 1, 0x10, 1, 7, 7 });      // 69633 bytes announced
            }
            else if (corruption == 3 && stream.Count > 0)
            {
                stream.RemoveRange(stream.Count - 1 - r.Next(Math.Min(stream.Count, 70)), 1 + 0);
            }
            var bytes = stream.ToArray();
            var expected = FramingModel.Decode(bytes);
            // ST6: a record shorter than an Ethernet header (14 bytes) is dropped at the stream, never delivered.
            var delivered = expected.Frames.Where(f => f.Length >= 14).ToList();

            var far = k.Socket(SockDomain.Unix, SockType.Stream).Value;
            k.Connect(far, new UnixSockAddr("/tmp/p.sock"));
            int at = 0;
            bool reset = false;
            for (int step = 0; step < 200_000 && !reset; step++)
            {
                if (at < bytes.Length)
                {
                    int chunk = Math.Min(bytes.Length - at, 1 + r.Next(20_000));
                    var w = k.Write(far, bytes.AsSpan(at, chunk), default);
                    if (w.Ok)
                    {
                        at += w.Value;
                    }
                    reset = w.Error == Tap.Core.Abi.Errno.ECONNRESET || k.SocketOf(far)!.Reset;
                }
                nic.NextResult = r.Chance(new Ratio(1, 5)) ? 0 : null;
                k.RunOnce();
                if (nic.NextResult == 0 && r.Chance(new Ratio(1, 2)))
                {
                    nic.NextResult = null;
                    nic.FlushQueuedPackets();
                }
                if (at == bytes.Length && step > 0)
                {
                    break;
                }
            }
            k.Close(far);
            nic.NextResult = null;
            for (int i = 0; i < 1000 && (s.IsConnected || nic.IncomingQueue.Count > 0 || s.IncomingQueue.Count > 0); i++)
            {
                nic.FlushQueuedPackets();
                k.RunOnce();
            }
            nic.FlushQueuedPackets();
            k.RunUntilIdle();

            bool prefix = nic.Got.Count <= delivered.Count
                && nic.Got.Select((f, i) => f.AsSpan().SequenceEqual(delivered[i])).All(x => x);
            bool broken = reset || s.Disconnections > 1 || k.Reports.Any(d => d.Message.Contains("reset"));
            bool whole = broken || nic.Got.Count == delivered.Count;
            int warnings = k.Reports.Count;
            bool oneWarning = broken || warnings == (expected.BadHeader || expected.Cut ? 1 : 0);
            if (!(prefix && whole && oneWarning))
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: got {nic.Got.Count} of {delivered.Count} "
                    + $"(prefix {prefix}, reset {broken}, warnings {warnings}, bad {expected.BadHeader}, "
                    + $"cut {expected.Cut}, faults {k.Faults})");
            }
            return true;
        });
    }

    [Fact(DisplayName = "ST5, ST11 property: core to wire gives the far end exactly the frames sent, in order")]
    public void Core_to_wire()
    {
        PropertyRun.Check(nameof(Core_to_wire), ArbMap.Default.ArbFor<ulong>(), 60, seed =>
        {
            var r = new SimRandom(seed);
            var k = new SimKernel(seed, Faults(r, resets: false));
            var stack = new NetStack();
            var s = (StreamBackend)StreamInit.Run(stack, k, (StreamOptions)NetdevParser.Parse(
                "stream,id=s0,server=on,addr.type=unix,addr.path=/tmp/q.sock").Options!).Created[0];
            var nic = new ScriptedClient(stack, s, "nic0");
            var far = k.Socket(SockDomain.Unix, SockType.Stream).Value;
            k.Connect(far, new UnixSockAddr("/tmp/q.sock"));
            k.RunUntilIdle();

            var frames = Frames(r);
            var got = new List<byte>();
            var buf = new byte[100_000];
            int sent = 0;
            for (int step = 0; step < 100_000; step++)
            {
                if (sent < frames.Count && r.Chance(new Ratio(2, 3)))
                {
                    nic.SendAsync(frames[sent++], nic);
                }
                if (r.Chance(new Ratio(1, 2)) && k.Read(far, buf.AsSpan(0, 1 + r.Next(buf.Length - 1))) is
                    { Ok: true, Value: > 0 } n)
                {
                    got.AddRange(buf.AsSpan(0, n.Value).ToArray());
                }
                k.RunOnce();
                if (sent == frames.Count && s.IncomingQueue.Count == 0 && !s.WritePoll
                    && k.SocketOf(far)!.Inbox.Count == 0)
                {
                    break;
                }
            }
            var decoded = FramingModel.Decode(got.ToArray());
            bool ok = !decoded.BadHeader && !decoded.Cut && decoded.Frames.Count == frames.Count
                && decoded.Frames.Select((f, i) => f.AsSpan().SequenceEqual(frames[i])).All(x => x);
            if (!ok)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: far end decoded {decoded.Frames.Count} of "
                    + $"{frames.Count} (bad {decoded.BadHeader}, cut {decoded.Cut}, faults {k.Faults})");
            }
            return true;
        });
    }
}
