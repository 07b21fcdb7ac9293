using Tap.Core.Abi;
using Tap.Core.Backend;
using Tap.Core.Init;
using Tap.Core.Os;

namespace Tap.Tests.Core;

public sealed class InitHelpersTests
{
    private static readonly NetdevEnvironment CommandLine = new();

    [Theory(DisplayName = "O33: fd strings are strtol base 10 over the whole text, 0..INT_MAX")]
    [InlineData("3", 3)]
    [InlineData("+3", 3)]
    [InlineData(" 3", 3)]
    [InlineData("03", 3)]
    [InlineData("0", 0)]
    [InlineData("2147483647", int.MaxValue)]
    public void FdNumbers(string text, int expected)
    {
        var refs = new List<FdResolver.FdRef>();
        Assert.Null(FdResolver.ParseAll(CommandLine, new[] { text }, refs));
        Assert.Equal(expected, Assert.Single(refs).Number);
    }

    [Theory(DisplayName = "O33: invalid fd strings give QEMU's message")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("3 ")]
    [InlineData("0x3")]
    [InlineData("2147483648")]
    [InlineData("+")]
    public void BadFdNumbers(string text)
    {
        Assert.Equal($"Invalid file descriptor number '{text}'", FdResolver.ParseAll(CommandLine, new[] { text }, new List<FdResolver.FdRef>()));
    }

    [Fact(DisplayName = "Ours: the same fd number given twice is refused (two owners would close it twice)")]
    public void DuplicateFd() =>
        Assert.Equal("File descriptor 3 is given more than once",
            FdResolver.ParseAll(CommandLine, new[] { "3", "03" }, new List<FdResolver.FdRef>()));

    [Fact(DisplayName = "O33: from a monitor, a string starting with a non-digit is an fd name")]
    public void MonitorNames()
    {
        var refs = new List<FdResolver.FdRef>();
        Assert.Null(FdResolver.ParseAll(CommandLine with { FromMonitor = true }, new[] { "tapfd", "4" }, refs));
        Assert.True(refs[0].IsName);
        Assert.False(refs[1].IsName);
    }

    [Theory(DisplayName = "O32: fds= splits on ':'; trailing ':' adds nothing; empty text is no item")]
    [InlineData("3:4", new[] { "3", "4" })]
    [InlineData("3:4:", new[] { "3", "4" })]
    [InlineData("3::4", new[] { "3", "", "4" })]
    [InlineData(":3", new[] { "", "3" })]
    [InlineData("", new string[0])]
    [InlineData("7", new[] { "7" })]
    public void SplitFds(string text, string[] expected) => Assert.Equal(expected, TapInit.SplitFds(text));

    [Fact(DisplayName = "B5: path mode argv is [helper, --use-vnet, --fd=N, --br=<br>]")]
    public void HelperPathMode()
    {
        var launch = BridgeHelperRunner.BuildLaunch("/path/to/helper.py", "br0");
        Assert.Equal(new[] { "/path/to/helper.py", "--use-vnet", "--fd=8", "--br=br0" }, launch.Argv(8));
    }

    [Fact(DisplayName = "B5: command mode splits words, no shell; --br= is added after --fd=")]
    public void HelperCommandMode()
    {
        var launch = BridgeHelperRunner.BuildLaunch("/path/to/helper.py send-tap", "br0");
        Assert.Equal(new[] { "/path/to/helper.py", "send-tap", "--use-vnet", "--fd=8", "--br=br0" }, launch.Argv(8));
    }

    [Fact(DisplayName = "B5: command mode with --br= in the text leaves the br= option out")]
    public void HelperCommandModeWithBr()
    {
        var launch = BridgeHelperRunner.BuildLaunch("/path/to/helper.py send-tap --br=xx", "ignored");
        Assert.Equal(new[] { "/path/to/helper.py", "send-tap", "--br=xx", "--use-vnet", "--fd=8" }, launch.Argv(8));
    }

    [Fact(DisplayName = "D-19: shell syntax in a bridge name is not executed: it stays one argv item (and is refused)")]
    public void BridgeInjection()
    {
        var launch = BridgeHelperRunner.BuildLaunch("/bin/helper cmd", "x;echo INJECTED");
        Assert.Equal("--br=x;echo INJECTED", launch.Argv(5)[^1]);
        Assert.False(BridgeHelperRunner.IsValidBridgeName("x;echo INJECTED"));
    }

    [Theory(DisplayName = "D-19: bridge names are 1-15 bytes without '/', ':', blanks or control characters")]
    [InlineData("br0", true)]
    [InlineData("specbr0", true)]
    [InlineData("abcdefghijklmno", true)]
    [InlineData("abcdefghijklmnop", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a:b", false)]
    [InlineData("a b", false)]
    [InlineData("a\tb", false)]
    [InlineData("a\u0001b", false)]
    public void BridgeNames(string name, bool valid) => Assert.Equal(valid, BridgeHelperRunner.IsValidBridgeName(name));

    [Theory(DisplayName = "S5/D-27: the failure message keeps QEMU's raw wait status, then says what it means")]
    [InlineData(ChildEnd.Exited, 1, "network script /x failed with status 256 (exit code 1)")]
    [InlineData(ChildEnd.Exited, 3, "network script /x failed with status 768 (exit code 3)")]
    [InlineData(ChildEnd.Signaled, 9, "network script /x failed with status 9 (killed by signal 9)")]
    [InlineData(ChildEnd.ExecFailed, 1, "network script /x failed with status 256 (could not be run: No such file or directory)")]
    public void ScriptStatus(ChildEnd end, int code, string expected) =>
        Assert.Equal(expected, ScriptMessages.Failed("/x", new ChildOutcome(end, code, end == ChildEnd.ExecFailed ? Errno.ENOENT : Errno.None)));

    [Fact(DisplayName = "S2/D-12/D-14: spawn, wait and timeout failures are named, not spun on")]
    public void ScriptOtherFailures()
    {
        Assert.Equal("could not launch network script /x: Cannot allocate memory",
            ScriptMessages.Failed("/x", ChildOutcome.SpawnFailure(Errno.ENOMEM)));
        Assert.Equal("network script /x: could not wait for it: No child processes",
            ScriptMessages.Failed("/x", ChildOutcome.WaitFailure(Errno.ECHILD)));
        Assert.Equal("network script /x did not finish in time and was killed",
            ScriptMessages.Failed("/x", ChildOutcome.Timeout()));
        Assert.True(ChildOutcome.Exit(0).Succeeded);
        Assert.False(ChildOutcome.Signal(15).Succeeded);
    }

    [Fact(DisplayName = "linux-tun §11.3: virtio_net_hdr is 10 little-endian bytes")]
    public void VirtioHeaderLayout()
    {
        var h = new VirtioNetHeader(1, 5, 42, 1000, 34, 6);
        var bytes = new byte[10];
        h.Write(bytes);
        Assert.Equal(new byte[] { 1, 5, 42, 0, 0xe8, 3, 34, 0, 6, 0 }, bytes);
        Assert.Equal(h, VirtioNetHeader.Read(bytes));
        Assert.True(VirtioNetHeader.IsValidLength(12));
        Assert.False(VirtioNetHeader.IsValidLength(11));
    }

    [Fact(DisplayName = "Messages: errno text is glibc's strerror")]
    public void ErrnoTexts()
    {
        Assert.Equal("Inappropriate ioctl for device", ErrnoText.Of(Errno.ENOTTY));
        Assert.Equal("File descriptor in bad state", ErrnoText.Of(Errno.EBADFD));
        Assert.Equal("Bad file descriptor", ErrnoText.Of(Errno.EBADF));
        Assert.Equal("Device or resource busy", ErrnoText.Of(Errno.EBUSY));
        Assert.Equal("Argument list too long", ErrnoText.Of(Errno.E2BIG));
        Assert.Equal("Unknown error 999", ErrnoText.Of((Errno)999));
    }
}
