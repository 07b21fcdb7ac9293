using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>O37: open <c>/dev/net/tun</c> and make (or attach to) a tap. Every failure closes the fd.</summary>
public static class TapOpener
{
    /// <summary>An opened, non-blocking tap queue.</summary>
    public readonly record struct Opened(Fd Fd, string Name, bool VnetHdr);

    /// <summary>Opens one queue. <paramref name="ifname"/> empty means the kernel's <c>tap%d</c>.</summary>
    public static (Opened Tap, string? Error) Open(
        IOsNet os, string ifname, bool vnetHdrWanted, bool vnetHdrRequired, bool multiQueueRequired)
    {
        SysResult<Fd> open;
        do
        {
            open = os.OpenTunControl();
        }
        while (open.Error == Errno.EINTR);
        if (!open.Ok)
        {
            return (default, $"could not open /dev/net/tun: {ErrnoText.Of(open.Error)}");
        }
        var fd = open.Value;

        var features = os.TunGetFeatures(fd);
        var offered = TunFlags.None;
        if (features.Ok)
        {
            offered = features.Value;
        }
        else
        {
            os.Report(new Diagnostic(DiagnosticKind.Warning, $"TUNGETFEATURES failed: {ErrnoText.Of(features.Error)}"));
        }

        var flags = TunFlags.Tap | TunFlags.NoPi;
        if ((offered & TunFlags.OneQueue) != 0)
        {
            flags |= TunFlags.OneQueue;
        }

        bool vnetHdr = false;
        if (vnetHdrWanted)
        {
            vnetHdr = (offered & TunFlags.VnetHdr) != 0;
            if (vnetHdr)
            {
                flags |= TunFlags.VnetHdr;
            }
            else if (vnetHdrRequired)
            {
                os.Close(fd);
                return (default, "vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available");
            }
            // QEMU issues TUNSETVNETHDRSZ here, before TUNSETIFF, where it always fails with EBADFD (D-24).
            // The size is set once the device exists (R8).
        }

        if (multiQueueRequired)
        {
            if ((offered & TunFlags.MultiQueue) == 0)
            {
                os.Close(fd);
                return (default, "multiqueue required, but no kernel support for IFF_MULTI_QUEUE available");
            }
            flags |= TunFlags.MultiQueue;
        }

        var set = os.TunSetIff(fd, ifname.Length > 0 ? ifname : "tap%d", flags);
        if (!set.Ok)
        {
            os.Close(fd);
            return (default, ifname.Length > 0
                ? $"could not configure /dev/net/tun ({ifname}): {ErrnoText.Of(set.Error)}"
                : $"could not configure /dev/net/tun: {ErrnoText.Of(set.Error)}");
        }

        // QEMU ignores this result; a blocking tap fd would stall the whole main loop, so we do not.
        var nb = os.SetNonBlocking(fd);
        if (!nb.Ok)
        {
            os.Close(fd);
            return (default, $"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}");
        }

        return (new Opened(fd, set.Value, vnetHdr), null);
    }

    /// <summary>
    /// A tap fd's vnet-header flag from TUNGETIFF (the "vnet_hdr probe"); the error is QEMU's message.
    /// </summary>
    public static (bool VnetHdr, string? Error) ProbeVnetHdr(IOsNet os, Fd fd)
    {
        var r = os.TunGetIff(fd);
        return r.Ok
            ? ((r.Value.Flags & TunFlags.VnetHdr) != 0, null)
            : (false, $"Unable to query TUNGETIFF on FD {fd}: {ErrnoText.Of(r.Error)}");
    }
}
