using Tap.Core.Abi;
using Tap.Core.Os;
using Tap.Linux.Interop;

namespace Tap.Linux;

public sealed partial class LinuxOsNet
{
    /// <inheritdoc/>
    public long ClockMonotonicNs() => Libc.MonotonicNs();

    /// <inheritdoc/>
    public SysResult<Fd> TimerFdCreate()
    {
        var error = Libc.TimerFdCreate(out var handle);
        return error == Errno.None ? _fds.Add(handle) : error;
    }

    /// <inheritdoc/>
    public SysResult TimerFdSetTime(Fd fd, long dueNs)
    {
        if (dueNs < 0)
        {
            return Errno.EINVAL;
        }
        var handle = _fds.Get(fd);
        return handle.Ok ? Libc.TimerFdSetTime(handle.Value, dueNs) : handle.Error;
    }
}
