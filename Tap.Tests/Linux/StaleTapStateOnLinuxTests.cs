using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Options;
using Tap.Linux;
using Tap.Linux.Interop;
using Tmds.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// D-21 on the real kernel: a persistent tap whose previous user attached a socket filter that drops everything,
/// a one-address TX filter and the little-endian flag still carries traffic when tapnet opens it by name.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class StaleTapStateOnLinuxTests(ITestOutputHelper output)
{
    private const int Datagrams = 10;
    private const int UdpPort = 7781;

    [SkippableFact(DisplayName = "D-21 on Linux: a persistent tap left with a drop-all socket filter and a TX filter comes up clean and carries frames")]
    public void DirtyPersistentTapCarriesTraffic()
    {
        RealKernel.Tun(output).InNamespace((ns, rig) =>
        {
            ns.Ip("tuntap", "add", "dev", "dirty0", "mode", "tap");
            LeaveDirty("dirty0");
            var r = rig.InitTap(
                new TapOptions { Id = "t0", Ifname = "dirty0", Script = "no", Downscript = "no", VnetHdr = false });
            Assert.Null(r.Error);
            var tap = (TapBackend)r.Created[0];
            ns.Ip("addr", "add", "169.254.33.1/24", "dev", "dirty0");
            ns.Ip("link", "set", "dirty0", "up");
            ns.Ip("neigh", "add", "169.254.33.2", "lladdr", "02:00:00:00:00:02", "dev", "dirty0");
            LinkLocal.SendFlows("169.254.33.2", UdpPort, Datagrams);
            int got = LinkLocal.CountUdpPerQueue(rig.Os, [tap.Fd], UdpPort, Datagrams)[0];
            output.WriteLine($"{got} of {Datagrams} datagrams read from the tap");
            Assert.Equal(Datagrams, got);
            Assert.Empty(rig.Reports);
            rig.Stack.DeleteAll();
            ns.Ip("tuntap", "del", "dev", "dirty0", "mode", "tap");
        });
    }

    /// <summary>The previous user: attaches, sets a socket filter that drops every frame (<c>ret #0</c>), a TX filter
    /// that lets one MAC through, and TUNSETVNETLE 1, then goes away; the persistent device keeps all of it.</summary>
    private static void LeaveDirty(string name)
    {
        const uint TunAttachFilter = 0x401054d5, TunSetTxFilter = 0x400454d1, TunSetVnetLe = 0x400454dc;
        Assert.Equal(Errno.None, Libc.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC, out var fd));
        using (fd)
        {
            Span<byte> ifr = stackalloc byte[40];
            ifr.Clear();
            Encoding.ASCII.GetBytes(name).CopyTo(ifr);
            BinaryPrimitives.WriteUInt16LittleEndian(ifr[16..], 0x0002 | 0x1000); // IFF_TAP | IFF_NO_PI
            Assert.Equal(Errno.None, Libc.Ioctl(fd, 0x400454ca, ifr));

            // struct sock_filter { u16 code; u8 jt, jf; u32 k; }: BPF_RET|BPF_K (0x06) with k = 0 drops the frame.
            IntPtr insn = Marshal.AllocHGlobal(8);
            try
            {
                Marshal.WriteInt64(insn, 0x06);
                Span<byte> fprog = stackalloc byte[16]; // struct sock_fprog { u16 len; ...; struct sock_filter *filter; }
                fprog.Clear();
                BinaryPrimitives.WriteUInt16LittleEndian(fprog, 1);
                BinaryPrimitives.WriteInt64LittleEndian(fprog[8..], insn);
                Assert.Equal(Errno.None, Libc.Ioctl(fd, TunAttachFilter, fprog));
            }
            finally
            {
                Marshal.FreeHGlobal(insn);
            }

            Span<byte> tx = stackalloc byte[4 + 6]; // struct tun_filter { u16 flags; u16 count; u8 addr[1][6]; }
            tx.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(tx[2..], 1);
            new byte[] { 0x02, 0, 0, 0, 0, 0x99 }.CopyTo(tx[4..]);
            Assert.Equal(Errno.None, Libc.Ioctl(fd, TunSetTxFilter, tx));
            int on = 1;
            Assert.Equal(Errno.None, Libc.Ioctl(fd, TunSetVnetLe, ref on));
        }
    }
}
