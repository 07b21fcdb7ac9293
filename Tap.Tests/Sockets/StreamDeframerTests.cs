using Tap.Core.Socket;

namespace Tap.Tests.Sockets;

/// <summary>ST5-ST7: the de-framer on its own: whole frames only, bad lengths refused, ends mid-frame visible.</summary>
public sealed class StreamDeframerTests
{
    private sealed class Sink : IFrameSink
    {
        public List<byte[]> Frames { get; } = new();

        public void OnFrame(ReadOnlySpan<byte> frame) => Frames.Add(frame.ToArray());
    }

    private static byte[] Header(uint length) =>
        new[] { (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length };

    [Fact(DisplayName = "ST6: a header announcing 0 bytes stops the stream; frames before it were delivered")]
    public void Length_zero()
    {
        var d = new StreamDeframer();
        var sink = new Sink();
        var bytes = FramingModel.Encode(new[] { new byte[] { 1, 2, 3 } }).Concat(Header(0)).Concat(new byte[] { 9 });
        Assert.Equal(DeframeResult.ZeroLength, d.Feed(bytes.ToArray(), sink));
        Assert.Equal(new[] { new byte[] { 1, 2, 3 } }, sink.Frames);
        Assert.Equal(0u, d.RejectedLength);
    }

    [Theory(DisplayName = "ST6: a header announcing more than 69632 bytes stops the stream; 69632 itself is fine")]
    [InlineData(69633u, DeframeResult.Oversize)]
    [InlineData(0xFFFFFFFFu, DeframeResult.Oversize)]
    [InlineData(69632u, DeframeResult.Ok)]
    public void Length_over_the_largest_frame(uint length, DeframeResult expected)
    {
        var d = new StreamDeframer();
        var sink = new Sink();
        Assert.Equal(expected, d.Feed(Header(length), sink));
        Assert.Empty(sink.Frames);
        if (expected == DeframeResult.Ok)
        {
            Assert.Equal(DeframeResult.Ok, d.Feed(new byte[69632], sink));
            Assert.Single(sink.Frames);
            Assert.Equal(69632, sink.Frames[0].Length);
        }
        else
        {
            Assert.Equal(length, d.RejectedLength);
        }
    }

    [Fact(DisplayName = "ST7: an end inside the header leaves a partial frame and delivers nothing")]
    public void Eof_mid_header()
    {
        var d = new StreamDeframer();
        var sink = new Sink();
        Assert.Equal(DeframeResult.Ok, d.Feed(Header(10)[..3], sink));
        Assert.True(d.MidFrame);
        Assert.Equal((3, -1), d.Progress);
        Assert.Empty(sink.Frames);
    }

    [Fact(DisplayName = "ST7: an end inside the body leaves a partial frame and delivers nothing of it")]
    public void Eof_mid_body()
    {
        var d = new StreamDeframer();
        var sink = new Sink();
        Assert.Equal(DeframeResult.Ok, d.Feed(Header(10).Concat(new byte[7]).ToArray(), sink));
        Assert.True(d.MidFrame);
        Assert.Equal((7, 10), d.Progress);
        Assert.Empty(sink.Frames);
        d.Reset();
        Assert.False(d.MidFrame);
    }

    [Fact(DisplayName = "ST5: a stream fed one byte at a time gives the same frames as fed at once")]
    public void Byte_at_a_time()
    {
        var frames = new[] { new byte[] { 1 }, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(), new byte[60] };
        var bytes = FramingModel.Encode(frames);
        var d = new StreamDeframer();
        var sink = new Sink();
        foreach (byte b in bytes)
        {
            Assert.Equal(DeframeResult.Ok, d.Feed(new[] { b }, sink));
        }
        Assert.Equal(frames, sink.Frames);
        Assert.False(d.MidFrame);
    }
}
