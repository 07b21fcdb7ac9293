using System.Buffers.Binary;
using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <summary>
    /// The simulated monotonic clock, in nanoseconds. It moves only when a test moves it (<see cref="AdvanceTime"/>),
    /// by <see cref="NsPerIteration"/> each loop iteration, or to the next timer when the loop has nothing else to
    /// do, so a run is the same for a seed whatever the host does. Starts at one second, as a real clock never reads
    /// 0 either.
    /// </summary>
    public long NowNs { get; private set; } = 1_000_000_000;

    /// <summary>Nanoseconds each <see cref="RunOnce"/> adds to the clock (0: time stands still while work is
    /// done).</summary>
    public long NsPerIteration { get; set; }

    /// <summary>Times the clock was read (tests check that a run without rate limits reads none).</summary>
    public long ClockReads { get; private set; }

    /// <summary>Moves the clock on by <paramref name="ns"/> (not back).</summary>
    public void AdvanceTime(long ns) => NowNs += Math.Max(0, ns);

    /// <inheritdoc/>
    public long ClockMonotonicNs()
    {
        ClockReads++;
        if (RecordDataPath)
        {
            Record.Add(KernelCalls.Line(KernelCalls.ClockMonotonic(), KernelCalls.Result(NowNs)));
        }
        return NowNs;
    }

    /// <inheritdoc/>
    public SysResult<Fd> TimerFdCreate() =>
        Log(KernelCalls.TimerFdCreate(), (SysResult<Fd>)Allocate(new SimFile.Timer()));

    /// <inheritdoc/>
    public SysResult TimerFdSetTime(Fd fd, long dueNs)
    {
        if (_fds.GetValueOrDefault(fd.Number) is not SimFile.Timer timer)
        {
            return Log(KernelCalls.TimerFdSetTime(fd, dueNs), _fds.ContainsKey(fd.Number) ? Errno.EINVAL : Errno.EBADF);
        }
        if (dueNs < 0)
        {
            return Log(KernelCalls.TimerFdSetTime(fd, dueNs), Errno.EINVAL);
        }
        // Setting the time resets the expiry count, as fs/timerfd.c does.
        timer.DueNs = dueNs;
        timer.Expired = false;
        return Log(KernelCalls.TimerFdSetTime(fd, dueNs), SysResult.Success);
    }

    private bool TimerExpired(SimFile.Timer timer)
    {
        if (!timer.Expired && timer.DueNs != 0 && timer.DueNs <= NowNs)
        {
            timer.Expired = true;
            timer.DueNs = 0;
        }
        return timer.Expired;
    }

    private SysResult<int> ReadTimer(Fd fd, SimFile.Timer timer, Span<byte> buffer)
    {
        const int ExpiryBytes = 8;
        SysResult<int> r;
        if (buffer.Length < ExpiryBytes)
        {
            r = Errno.EINVAL;
        }
        else if (!TimerExpired(timer))
        {
            r = Errno.EAGAIN;
        }
        else
        {
            timer.Expired = false;
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, 1);
            r = ExpiryBytes;
        }
        return LogRead(fd, buffer, r);
    }

    /// <summary>
    /// When a watched timer is armed, moves the clock to the earliest one and returns true; false when none is.
    /// </summary>
    private bool JumpToNextTimer()
    {
        long earliest = long.MaxValue;
        for (int fd = 0; fd < _watches.Length; fd++)
        {
            if (_watches[fd] is { Handler: not null, Readable: true }
                && _fds.GetValueOrDefault(fd) is SimFile.Timer { DueNs: > 0 } t && t.DueNs < earliest)
            {
                earliest = t.DueNs;
            }
        }
        if (earliest == long.MaxValue)
        {
            return false;
        }
        NowNs = Math.Max(NowNs, earliest);
        return true;
    }
}
