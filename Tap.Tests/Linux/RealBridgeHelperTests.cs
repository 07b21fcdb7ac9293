using System.Security.Cryptography;
using Tap.Core.Backend;
using Tap.Core.Options;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// H1-H9 with the real <c>/usr/lib/qemu/qemu-bridge-helper</c> (Debian qemu-system-common): a bridge in a
/// throw-away namespace, an ACL file the test writes and removes (restoring any previous one).
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class RealBridgeHelperTests(ITestOutputHelper output)
{
    private const string HelperPath = "/usr/lib/qemu/qemu-bridge-helper";

    private RealKernel RequirePrograms() => RealKernel.Tun(output).RequireFile(HelperPath, "qemu-system-common");

    [SkippableFact(DisplayName = "H7/H8/netdev-options §5: -netdev bridge gets a working tap from the real helper: on the bridge, up, vnet header")]
    public void BridgeFromRealHelper()
    {
        var kernel = RequirePrograms();
        string br = "tnbr" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        using var acl = new BridgeAcl($"allow {br}\n");
        kernel.InNamespace((ns, rig) =>
        {
            ns.Ip("link", "add", br, "type", "bridge");
            ns.Ip("link", "set", br, "mtu", "1400");
            ns.Ip("link", "set", br, "up");
            var r = rig.InitBridge(new BridgeOptions { Id = "b0", Br = br });
            Assert.Null(r.Error);
            var tap = Assert.IsType<TapBackend>(Assert.Single(r.Created));
            Assert.Equal($"helper=(null),br={br}", tap.InfoStr);
            Assert.True(tap.HasVnetHdr);
            string name = rig.Os.TunGetIff(tap.Fd).Value.Name;
            string link = ns.Ip("-d", "link", "show", name);
            output.WriteLine(link);
            Assert.Contains($"master {br}", link, StringComparison.Ordinal);
            Assert.Contains("mtu 1400", link, StringComparison.Ordinal);
            Assert.Contains(",UP", link, StringComparison.Ordinal);              // IFF_UP (a tap reports state UNKNOWN)
            Assert.Contains("link/ether fe:", link, StringComparison.Ordinal);   // H7.6: first MAC byte 0xfe
            rig.Stack.DeleteAll();
            Assert.NotEqual(0, HostCommand.TryRun("ip", "-n", ns.Name, "link", "show", name).Code);
        });
    }

    [SkippableFact(DisplayName = "H6/B8: an ACL that denies the bridge makes the helper exit 1: 'bridge helper failed', nothing left open")]
    public void DeniedByAcl()
    {
        var kernel = RequirePrograms();
        string br = "tnbr" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        using var acl = new BridgeAcl($"allow all\ndeny {br}\n");
        kernel.InNamespace((ns, rig) =>
        {
            ns.Ip("link", "add", br, "type", "bridge");
            var r = rig.InitBridge(new BridgeOptions { Id = "b0", Br = br });
            Assert.Equal("bridge helper failed (exit code 1)", r.Error);
            Assert.Empty(rig.Stack.Clients);
        });
    }
}
