using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Tap.Core.Abi;
using Tap.Linux;
using Tap.Linux.Interop;
using Tmds.Linux;

namespace Tap.Tests.Linux;

/// <summary>
/// A throw-away network namespace <c>tapnet-&lt;random&gt;</c>. <see cref="Run"/> executes code on a dedicated
/// thread moved into it with setns(CLONE_NEWNET) (only that thread moves), so taps opened there, and children
/// spawned from there, live in the namespace. Deleted on Dispose, also after a failure; its taps go with it.
/// </summary>
internal sealed class TestNetns : IDisposable
{
    /// <summary>Bound on one body run in the namespace; tests here take well under a second.</summary>
    private static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(60);

    private TestNetns(string name) => Name = name;

    public string Name { get; }

    public static TestNetns Create()
    {
        var name = "tapnet-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        HostCommand.Run("ip", "netns", "add", name);
        var ns = new TestNetns(name);
        // The kernel sends IPv6 router solicitations into a tap that comes up (linux-tun.md §9); turn IPv6 off so
        // only our frames travel.
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /// <summary><c>ip -n NAME args</c>.</summary>
    public string Ip(params string[] args) => HostCommand.Run("ip", ["-n", Name, .. args]);

    /// <summary>
    /// Waits until a socket in this namespace listens on <paramref name="proto"/> (<c>udp</c> or <c>tcp</c>) port
    /// <paramref name="port"/>: a receiver started on another thread is ready once it has bound, not after a delay.
    /// </summary>
    public void WaitListening(string proto, int port, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        while (Exec("ss", "-Hln", proto == "udp" ? "-u" : "-t", "sport", "=", ":" + portText).Trim().Length == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nothing listened on {proto} port {port} in namespace {Name} within {limit.TotalSeconds} s");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>True when interface <paramref name="name"/> exists in this namespace.</summary>
    public bool HasLink(string name) => HostCommand.TryRun("ip", "-n", Name, "link", "show", name).Code == 0;

    /// <summary><c>ip netns exec NAME args</c>.</summary>
    public string Exec(params string[] args) => HostCommand.Run("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Runs <paramref name="body"/> on a new thread inside the namespace and returns its result.</summary>
    public T Run<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var error = Libc.Open($"/run/netns/{Name}", LibC.O_RDONLY | LibC.O_CLOEXEC, out var nsFd);
                using (nsFd)
                {
                    Assert.Equal(Errno.None, error);
                    Assert.Equal(Errno.None, Libc.SetNetNs(nsFd));
                }
                result = body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        if (!thread.Join(BodyTimeout))
        {
            throw new TimeoutException("test body in the namespace did not finish");
        }
        failure?.Throw();
        return result;
    }

    public void Run(Action body) => Run(() =>
    {
        body();
        return 0;
    });

    public void Dispose() => HostCommand.TryRun("ip", "netns", "del", Name);
}
