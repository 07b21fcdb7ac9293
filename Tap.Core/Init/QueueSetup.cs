using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>
/// O34: create one TAP queue client on an fd and configure it (sndbuf, info string, down script, vhost).
/// </summary>
internal static class QueueSetup
{
    /// <summary>What the info string says about this queue (O34.3).</summary>
    internal abstract record Info
    {
        internal sealed record FdNumber : Info;
        internal sealed record Helper(string Text) : Info;
        internal sealed record Named(string Ifname, string Script, string DownScript) : Info;
    }

    /// <summary>
    /// Creates the client and takes ownership of <paramref name="fd"/> and of <paramref name="vhostFd"/> (already
    /// non-blocking). On failure every client named <paramref name="name"/> is deleted (their cleanup closes their
    /// fds and runs a recorded down script, O34.5), the vhost fd is closed, and the message is returned; the caller
    /// must not close either fd again (D-1).
    /// </summary>
    internal static (TapBackend? Backend, string? Error) Run(
        NetStack stack, IOsNet os, TapOptions tap, NetClient? peer,
        string model, string name, Info info, Fd? vhostFd, bool vnetHdr, Fd fd)
    {
        var s = TapBackend.Create(stack, peer, model, name, os, fd, vnetHdr);
        if (s.CreationError is { } creation)
        {
            return Fail(stack, os, s, vhostFd, creation);
        }

        switch (info)
        {
            case Info.FdNumber:
                s.SetInfoStr($"fd={fd}");
                break;
            case Info.Helper h:
                s.SetInfoStr($"helper={h.Text}");
                break;
            case Info.Named n:
                s.SetInfoStr($"ifname={n.Ifname},script={n.Script},downscript={n.DownScript}");
                if (n.DownScript.Length > 0 && n.DownScript != "no")
                {
                    // Recorded before anything else can fail, so a failed setup after the up script ran still runs
                    // the down script exactly once (D-30); QEMU records it only after sndbuf.
                    s.SetDownScript(n.DownScript, n.Ifname);
                }
                break;
        }

        // O35: 0 or absent means unlimited; only an explicit value makes a failure an error.
        ulong wanted = tap.Sndbuf ?? 0;
        int sndbuf = wanted == 0 || wanted > int.MaxValue ? int.MaxValue : (int)wanted;
        var r = os.TunSetSndBuf(fd, sndbuf);
        if (!r.Ok && tap.Sndbuf is not null)
        {
            return Fail(stack, os, s, vhostFd, $"TUNSETSNDBUF ioctl failed: {ErrnoText.Of(r.Error)}");
        }

        // O36; "vhostfd without vhost" was refused before anything was opened.
        bool useVhost = tap.Vhost ?? (vhostFd is not null || tap.Vhostforce == true);
        if (!useVhost)
        {
            if (vhostFd is { } unused)
            {
                os.Close(unused);
            }
            return (s, null);
        }

        Fd vhost;
        if (vhostFd is { } given)
        {
            vhost = given;
        }
        else
        {
            var open = os.OpenVhostNet();
            if (!open.Ok)
            {
                return Fail(stack, os, s, null, $"tap: open vhost char device failed: {ErrnoText.Of(open.Error)}");
            }
            vhost = open.Value;
            var nb = os.SetNonBlocking(vhost);
            if (!nb.Ok)
            {
                return Fail(stack, os, s, vhost, $"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}");
            }
        }

        var init = os.VhostNetInit(vhost, fd, s.HasVnetHdr, tap.PollUs ?? 0);
        if (!init.Ok)
        {
            if (init.Detail is { } detail)
            {
                os.Report(new Diagnostic(DiagnosticKind.Error, detail));
            }
            return Fail(stack, os, s, vhost, "vhost-net requested but could not be initialized");
        }
        s.AttachVhost(vhost);
        return (s, null);
    }

    private static (TapBackend? Backend, string? Error) Fail(
        NetStack stack, IOsNet os, TapBackend s, Fd? vhostFd, string message)
    {
        if (vhostFd is { } vhost)
        {
            os.Close(vhost);
        }
        stack.Delete(s);
        return (null, message);
    }
}
