using System.Runtime.InteropServices;
using Tap.Core.Frontend;

namespace Tap.Linux;

/// <summary>
/// The real-host loop (epoll or io_uring), stopped by SIGINT, SIGTERM or SIGHUP. Given the <see cref="LinuxOsNet"/>
/// whose netdevs it runs, its thread takes an fd table of its own when the run starts (<see cref="OwnFdTable"/>): the
/// caller then runs the loop, and every clean-up after it, on that thread, which is what tapnet's main does.
/// </summary>
public sealed class EpollRunLoop : IRunLoop
{
    private readonly IMainLoop _loop;
    private readonly LinuxOsNet? _os;
    private bool _tableTaken;

    /// <summary>Catches the termination signals from the moment the loop exists, before any netdev is created, so a
    /// signal during start-up stops the loop as soon as it runs and the clean-up still happens (QEMU installs its
    /// handlers before it creates netdevs, too).</summary>
    public EpollRunLoop(IMainLoop loop, LinuxOsNet? os = null)
    {
        _loop = loop;
        _os = os;
        loop.StopOnTerminationSignals();
    }

    public void Run()
    {
        TakeOwnFdTable();
        _loop.Run();
    }

    public void Run(Action tick, TimeSpan interval)
    {
        TakeOwnFdTable();
        _loop.Run(tick, interval);
    }

    /// <summary>Once: a second unshare would close, in the shared table, numbers only the loop's table had.</summary>
    private void TakeOwnFdTable()
    {
        if (_os is null || _tableTaken)
        {
            return;
        }
        _tableTaken = true;
        _ = OwnFdTable.Take(_os.OwnedFdNumbers); // a failure leaves the shared table: slower, still correct
    }

    public void RequestStop() => _loop.RequestStop();

    public int? StopSignal => _loop.StopSignal switch
    {
        null => null,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        var other => (int)other,
    };
}
