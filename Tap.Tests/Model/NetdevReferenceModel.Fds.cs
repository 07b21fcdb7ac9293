using System.Collections.Immutable;
using System.Globalization;

namespace Tap.Tests.Model;

public static partial class NetdevReferenceModel
{
    /// <summary>fd=, fds= and vhostfd(s)= items: syntax (O33), duplicates, taking and the TUNGETIFF probe.</summary>
    private sealed partial class Run
    {
        private FdRef? ParseOne(string text, out string? error)
        {
            error = null;
            if (o.FromMonitor && (text.Length == 0 || !char.IsAsciiDigit(text[0])))
            {
                return new FdRef(text, true, -1);
            }

            if (TryParseFdNumber(text, out var n))
            {
                return new FdRef(text, false, n);
            }

            error = $"Invalid file descriptor number '{text}'";
            return null;
        }

        private string? ParseAll(
            IReadOnlyList<string> tapTexts,
            IReadOnlyList<string> vhostTexts,
            out List<FdRef> tapRefs,
            out List<FdRef> vhostRefs)
        {
            tapRefs = [];
            vhostRefs = [];
            foreach (var (texts, refs) in new[] { (tapTexts, tapRefs), (vhostTexts, vhostRefs) })
            {
                foreach (var text in texts)
                {
                    var r = ParseOne(text, out var error);
                    if (r is null)
                    {
                        return error;
                    }

                    refs.Add(r.Value);
                }
            }

            var seen = new HashSet<int>();
            foreach (var r in tapRefs.Concat(vhostRefs).Where(r => !r.IsName))
            {
                if (!seen.Add(r.Number))
                {
                    return OurMessages.DuplicateFd(r.Number);
                }
            }

            return null;
        }

        /// <summary>Takes every named fd (tap fds, then vhost fds), then checks them all before anything is created.</summary>
        private string? TakeAndCheck(
            List<FdRef> tapRefs,
            List<FdRef> vhostRefs,
            out ImmutableArray<int> tapFds,
            out bool vnet,
            out ImmutableArray<int> vhostFds)
        {
            tapFds = [];
            vhostFds = [];
            vnet = false;
            var resolved = new List<int>();
            foreach (var r in tapRefs.Concat(vhostRefs))
            {
                var n = r.Number;
                if (r.IsName)
                {
                    if (_consumedNames.Contains(r.Text) || !env.MonitorFds.TryGetValue(r.Text, out n))
                    {
                        return $"File descriptor named '{r.Text}' has not been found";
                    }

                    _consumedNames.Add(r.Text);
                }

                if (env.Fds.ContainsKey(n))
                {
                    _taken.Add(n);
                }

                resolved.Add(n);
            }

            tapFds = [.. resolved.Take(tapRefs.Count)];
            vhostFds = [.. resolved.Skip(tapRefs.Count)];

            for (var i = 0; i < tapFds.Length; i++)
            {
                var fd = tapFds[i];
                if (!env.Fds.TryGetValue(fd, out var kind))
                {
                    return CantUse(fd, ModelErrno.EBADF);
                }

                var (probeVnet, probeError) = Probe(kind);
                if (i == 0)
                {
                    if (probeError is { } err)
                    {
                        return ProbeMessage(fd, err);
                    }

                    vnet = probeVnet;
                }
                else if (probeError is not null || probeVnet != vnet)
                {
                    return VnetInconsistent;
                }
            }

            foreach (var fd in vhostFds)
            {
                if (!env.Fds.ContainsKey(fd))
                {
                    return CantUse(fd, ModelErrno.EBADF);
                }
            }

            return null;
        }

        private string CantUse(int fd, ModelErrno errno) =>
            string.Create(CultureInfo.InvariantCulture, $"{o.Id}: Can't use file descriptor {fd}: {errno.Text()}");

        private static string ProbeMessage(int fd, ModelErrno errno) =>
            string.Create(CultureInfo.InvariantCulture, $"Unable to query TUNGETIFF on FD {fd}: {errno.Text()}");

        private static (bool Vnet, ModelErrno? Error) Probe(FdKind kind) => kind switch
        {
            FdKind.TapWithVnetHdr => (true, null),
            FdKind.TapWithoutVnetHdr => (false, null),
            FdKind.UnattachedTun => (false, ModelErrno.EBADFD),
            _ => (false, ModelErrno.ENOTTY),
        };
    }
}
