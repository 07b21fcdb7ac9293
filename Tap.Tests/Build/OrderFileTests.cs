using System.Reflection;
using System.Xml.Linq;
using Tap.Core.Backend;
using Tap.Core.Net;
using Tap.Linux;
using Tap.Tests.Docs;
using Xunit;

namespace Tap.Tests.Build;

/// <summary>
/// The NativeAOT order file (README, Performance, peak RSS): the build must use it, and it must still name the
/// packet path. A rename leaves the list stale (the compiler ignores names it does not find) and the peak RSS
/// creeps back above 10 MiB without any error; these facts catch that at once. Fix: sudo bash scripts/order-file.sh.
/// </summary>
public sealed class OrderFileTests
{
    private static readonly string Root = RepoFiles.Root();

    [Fact(DisplayName = "Tap.Cli.csproj hands the NativeAOT compiler Tap.Cli/tapnet.order")]
    public void ProjectUsesTheOrderFile()
    {
        var project = XDocument.Load(Path.Combine(Root, "Tap.Cli", "Tap.Cli.csproj"));
        var setting = project.Descendants("IlcOrderFile").Select(e => e.Value.Trim()).ToList();

        Assert.Equal(["$(MSBuildThisFileDirectory)tapnet.order"], setting);
    }

    [Fact(DisplayName = "tapnet.order names the packet path's functions as the NativeAOT compiler spells them")]
    public void OrderFileNamesThePacketPath()
    {
        var names = File.ReadAllLines(Path.Combine(Root, "Tap.Cli", "tapnet.order")).ToHashSet(StringComparer.Ordinal);
        // The compiler's symbol for a method: its assembly, then its type's full name, dots as underscores, then
        // two underscores and the method (Tap.Core's TapBackend.OnReadable is
        // Tap_Core_Tap_Core_Backend_TapBackend__OnReadable).
        (Type Type, string Method)[] hot =
        [
            (typeof(TapBackend), nameof(TapBackend.OnReadable)),
            (typeof(NetHub), nameof(NetHub.Forward)),
            (typeof(NetHub), nameof(NetHub.CanReceiveOn)),
            (typeof(LinuxOsNet), nameof(LinuxOsNet.ReadFrame)),
            (typeof(LinuxOsNet), nameof(LinuxOsNet.Write)),
            (typeof(EpollLoop), nameof(EpollLoop.RunOnce)),
        ];

        var missing = hot.Select(h => Symbol(h.Type, h.Method)).Where(s => !names.Contains(s)).ToList();

        Assert.True(missing.Count == 0,
            $"Tap.Cli/tapnet.order lacks {string.Join(", ", missing)}: regenerate it with sudo bash scripts/order-file.sh");
        Assert.True(names.Count > 1000, $"Tap.Cli/tapnet.order names {names.Count} functions; a forwarding run executes"
            + " over a thousand");
    }

    [Fact(DisplayName = "tapnet.order names io_uring's packet path too, after what both data paths run and epoll's own")]
    public void OrderFileNamesTheUringPathAfterTheSharedOne()
    {
        // Listed only from an epoll run, the io_uring loop's functions lay spread over the binary and a forwarding
        // tapnet-uring mapped 1.1 MiB more of it (README, Performance, peak RSS). order-file.sh lists what both paths
        // run, then epoll's own, then io_uring's, so that each maps little of the other's.
        var lines = File.ReadAllLines(Path.Combine(Root, "Tap.Cli", "tapnet.order"));
        int At(Type type, string method)
        {
            string symbol = Symbol(type, method);
            int at = Array.IndexOf(lines, symbol);
            Assert.True(at >= 0, $"Tap.Cli/tapnet.order lacks {symbol}: regenerate it with sudo bash scripts/order-file.sh");
            return at;
        }

        int shared = At(typeof(TapBackend), nameof(TapBackend.OnReadable));
        int epoll = At(typeof(EpollLoop), nameof(EpollLoop.RunOnce));
        int[] uring =
        [
            At(typeof(UringLoop), nameof(UringLoop.RunOnce)),
            At(typeof(UringLoop), "Reap"),
            At(typeof(UringLoop), "DispatchLocked"),
            At(typeof(UringLoop), nameof(UringLoop.Write)),
            At(typeof(UringLoop), "Lend"),
        ];

        Assert.True(shared < epoll, $"TapBackend.OnReadable (line {shared + 1}) should come before the epoll loop's"
            + $" own functions (EpollLoop.RunOnce, line {epoll + 1})");
        Assert.True(uring.Min() > epoll, $"io_uring's functions (from line {uring.Min() + 1}) should come after epoll's"
            + $" own (EpollLoop.RunOnce, line {epoll + 1})");
    }

    private static string Symbol(Type type, string method)
    {
        Assert.NotNull(type.GetMethod(method, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public
            | BindingFlags.NonPublic));
        string assembly = type.Assembly.GetName().Name!.Replace('.', '_');
        return $"{assembly}_{type.FullName!.Replace('.', '_')}__{method}";
    }
}
