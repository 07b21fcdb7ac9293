using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>O34: create one TAP queue client on an fd and configure it (sndbuf, info string, down script, vhost).</summary>
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
    /// Creates the client and takes ownership of <paramref name="fd"/>. On failure every client named
    /// <paramref name="name"/> is deleted (their cleanup closes their fds and runs a recorded down script, O34.5)
    /// and the message is returned; the caller must not close <paramref name="fd"/> again (D-1).
    /// </summary>
    internal static (TapBackend? Backend, string? Error) Run(
        NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer,
        string model, string name, Info info, string? vhostFdName, bool vnetHdr, Fd fd)
    {
        var s = TapBackend.Create(stack, peer, model, name, os, fd, vnetHdr);
        if (s.CreationError is { } creation)
        {
            return Fail(stack, s, creation);
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
                if (n.DownScript != "no")
                {
                    // Recorded before anything else can fail, so a failed setup after the up script ran still runs
                    // the down script exactly once (D-30); QEMU records it after sndbuf.
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
            return Fail(stack, s, $"TUNSETSNDBUF ioctl failed: {ErrnoText.Of(r.Error)}");
        }

        // O36.
        bool useVhost = tap.Vhost ?? (vhostFdName is not null || tap.Vhostforce == true);
        if (!useVhost)
        {
            return vhostFdName is not null
                ? Fail(stack, s, "vhostfd(s)= is not valid without vhost")
                : (s, null);
        }

        Fd vhostFd;
        if (vhostFdName is not null)
        {
            var (resolved, error) = FdResolver.Resolve(os, env, vhostFdName);
            if (error is not null)
            {
                return Fail(stack, s, error);
            }
            vhostFd = resolved;
            var nb = os.SetNonBlocking(vhostFd);
            if (!nb.Ok)
            {
                // QEMU prints the tap fd here (X6, D-9); the culprit is the vhost fd.
                os.Close(vhostFd);
                return Fail(stack, s, $"{name}: Can't use file descriptor {vhostFd}: {ErrnoText.Of(nb.Error)}");
            }
        }
        else
        {
            var open = os.OpenVhostNet();
            if (!open.Ok)
            {
                return Fail(stack, s, $"tap: open vhost char device failed: {ErrnoText.Of(open.Error)}");
            }
            vhostFd = open.Value;
            var nb = os.SetNonBlocking(vhostFd);
            if (!nb.Ok)
            {
                os.Close(vhostFd);
                return Fail(stack, s, $"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}");
            }
        }

        var init = os.VhostNetInit(vhostFd, fd, s.HasVnetHdr, tap.PollUs ?? 0);
        if (!init.Ok)
        {
            if (init.Detail is { } detail)
            {
                os.Report(new Diagnostic(DiagnosticKind.Error, detail));
            }
            os.Close(vhostFd);
            return Fail(stack, s, "vhost-net requested but could not be initialized");
        }
        s.AttachVhost(vhostFd);
        return (s, null);
    }

    private static (TapBackend? Backend, string? Error) Fail(NetStack stack, TapBackend s, string message)
    {
        stack.Delete(s);
        return (null, message);
    }
}
