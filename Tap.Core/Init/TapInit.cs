using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>
/// <c>-netdev tap</c> (QEMU's net_init_tap, O30-O37). Creation is all or nothing: on any failure every queue made
/// for this netdev is deleted and every fd it opened or took is closed exactly once (D-1..D-5).
/// </summary>
public static class TapInit
{
    private const string FdConflicts = "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=";
    private const string FdsConflicts = "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=";
    private const string HelperConflicts = "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=";

    /// <summary>Creates the netdev; <paramref name="peer"/> is null for <c>-netdev</c> (a hub port for legacy <c>-net</c>).</summary>
    public static NetdevInitResult Run(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer = null)
    {
        if (peer is not null && (tap.Queues is not null || tap.Fds is not null || tap.Vhostfds is not null))
        {
            return NetdevInitResult.Fail("Multiqueue tap cannot be used with hubs");
        }

        if (tap.Fd is not null)
        {
            return FromFd(stack, os, env, tap, peer);
        }
        if (tap.Fds is not null)
        {
            return FromFds(stack, os, env, tap, peer);
        }
        if (tap.Helper is not null)
        {
            return FromHelper(stack, os, env, tap, peer);
        }
        return FromName(stack, os, env, tap, peer);
    }

    /// <summary>Branch A.</summary>
    private static NetdevInitResult FromFd(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer)
    {
        if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null || tap.VnetHdr is not null
            || tap.Helper is not null || tap.Queues is not null || tap.Fds is not null || tap.Vhostfds is not null)
        {
            return NetdevInitResult.Fail(FdConflicts);
        }

        var (fd, error) = FdResolver.Resolve(os, env, tap.Fd!);
        if (error is not null)
        {
            return NetdevInitResult.Fail(error);
        }
        var (vnetHdr, probeError) = PrepareGivenFd(os, tap.Id, fd);
        if (probeError is not null)
        {
            return NetdevInitResult.Fail(probeError);
        }

        var (s, setupError) = QueueSetup.Run(stack, os, env, tap, peer, "tap", tap.Id, new QueueSetup.Info.FdNumber(), tap.Vhostfd, vnetHdr, fd);
        return setupError is null ? NetdevInitResult.Success(new NetClient[] { s! }) : NetdevInitResult.Fail(setupError);
    }

    /// <summary>Branch B.</summary>
    private static NetdevInitResult FromFds(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer)
    {
        if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null || tap.VnetHdr is not null
            || tap.Helper is not null || tap.Queues is not null || tap.Vhostfd is not null)
        {
            return NetdevInitResult.Fail(FdsConflicts);
        }

        var fds = SplitFds(tap.Fds!);
        var vhostFds = tap.Vhostfds is null ? null : SplitFds(tap.Vhostfds);
        if (vhostFds is not null && vhostFds.Count != fds.Count)
        {
            return NetdevInitResult.Fail("The number of fds passed does not match the number of vhostfds passed");
        }
        if (fds.Count == 0)
        {
            return NetdevInitResult.Fail(InitMessages.FdsEmpty);
        }
        if (fds.Count > NetLimits.KernelMaxTapQueues)
        {
            return NetdevInitResult.Fail(InitMessages.TooManyFds(fds.Count));
        }

        var created = new List<NetClient>();
        var taken = new List<Fd>();
        bool firstVnetHdr = false;
        for (int i = 0; i < fds.Count; i++)
        {
            var (fd, error) = FdResolver.Resolve(os, env, fds[i]);
            if (error is not null)
            {
                return Rollback(stack, os, created, taken, error);
            }
            taken.Add(fd);

            var nb = os.SetNonBlocking(fd);
            if (!nb.Ok)
            {
                return Rollback(stack, os, created, taken, $"{tap.Id}: Can't use file descriptor {fd}: {ErrnoText.Of(nb.Error)}");
            }

            if (i == 0)
            {
                var (vnetHdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
                if (probeError is not null)
                {
                    return Rollback(stack, os, created, taken, probeError);
                }
                firstVnetHdr = vnetHdr;
            }
            else
            {
                var (vnetHdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
                if (probeError is not null || vnetHdr != firstVnetHdr)
                {
                    return Rollback(stack, os, created, taken, "vnet_hdr not consistent across given tap fds");
                }
            }

            var (s, setupError) = QueueSetup.Run(stack, os, env, tap, peer, "tap", tap.Id, new QueueSetup.Info.FdNumber(),
                vhostFds?[i], firstVnetHdr, fd);
            // The client owns the fd from here on, and a failed setup already closed it.
            taken.RemoveAt(taken.Count - 1);
            if (setupError is not null)
            {
                return Rollback(stack, os, created, taken, setupError);
            }
            created.Add(s!);
        }
        return NetdevInitResult.Success(created);
    }

    /// <summary>Branch C.</summary>
    private static NetdevInitResult FromHelper(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer)
    {
        if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null || tap.VnetHdr is not null
            || tap.Queues is not null || tap.Vhostfds is not null)
        {
            return NetdevInitResult.Fail(HelperConflicts);
        }

        var (fd, error) = BridgeHelperRunner.Run(os, tap.Helper!, tap.Br ?? env.DefaultBridge);
        if (error is not null)
        {
            return NetdevInitResult.Fail(error);
        }
        var nb = os.SetNonBlocking(fd);
        if (!nb.Ok)
        {
            os.Close(fd);   // QEMU leaks it (D-2).
            return NetdevInitResult.Fail($"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}");
        }
        var (vnetHdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
        if (probeError is not null)
        {
            os.Close(fd);
            return NetdevInitResult.Fail(probeError);
        }

        var (s, setupError) = QueueSetup.Run(stack, os, env, tap, peer, "bridge", tap.Id, new QueueSetup.Info.Helper(tap.Helper!), tap.Vhostfd, vnetHdr, fd);
        return setupError is null ? NetdevInitResult.Success(new NetClient[] { s! }) : NetdevInitResult.Fail(setupError);
    }

    /// <summary>Branch D: open the queues, run the setup script once, then set every queue up (D-23).</summary>
    private static NetdevInitResult FromName(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer)
    {
        if (tap.Vhostfds is not null)
        {
            return NetdevInitResult.Fail("vhostfds= is invalid if fds= wasn't specified");
        }

        uint queues = tap.Queues ?? 1;
        if (queues == 0)
        {
            return NetdevInitResult.Fail(InitMessages.QueuesZero);
        }
        if (queues > NetLimits.KernelMaxTapQueues)
        {
            return NetdevInitResult.Fail(InitMessages.TooManyQueues(queues));
        }
        if (queues > 1 && tap.Vhostfd is not null)
        {
            return NetdevInitResult.Fail(InitMessages.VhostfdWithQueues);
        }
        string ifname = tap.Ifname ?? "";
        if (System.Text.Encoding.UTF8.GetByteCount(ifname) > NetLimits.IfNameMaxBytes)
        {
            return NetdevInitResult.Fail(InitMessages.IfnameTooLong(ifname));
        }

        string script = tap.Script ?? env.DefaultScript;
        string downscript = tap.Downscript ?? env.DefaultDownScript;
        bool vnetWanted = tap.VnetHdr ?? true;
        bool vnetRequired = tap.VnetHdr == true;

        var opened = new List<TapOpener.Opened>((int)queues);
        for (int i = 0; i < queues; i++)
        {
            var (q, error) = TapOpener.Open(os, ifname, vnetWanted, vnetRequired, queues > 1);
            if (error is not null)
            {
                return Rollback(stack, os, Array.Empty<NetClient>(), opened.ConvertAll(o => o.Fd), error);
            }
            opened.Add(q);
            // Later queues attach to the device queue 0 made, by the name the kernel gave it.
            ifname = q.Name;
        }

        if (script.Length > 0 && script != "no")
        {
            var outcome = os.RunScript(script, ifname, opened[0].Fd);
            if (!outcome.Succeeded)
            {
                return Rollback(stack, os, Array.Empty<NetClient>(), opened.ConvertAll(o => o.Fd), Backend.ScriptMessages.Failed(script, outcome));
            }
        }

        var created = new List<NetClient>((int)queues);
        for (int i = 0; i < opened.Count; i++)
        {
            var info = i == 0 ? new QueueSetup.Info.Named(ifname, script, downscript) : new QueueSetup.Info.Named(ifname, "no", "no");
            var (s, setupError) = QueueSetup.Run(stack, os, env, tap, peer, "tap", tap.Id, info, tap.Vhostfd, opened[i].VnetHdr, opened[i].Fd);
            if (setupError is not null)
            {
                // The failed queue's fd is closed; the queues not yet set up are still ours to close.
                return Rollback(stack, os, created, opened.GetRange(i + 1, opened.Count - i - 1).ConvertAll(o => o.Fd), setupError);
            }
            created.Add(s!);
        }
        return NetdevInitResult.Success(created);
    }

    /// <summary>Shared by branches A and C: make the given fd non-blocking and probe it (fd closed on failure).</summary>
    private static (bool VnetHdr, string? Error) PrepareGivenFd(IOsNet os, string id, Fd fd)
    {
        var nb = os.SetNonBlocking(fd);
        if (!nb.Ok)
        {
            os.Close(fd);
            return (false, $"{id}: Can't use file descriptor {fd}: {ErrnoText.Of(nb.Error)}");
        }
        var (vnetHdr, error) = TapOpener.ProbeVnetHdr(os, fd);
        if (error is not null)
        {
            os.Close(fd);
        }
        return (vnetHdr, error);
    }

    /// <summary>Deletes what was created (their cleanup closes their fds) and closes the fds not yet handed over.</summary>
    private static NetdevInitResult Rollback(NetStack stack, IOsNet os, IReadOnlyList<NetClient> created, IReadOnlyList<Fd> notHandedOver, string error)
    {
        if (created.Count > 0 && !created[0].Deleted)
        {
            stack.Delete(created[0]);
        }
        foreach (var fd in notHandedOver)
        {
            os.Close(fd);
        }
        return NetdevInitResult.Fail(error);
    }

    /// <summary>O32: colon-separated items; a trailing colon adds nothing, an empty string is none. QEMU ignores items
    /// past 1024; we count them all so that too many is an error (D-25).</summary>
    internal static List<string> SplitFds(string text)
    {
        var items = new List<string>();
        int pos = 0;
        while (pos < text.Length)
        {
            int colon = text.IndexOf(':', pos);
            if (colon < 0)
            {
                items.Add(text[pos..]);
                break;
            }
            items.Add(text[pos..colon]);
            pos = colon + 1;
        }
        return items;
    }
}
