namespace Tap.Linux.Interop;

/// <summary>linux/if_tun.h request numbers (x86_64) and the <c>struct ifreq</c> layout they use
/// (linux-tun.md §11.1-11.2; AbiTests compares every value with the C headers).</summary>
internal static class TunIoctl
{
    /// <summary>Pointer to a 40-byte ifreq (the encoded size says 4; the kernel copies 40).</summary>
    internal const uint TUNSETIFF = 0x400454ca;
    /// <summary>Pointer to an unsigned int.</summary>
    internal const uint TUNGETFEATURES = 0x800454cf;
    /// <summary>Mask passed by value.</summary>
    internal const uint TUNSETOFFLOAD = 0x400454d0;
    /// <summary>Pointer to an ifreq.</summary>
    internal const uint TUNGETIFF = 0x800454d2;
    /// <summary>Pointer to an int.</summary>
    internal const uint TUNSETSNDBUF = 0x400454d4;
    /// <summary>Pointer to an int.</summary>
    internal const uint TUNSETVNETHDRSZ = 0x400454d8;
    /// <summary>Pointer to an ifreq with ATTACH/DETACH_QUEUE.</summary>
    internal const uint TUNSETQUEUE = 0x400454d9;
    /// <summary>Pointer to an int.</summary>
    internal const uint TUNSETVNETLE = 0x400454dc;
    /// <summary>Pointer to an int.</summary>
    internal const uint TUNSETVNETBE = 0x400454de;
    /// <summary>Pointer to an int (encoded _IOR although it sets).</summary>
    internal const uint TUNSETSTEERINGEBPF = 0x800454e0;
    internal const uint TUNSETFILTEREBPF = 0x800454e1;
    /// <summary>_IOW('T', 209, unsigned int); the argument is a struct tun_filter.</summary>
    internal const uint TUNSETTXFILTER = 0x400454d1;
    /// <summary>_IOW('T', 214, struct sock_fprog); the argument is not read.</summary>
    internal const uint TUNDETACHFILTER = 0x401054d6;

    /// <summary>sizeof(struct ifreq).</summary>
    internal const int IfReqBytes = 40;
    /// <summary>IFNAMSIZ: ifr_name with its terminating NUL.</summary>
    internal const int IfNameBytes = 16;
    /// <summary>offsetof(struct ifreq, ifr_flags).</summary>
    internal const int IfReqFlagsOffset = 16;
}
