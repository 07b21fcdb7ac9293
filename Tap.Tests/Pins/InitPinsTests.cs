using System.Reflection;
using Tap.Core.Abi;
using Tap.Core.Init;
using Tap.Core.Net;
using Tap.Core.Options;
using Tap.Core.Os;
using Tap.Sim;

namespace Tap.Tests.Pins;

/// <summary>
/// Init paths the simulated kernel cannot reach by itself: making an fd non-blocking fails (the sim only fails it
/// for a closed fd). A proxy passes every call to the kernel and fails the n-th <c>SetNonBlocking</c> with EAGAIN.
/// </summary>
public sealed class InitPinsTests
{
    public class NonBlockingFails : DispatchProxy
    {
        private IOsNet _inner = null!;
        private int _failAt;
        private int _calls;

        public static IOsNet Wrap(IOsNet inner, int failAt)
        {
            var p = Create<IOsNet, NonBlockingFails>();
            var self = (NonBlockingFails)(object)p;
            self._inner = inner;
            self._failAt = failAt;
            return p;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IOsNet.SetNonBlocking) && ++_calls == _failAt)
            {
                return (SysResult)Errno.EAGAIN;
            }
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    [Fact(DisplayName = "tap open: O_NONBLOCK refused → 'Failed to set FD nonblocking: <err>', fd closed, no device")]
    public void TapFdNonBlockingFails()
    {
        var k = new SimKernel(9);
        var stack = new NetStack();
        var r = TapInit.Run(stack, NonBlockingFails.Wrap(k, 1), new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no" });
        Assert.Equal("Failed to set FD nonblocking: Resource temporarily unavailable", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(k.Devices);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "vhost=on: O_NONBLOCK on vhost-net refused → 'Failed to set FD nonblocking: <err>', all shut")]
    public void VhostFdNonBlockingFails()
    {
        var k = new SimKernel(9) { VhostPresent = true };
        var stack = new NetStack();
        var r = TapInit.Run(stack, NonBlockingFails.Wrap(k, 2), new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no", Vhost = true });
        Assert.Equal("Failed to set FD nonblocking: Resource temporarily unavailable", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(k.Devices);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "bridge: O_NONBLOCK on the received fd refused → 'Failed to set FD nonblocking: <err>'")]
    public void ReceivedFdNonBlockingFails()
    {
        var k = new SimKernel(9);
        k.Helpers["/h"] = SimHelper.SendsTap();
        var stack = new NetStack();
        var r = BridgeInit.Run(stack, NonBlockingFails.Wrap(k, 1), new NetdevEnvironment(),
            new BridgeOptions { Id = "b0", Helper = "/h", Br = "br0" });
        Assert.Equal("Failed to set FD nonblocking: Resource temporarily unavailable", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(k.Devices);
        Assert.Empty(stack.Clients);
    }

    [Fact(DisplayName = "D-16 bridge: TUNSETVNETHDRSZ refused → its message, the new client deleted and its fd closed")]
    public void BridgeVnetHdrSizeRefused()
    {
        var k = new SimKernel(9) { VnetHdrSzError = Errno.EINVAL };
        k.Helpers["/h"] = SimHelper.SendsTap();
        var stack = new NetStack();
        var r = BridgeInit.Run(stack, k, new NetdevEnvironment(),
            new BridgeOptions { Id = "b0", Helper = "/h", Br = "br0" });
        Assert.Equal("TUNSETVNETHDRSZ ioctl() failed: Invalid argument.", r.Error);
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }

    private sealed record UnknownOptions : NetdevOptions
    {
        public override string Type => "odd";
    }

    [Fact(DisplayName = "An options type with no backend is a programming error that names the type")]
    public void UnknownTypeNamed()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            NetdevFactory.Create(new NetStack(), new SimKernel(9), new NetdevEnvironment(),
                new UnknownOptions { Id = "x" }));
        Assert.StartsWith("no backend for netdev type 'odd'", e.Message);
    }

    [Fact(DisplayName = "vhostfd=N whose vhost init fails: N is closed once (the queue closes it; init does not)")]
    public void GivenVhostFdClosedOnce()
    {
        var k = new SimKernel(9) { VhostPresent = true, VhostInitFailsFrom = 0 };
        int vhost = k.OpenVhostNet().Value.Number;
        var log = new Tap.Tests.Properties.DataPath.KernelCallLog(k);
        var stack = new NetStack();
        var r = TapInit.Run(stack, log, new NetdevEnvironment(),
            new TapOptions { Id = "t0", Script = "no", Downscript = "no", Vhostfd = vhost.ToString() });
        Assert.Equal("vhost-net requested but could not be initialized", r.Error);
        Assert.Single(log.Calls, c => c.StartsWith($"close({vhost})"));
        Assert.Equal(new[] { 0, 1, 2 }, k.OpenFds);
        Assert.Empty(stack.Clients);
    }
}
