using Tap.Core.Abi;
using Tap.Linux.Interop;
using Xunit.Abstractions;

namespace Tap.Tests.Linux;

/// <summary>
/// The edge's write of a header and a body (<c>LinuxOsNet.Write</c>) puts exactly header then body on the wire,
/// whichever way it goes out: one write(2) of the two joined (up to 2048 bytes together), one write(2) of a body
/// alone, or a writev(2) of both. A stream socketpair stands in for the tap, so every byte written is read back.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class EdgeWriteOnLinuxTests(ITestOutputHelper output)
{
    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        // Header lengths: none, the short and the three the net layer uses (10, 12, 20), and both ends of 8-16.
        foreach (int head in new[] { 0, 1, 7, 8, 10, 12, 16, 17, 20 })
        {
            // Bodies: tiny, a short frame, exactly 2048 and 2049 bytes with the header, a jumbo frame.
            foreach (int body in new[] { 1, 50, 2048 - head, 2049 - head, 9000 })
            {
                data.Add(head, body);
            }
        }
        return data;
    }

    [SkippableTheory(DisplayName = "R11 edge: header then body arrive byte for byte, joined, alone or by writev")]
    [MemberData(nameof(Sizes))]
    public void HeaderThenBody(int headLength, int bodyLength)
    {
        RealKernel.Spawn(output).OnHost(rig =>
        {
            Assert.Equal(Errno.None, Libc.SocketPair(out var a, out var b));
            var writer = rig.Os.Adopt(a);
            var reader = rig.Os.Adopt(b);
            var random = new Random(headLength * 100_003 + bodyLength);
            byte[] head = new byte[headLength];
            byte[] body = new byte[bodyLength];
            random.NextBytes(head);
            random.NextBytes(body);

            var written = rig.Os.Write(writer, head, body);
            Assert.True(written.Ok, $"write failed: {written.Error}");
            Assert.Equal(headLength + bodyLength, written.Value);

            var got = new byte[headLength + bodyLength];
            int have = 0;
            while (have < got.Length)
            {
                var r = rig.Os.Read(reader, got.AsSpan(have));
                Assert.True(r.Ok && r.Value > 0, $"read after {have} of {got.Length} bytes: {r.Error}");
                have += r.Value;
            }
            Assert.Equal(head, got[..headLength]);
            Assert.Equal(body, got[headLength..]);
            rig.Os.Close(writer);
            rig.Os.Close(reader);
        });
    }
}
