using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>
/// <c>-netdev tap</c> (QEMU's net_init_tap, O30-O37). Unlike QEMU, creation is all or nothing and checks before it
/// acts: option-only checks first, then every given fd, then the helper or the taps, then the setup script once,
/// then each queue. On any failure every queue made for this netdev is deleted and every fd it opened or took is
/// closed exactly once (D-1..D-5, D-9, D-23, D-25, D-26).
/// </summary>
public static class TapInit
{
    private const string FdConflicts =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=";
    private const string FdsConflicts =
        "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=";
    private const string HelperConflicts =
        "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=";
    private const string VhostfdWithoutVhost = "vhostfd(s)= is not valid without vhost";

    /// <summary>
    /// Creates the netdev; <paramref name="peer"/> is null for <c>-netdev</c> (a hub port for legacy <c>-net</c>).
    /// </summary>
    public static NetdevInitResult Run(
        NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer = null)
    {
        if (peer is not null && (tap.Queues is not null || tap.Fds is not null || tap.Vhostfds is not null))
        {
            return NetdevInitResult.Fail("Multiqueue tap cannot be used with hubs");
        }

        var run = new Attempt(stack, os, env, tap, peer);
        if (tap.Fd is not null)
        {
            return run.FromFd(tap.Fd);
        }
        if (tap.Fds is not null)
        {
            return run.FromFds(tap.Fds);
        }
        return tap.Helper is not null ? run.FromHelper(tap.Helper) : run.FromName();
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

    /// <summary>One creation attempt: the fds it owns until a client takes them.</summary>
    private sealed class Attempt(NetStack stack, IOsNet os, NetdevEnvironment env, TapOptions tap, NetClient? peer)
    {
        private readonly List<Fd> _owned = new();
        private readonly List<NetClient> _created = new();

        /// <summary>Branch A.</summary>
        public NetdevInitResult FromFd(string fdText)
        {
            if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null
                || tap.VnetHdr is not null
                || tap.Helper is not null || tap.Queues is not null || tap.Fds is not null || tap.Vhostfds is not null)
            {
                return Fail(FdConflicts);
            }
            if (tap.Vhostfd is not null && tap.Vhost == false)
            {
                return Fail(VhostfdWithoutVhost);
            }

            var vhostTexts = tap.Vhostfd is null ? new List<string>() : new List<string> { tap.Vhostfd };
            var fdTexts = new List<string> { fdText };
            if (TakeGivenFds(fdTexts, vhostTexts, out var tapFds, out var vhostFds, out bool vnetHdr) is { } error)
            {
                return Fail(error);
            }
            var vhostFd = vhostFds.Count > 0 ? vhostFds[0] : (Fd?)null;
            return SetUp(0, "tap", new QueueSetup.Info.FdNumber(), vhostFd, vnetHdr, tapFds[0]);
        }

        /// <summary>Branch B.</summary>
        public NetdevInitResult FromFds(string fdsText)
        {
            if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null
                || tap.VnetHdr is not null
                || tap.Helper is not null || tap.Queues is not null || tap.Vhostfd is not null)
            {
                return Fail(FdsConflicts);
            }

            var items = SplitFds(fdsText);
            if (items.Count == 0)
            {
                return Fail(InitMessages.FdsEmpty);
            }
            if (items.Count > NetLimits.KernelMaxTapQueues)
            {
                return Fail(InitMessages.FdsTooMany);
            }
            var vhostItems = tap.Vhostfds is null ? new List<string>() : SplitFds(tap.Vhostfds);
            if (tap.Vhostfds is not null && vhostItems.Count != items.Count)
            {
                return Fail("The number of fds passed does not match the number of vhostfds passed");
            }
            if (tap.Vhostfds is not null && tap.Vhost == false)
            {
                return Fail(VhostfdWithoutVhost);
            }

            if (TakeGivenFds(items, vhostItems, out var tapFds, out var vhostFds, out bool vnetHdr) is { } error)
            {
                return Fail(error);
            }
            for (int i = 0; i < tapFds.Count; i++)
            {
                var vhostFd = vhostFds.Count > 0 ? vhostFds[i] : (Fd?)null;
                var result = SetUp(i, "tap", new QueueSetup.Info.FdNumber(), vhostFd, vnetHdr, tapFds[i]);
                if (!result.Ok || i == tapFds.Count - 1)
                {
                    return result;
                }
            }
            throw new InvalidOperationException("unreachable: fds= has at least one item");
        }

        /// <summary>Branch C.</summary>
        public NetdevInitResult FromHelper(string helper)
        {
            if (tap.Ifname is not null || tap.Script is not null || tap.Downscript is not null
                || tap.VnetHdr is not null
                || tap.Queues is not null || tap.Vhostfds is not null)
            {
                return Fail(HelperConflicts);
            }
            string br = tap.Br ?? env.DefaultBridge;
            if (BridgeHelperRunner.CheckOptions(helper, br) is { } optionError)
            {
                return Fail(optionError);
            }
            if (tap.Vhostfd is not null && tap.Vhost == false)
            {
                return Fail(VhostfdWithoutVhost);
            }

            var vhostTexts = tap.Vhostfd is null ? new List<string>() : new List<string> { tap.Vhostfd };
            if (TakeGivenFds(new List<string>(), vhostTexts, out _, out var vhostFds, out _) is { } error)
            {
                return Fail(error);
            }

            var (fd, helperError) = BridgeHelperRunner.Run(os, helper, br, stack.Programs);
            if (helperError is not null)
            {
                return Fail(helperError);
            }
            _owned.Add(fd);
            if (PrepareReceivedFd(os, fd, out bool vnetHdr) is { } prepareError)
            {
                return Fail(prepareError);
            }
            var vhostFd = vhostFds.Count > 0 ? vhostFds[0] : (Fd?)null;
            return SetUp(0, "bridge", new QueueSetup.Info.Helper(helper), vhostFd, vnetHdr, fd);
        }

        /// <summary>Branch D: open every queue, run the setup script once, then set each queue up (D-23).</summary>
        public NetdevInitResult FromName()
        {
            if (tap.Vhostfds is not null)
            {
                return Fail("vhostfds= is invalid if fds= wasn't specified");
            }
            uint queues = tap.Queues ?? 1;
            if (queues == 0 || queues > NetLimits.KernelMaxTapQueues)
            {
                return Fail(InitMessages.QueuesRange);
            }
            if (queues > 1 && tap.Vhostfd is not null)
            {
                return Fail(InitMessages.VhostfdWithQueues);
            }
            string ifname = tap.Ifname ?? "";
            if (System.Text.Encoding.UTF8.GetByteCount(ifname) > NetLimits.IfNameMaxBytes)
            {
                return Fail(InitMessages.IfnameTooLong);
            }
            if (tap.Vhostfd is not null && tap.Vhost == false)
            {
                return Fail(VhostfdWithoutVhost);
            }
            var vhostTexts = tap.Vhostfd is null ? new List<string>() : new List<string> { tap.Vhostfd };
            if (TakeGivenFds(new List<string>(), vhostTexts, out _, out var vhostFds, out _) is { } error)
            {
                return Fail(error);
            }

            string script = tap.Script ?? env.DefaultScript;
            string downscript = tap.Downscript ?? env.DefaultDownScript;
            bool vnetWanted = tap.VnetHdr ?? true;
            bool vnetRequired = tap.VnetHdr == true;

            var opened = new List<TapOpener.Opened>((int)queues);
            for (int i = 0; i < queues; i++)
            {
                var (q, openError) = TapOpener.Open(os, ifname, vnetWanted, vnetRequired, queues > 1);
                if (openError is not null)
                {
                    return Fail(openError);
                }
                opened.Add(q);
                _owned.Add(q.Fd);
                // Later queues attach to the device queue 0 made, by the name the kernel gave it.
                ifname = q.Name;
            }
            StaleTapState.Clear(os, opened[0].Fd);

            if (script.Length > 0 && script != "no")
            {
                var outcome = os.RunScript(script, ifname, opened[0].Fd);
                stack.Programs.Record(ProgramKind.UpScript, outcome);
                if (!outcome.Succeeded)
                {
                    return Fail(Backend.ScriptMessages.Failed(script, outcome));
                }
            }

            for (int i = 0; i < opened.Count; i++)
            {
                var info = i == 0
                    ? new QueueSetup.Info.Named(ifname, script, downscript)
                    : new QueueSetup.Info.Named(ifname, "no", "no");
                var vhostFd = vhostFds.Count > 0 ? vhostFds[0] : (Fd?)null;
                var result = SetUp(i, "tap", info, vhostFd, opened[i].VnetHdr, opened[i].Fd);
                if (!result.Ok || i == opened.Count - 1)
                {
                    return result;
                }
            }
            throw new InvalidOperationException("unreachable: at least one queue");
        }

        /// <summary>
        /// Parses every fd string, takes ownership of them all, then makes each non-blocking and probes the tap fds
        /// (item 0 names the failure; a later item that differs is "not consistent").
        /// </summary>
        private string? TakeGivenFds(List<string> tapTexts, List<string> vhostTexts,
            out List<Fd> tapFds, out List<Fd> vhostFds, out bool vnetHdr)
        {
            tapFds = new List<Fd>();
            vhostFds = new List<Fd>();
            vnetHdr = false;
            var refs = new List<FdResolver.FdRef>();
            var all = new List<string>(tapTexts);
            all.AddRange(vhostTexts);
            if (FdResolver.ParseAll(env, all, refs) is { } syntaxError)
            {
                return syntaxError;
            }
            var taken = new List<Fd>();
            var takeError = FdResolver.TakeAll(os, refs, taken);
            _owned.AddRange(taken);
            if (takeError is not null)
            {
                return takeError;
            }
            tapFds = taken.GetRange(0, tapTexts.Count);
            vhostFds = taken.GetRange(tapTexts.Count, vhostTexts.Count);

            for (int i = 0; i < tapFds.Count; i++)
            {
                var fd = tapFds[i];
                var nb = os.SetNonBlocking(fd);
                if (!nb.Ok)
                {
                    return $"{tap.Id}: Can't use file descriptor {fd}: {ErrnoText.Of(nb.Error)}";
                }
                var (hdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
                if (i == 0)
                {
                    if (probeError is not null)
                    {
                        return probeError;
                    }
                    vnetHdr = hdr;
                }
                else if (probeError is not null || hdr != vnetHdr)
                {
                    return "vnet_hdr not consistent across given tap fds";
                }
            }
            foreach (var fd in vhostFds)
            {
                var nb = os.SetNonBlocking(fd);
                if (!nb.Ok)
                {
                    // QEMU names the tap fd here (X6); the culprit is the vhost fd.
                    return $"{tap.Id}: Can't use file descriptor {fd}: {ErrnoText.Of(nb.Error)}";
                }
            }
            return null;
        }

        /// <summary>Hands <paramref name="fd"/> (and the vhost fd) to a new queue client.</summary>
        private NetdevInitResult SetUp(int index, string model, QueueSetup.Info info, Fd? vhostFd, bool vnetHdr, Fd fd)
        {
            _owned.Remove(fd);
            if (vhostFd is { } v)
            {
                _owned.Remove(v);
            }
            var (s, error) = QueueSetup.Run(stack, os, tap, peer, model, tap.Id, info, vhostFd, vnetHdr, fd);
            if (error is not null)
            {
                // QueueSetup already deleted every client of this netdev; close what was not handed over yet.
                _created.Clear();
                return Fail(error);
            }
            _created.Add(s!);
            return NetdevInitResult.Success(_created.ToArray());
        }

        private NetdevInitResult Fail(string message)
        {
            if (_created.Count > 0 && !_created[0].Deleted)
            {
                stack.Delete(_created[0]);
            }
            foreach (var fd in _owned)
            {
                os.Close(fd);
            }
            _owned.Clear();
            return NetdevInitResult.Fail(message);
        }
    }

    /// <summary>
    /// A fd received from a helper: non-blocking, then the vnet-header probe (both close it on failure via the caller).
    /// </summary>
    internal static string? PrepareReceivedFd(IOsNet os, Fd fd, out bool vnetHdr)
    {
        vnetHdr = false;
        var nb = os.SetNonBlocking(fd);
        if (!nb.Ok)
        {
            // QEMU leaks the fd here (D-2, D-3).
            return $"Failed to set FD nonblocking: {ErrnoText.Of(nb.Error)}";
        }
        var (hdr, probeError) = TapOpener.ProbeVnetHdr(os, fd);
        vnetHdr = hdr;
        return probeError;
    }
}
