using System.Runtime.ExceptionServices;
using Tap.Core.Abi;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Linux;

/// <summary>
/// Runs code inside a named network namespace (<c>/run/netns/NAME</c>, as <c>ip netns add</c> makes it). Only the
/// calling thread can move, so the code runs on a dedicated thread that enters the namespace first; sockets and
/// taps opened there belong to the namespace.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Runs <paramref name="body"/> inside namespace <paramref name="name"/> and returns its result.</summary>
    public static T Run<T>(string name, Func<T> body, TimeSpan timeout)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var error = Libc.Open($"/run/netns/{name}", LibC.O_RDONLY | LibC.O_CLOEXEC, out var nsFd);
                using (nsFd)
                {
                    if (error != Errno.None)
                    {
                        throw new InvalidOperationException(
                            $"cannot open network namespace {name}: {ErrnoText.Of(error)}");
                    }
                    var entered = Libc.SetNetNs(nsFd);
                    if (entered != Errno.None)
                    {
                        throw new InvalidOperationException(
                            $"cannot enter network namespace {name}: {ErrnoText.Of(entered)}");
                    }
                }
                result = body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + name,
        };
        thread.Start();
        if (!thread.Join(timeout))
        {
            throw new TimeoutException(
                $"work in network namespace {name} did not finish in {timeout.TotalSeconds:0} s");
        }
        failure?.Throw();
        return result;
    }
}
