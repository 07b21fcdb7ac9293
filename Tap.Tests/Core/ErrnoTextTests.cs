using System.Runtime.InteropServices;
using Tap.Core.Abi;

namespace Tap.Tests.Core;

/// <summary>
/// QEMU ends its messages with glibc's strerror text, so ours must match it to the letter. The oracle is the host's
/// own C library (<see cref="Marshal.GetPInvokeErrorMessage"/> is strerror on Linux), not our table.
/// </summary>
public sealed class ErrnoTextTests
{
    public static TheoryData<Errno> Every() => new(Enum.GetValues<Errno>());

    [Theory(DisplayName = "ErrnoText: every errno reads as glibc's strerror says")]
    [MemberData(nameof(Every))]
    public void MatchesStrerror(Errno errno)
    {
        Assert.True(OperatingSystem.IsLinux(), "the oracle is glibc's strerror");
        Assert.Equal(Marshal.GetPInvokeErrorMessage((int)errno), ErrnoText.Of(errno));
    }

    [Fact(DisplayName = "ErrnoText: a number outside the table reads 'Unknown error N', as glibc's does")]
    public void Unknown()
    {
        Assert.Equal("Unknown error 4242", ErrnoText.Of((Errno)4242));
        Assert.Equal(Marshal.GetPInvokeErrorMessage(4242), ErrnoText.Of((Errno)4242));
    }
}
