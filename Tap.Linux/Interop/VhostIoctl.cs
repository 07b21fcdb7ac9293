using System.Runtime.InteropServices;

namespace Tap.Linux.Interop;

/// <summary>
/// linux/vhost.h request numbers (x86_64) and structures used by the init sequence (vhost-net.md §3.1, §4).
/// </summary>
internal static class VhostIoctl
{
    /// <summary>_IO(0xAF, 0x01): no argument.</summary>
    internal const uint VHOST_SET_OWNER = 0x0000af01;
    /// <summary>_IOR(0xAF, 0x00, __u64): pointer to a u64.</summary>
    internal const uint VHOST_GET_FEATURES = 0x8008af00;
    /// <summary>_IOW(0xAF, 0x21, struct vhost_vring_file).</summary>
    internal const uint VHOST_SET_VRING_CALL = 0x4008af21;
    /// <summary>_IOW(0xAF, 0x22, struct vhost_vring_file).</summary>
    internal const uint VHOST_SET_VRING_ERR = 0x4008af22;
    /// <summary>_IOW(0xAF, 0x23, struct vhost_vring_state).</summary>
    internal const uint VHOST_SET_VRING_BUSYLOOP_TIMEOUT = 0x4008af23;
    /// <summary>_IOW(0xAF, 0x30, struct vhost_vring_file): attach a tap fd to a virtqueue (-1 detaches).</summary>
    internal const uint VHOST_NET_SET_BACKEND = 0x4008af30;
    /// <summary>VHOST_FILE_UNBIND: the fd value that detaches.</summary>
    internal const int VhostFileUnbind = -1;

    /// <summary>
    /// VHOST_NET_F_VIRTIO_NET_HDR: the kernel adds/strips the header itself; needed when the tap has none.
    /// </summary>
    internal const ulong VhostNetFVirtioNetHdr = 1UL << 27;

    /// <summary>struct vhost_vring_file { unsigned int index; int fd; }.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct VringFile
    {
        public uint Index;
        public int Fd;
    }

    /// <summary>struct vhost_vring_state { unsigned int index; unsigned int num; }.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct VringState
    {
        public uint Index;
        public uint Num;
    }
}
