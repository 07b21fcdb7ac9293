using Tap.Core.Socket;

namespace Tap.Fuzz.Targets;

/// <summary>
/// The stream de-framer (docs/stream-dgram.md#ST5): input byte 0 seeds how the rest is split into reads; the rest
/// is the byte stream. Checks against a reference decode of the whole stream at once: the same frames, whole and
/// in order; a stop exactly when the reference meets a header of 0 or more than 69632; a partial frame held exactly
/// when the reference ends inside one.
/// </summary>
public sealed class StreamDeframerTarget : IFuzzTarget
{
    private const int MaxFrameBytes = 69632;

    public string Name => "stream-deframer";

    public string Description => "4-byte big-endian length framing, split into reads at random, against a reference";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }
        uint split = input[0] * 2654435761u + 1;
        var stream = input[1..];
        var (expected, bad, cut) = Reference(stream);

        var deframer = new StreamDeframer();
        var sink = new Sink();
        var result = DeframeResult.Ok;
        int at = 0;
        while (at < stream.Length && result == DeframeResult.Ok)
        {
            split = split * 1103515245 + 12345;
            int n = Math.Min(stream.Length - at, 1 + (int)(split >> 16) % 300);
            result = deframer.Feed(stream.Slice(at, n), sink);
            at += n;
        }

        FuzzFindingException.Check(sink.Frames.Count == expected.Count,
            $"{sink.Frames.Count} frames delivered, the reference has {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            FuzzFindingException.Check(sink.Frames[i].AsSpan().SequenceEqual(expected[i]), $"frame {i} differs");
        }
        FuzzFindingException.Check((result != DeframeResult.Ok) == bad, $"result {result}, reference bad={bad}");
        FuzzFindingException.Check(bad || deframer.MidFrame == cut, $"mid-frame {deframer.MidFrame}, cut={cut}");
    }

    private static (List<byte[]> Frames, bool Bad, bool Cut) Reference(ReadOnlySpan<byte> s)
    {
        var frames = new List<byte[]>();
        int i = 0;
        while (i < s.Length)
        {
            if (s.Length - i < 4)
            {
                return (frames, false, true);
            }
            long len = ((long)s[i] << 24) | ((long)s[i + 1] << 16) | ((long)s[i + 2] << 8) | s[i + 3];
            if (len == 0 || len > MaxFrameBytes)
            {
                return (frames, true, false);
            }
            if (s.Length - i - 4 < len)
            {
                return (frames, false, true);
            }
            frames.Add(s.Slice(i + 4, (int)len).ToArray());
            i += 4 + (int)len;
        }
        return (frames, false, false);
    }

    private sealed class Sink : IFrameSink
    {
        public List<byte[]> Frames { get; } = new();

        public void OnFrame(ReadOnlySpan<byte> frame) => Frames.Add(frame.ToArray());
    }
}
