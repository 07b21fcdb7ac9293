using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// The skeleton every real-kernel test shares, in one place: the gate (<see cref="LinuxTestGate"/>: fails under
/// <c>CI=true</c>, skipped elsewhere), an fd census, a throw-away namespace, a <see cref="LinuxHost"/>, and the leak check.
/// Gates run when called, in the order written, so a test reads
/// <c>RealKernel.Tun(output).RequireFile(...).InNamespace((ns, rig) =&gt; ...)</c>.
/// </summary>
/// <remarks>
/// The leak check runs only after the body and the namespace's removal succeeded: a failing body keeps its own
/// exception, and the namespace (with its taps) and the rig are removed on the way out either way.
/// </remarks>
internal sealed class RealKernel
{
    private readonly ITestOutputHelper _output;

    private RealKernel(ITestOutputHelper output) => _output = output;

    /// <summary>Root, Linux, <c>/dev/net/tun</c> and the <c>ip</c> tool (<see cref="LinuxTestGate.RequireTun"/>).
    /// </summary>
    public static RealKernel Tun(ITestOutputHelper output)
    {
        LinuxTestGate.RequireTun(output);
        return new RealKernel(output);
    }

    /// <summary>Linux and root, without TUN (<see cref="LinuxTestGate.RequireSpawn"/>).</summary>
    public static RealKernel Spawn(ITestOutputHelper output)
    {
        LinuxTestGate.RequireSpawn(output);
        return new RealKernel(output);
    }

    /// <summary>A program or file the test drives, after the gates before it.</summary>
    public RealKernel RequireFile(string path, string package)
    {
        LinuxTestGate.RequireFile(_output, path, package);
        return this;
    }

    /// <summary>Runs <paramref name="body"/> on the test thread; afterwards no fd of ours is left open.</summary>
    public T NoLeak<T>(Func<T> body)
    {
        var before = FdCensus.Take();
        T result = body();
        FdCensus.AssertNoLeak(before);
        return result;
    }

    /// <inheritdoc cref="NoLeak{T}(Func{T})"/>
    public void NoLeak(Action body) => NoLeak(() =>
    {
        body();
        return 0;
    });

    /// <summary>
    /// Runs <paramref name="body"/> with a fresh <see cref="LinuxHost"/> on the test thread (no namespace: nothing here
    /// may touch a network); afterwards no fd of ours is left open.
    /// </summary>
    public void OnHost(Action<LinuxHost> body, TimeSpan? childTimeout = null) => NoLeak(() =>
    {
        using var rig = new LinuxHost(childTimeout);
        body(rig);
    });

    /// <summary>
    /// Runs <paramref name="body"/> on a thread inside a fresh namespace (<see cref="TestNetns"/>) with a fresh
    /// <see cref="LinuxHost"/> made there, so its taps and children live in the namespace; deletes the namespace; then
    /// no fd of ours is left open.
    /// </summary>
    public T InNamespace<T>(Func<TestNetns, LinuxHost, T> body, TimeSpan? childTimeout = null) => NoLeak(() =>
    {
        using var ns = TestNetns.Create();
        return ns.Run(() =>
        {
            using var rig = new LinuxHost(childTimeout);
            return body(ns, rig);
        });
    });

    /// <inheritdoc cref="InNamespace{T}(Func{TestNetns, LinuxHost, T}, TimeSpan?)"/>
    public void InNamespace(Action<TestNetns, LinuxHost> body, TimeSpan? childTimeout = null) => InNamespace((ns, rig) =>
    {
        body(ns, rig);
        return 0;
    }, childTimeout);
}
