using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Options;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// R34 with a real steering program: a BPF program loaded through bpf(2) from raw instructions, attached to a
/// two-queue tap through the backend, decides which queue every frame the host sends into the tap reaches; -1
/// detaches it and the kernel spreads frames by itself again.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class SteeringEbpfOnLinuxTests(ITestOutputHelper output)
{
    private const int Datagrams = 20;
    private const int UdpPort = 7780;

    [SkippableFact(DisplayName = "R34 on Linux: a steering program returning 1, then 0, sends every frame to that queue; -1 detaches it")]
    public void ProgramChoosesTheQueue()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            var created = rig.InitTap(
                new TapOptions { Id = "t0", Ifname = "stq0", Script = "no", Downscript = "no", VnetHdr = false, Queues = 2 }).Created;
            var queues = created.Cast<TapBackend>().ToArray();
            Assert.Equal(2, queues.Length);
            ns.Ip("addr", "add", "169.254.32.1/24", "dev", "stq0");
            ns.Ip("link", "set", "stq0", "up");
            // A fixed neighbour: the datagrams go out at once, with no ARP in between.
            ns.Ip("neigh", "add", "169.254.32.2", "lladdr", "02:00:00:00:00:02", "dev", "stq0");
            Drain(rig, queues);

            foreach (int chosen in new[] { 1, 0 })
            {
                using var program = LoadReturning(chosen);
                Assert.True(queues[0].SetSteeringEbpf((int)program.DangerousGetHandle()), string.Join("; ", rig.Reports));
                LinkLocal.SendFlows("169.254.32.2", UdpPort, Datagrams);
                var counts = LinkLocal.CountUdpPerQueue(rig.Os, [.. queues.Select(q => q.Fd)], UdpPort, Datagrams);
                output.WriteLine($"program returns {chosen}: queue 0 got {counts[0]}, queue 1 got {counts[1]}");
                Assert.Equal(Datagrams, counts[chosen]);
                Assert.Equal(0, counts[1 - chosen]);
            }

            Assert.True(queues[1].SetSteeringEbpf(-1));
            LinkLocal.SendFlows("169.254.32.2", UdpPort, Datagrams);
            var spread = LinkLocal.CountUdpPerQueue(rig.Os, [.. queues.Select(q => q.Fd)], UdpPort, Datagrams);
            output.WriteLine($"detached: queue 0 got {spread[0]}, queue 1 got {spread[1]}");
            Assert.Equal(Datagrams, spread[0] + spread[1]);
            Assert.Empty(rig.Reports);
            rig.Stack.DeleteAll();
        });
    }

    private static void Drain(LinuxHost rig, TapBackend[] queues)
    {
        var frame = new byte[2048];
        foreach (var q in queues)
        {
            while (rig.Os.Read(q.Fd, frame) is { Error: Errno.None, Value: > 0 })
            {
            }
        }
    }

    /// <summary>
    /// A socket-filter program of two instructions, <c>r0 = k; exit</c>: tun takes its result modulo the number of
    /// queues as the queue. Encodings from linux/bpf.h: BPF_ALU64|BPF_MOV|BPF_K = 0xb7, BPF_JMP|BPF_EXIT = 0x95.
    /// </summary>
    private static SafeFileHandle LoadReturning(int k)
    {
        const int BpfProgLoad = 5, ProgTypeSocketFilter = 1, SysBpf = 321, AttrBytes = 128;
        byte[] insns = new byte[16];
        insns[0] = 0xb7;
        BinaryPrimitives.WriteInt32LittleEndian(insns.AsSpan(4), k);
        insns[8] = 0x95;
        IntPtr code = Marshal.AllocHGlobal(insns.Length), license = Marshal.StringToHGlobalAnsi("GPL"), attr = Marshal.AllocHGlobal(AttrBytes);
        try
        {
            Marshal.Copy(insns, 0, code, insns.Length);
            Marshal.Copy(new byte[AttrBytes], 0, attr, AttrBytes);
            Marshal.WriteInt32(attr, 0, ProgTypeSocketFilter);
            Marshal.WriteInt32(attr, 4, 2);
            Marshal.WriteInt64(attr, 8, code);
            Marshal.WriteInt64(attr, 16, license);
            long fd = Syscall(SysBpf, BpfProgLoad, attr, AttrBytes);
            Assert.True(fd >= 0, $"bpf(BPF_PROG_LOAD) failed: errno {Marshal.GetLastPInvokeError()}");
            return new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        }
        finally
        {
            Marshal.FreeHGlobal(code);
            Marshal.FreeHGlobal(license);
            Marshal.FreeHGlobal(attr);
        }
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long cmd, IntPtr attr, long size);
}
