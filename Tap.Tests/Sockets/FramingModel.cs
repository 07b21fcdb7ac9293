namespace Tap.Tests.Sockets;

/// <summary>
/// An independent model of QEMU's stream framing for the tests (written from net/stream.c's description, not from
/// StreamDeframer): a whole byte stream cut into frames by index arithmetic. What a correct receiver must deliver
/// is the frames whose header and body are complete and come before the first bad header (length 0 or above
/// <see cref="MaxFrameBytes"/>).
/// </summary>
internal static class FramingModel
{
    /// <summary>NET_BUFSIZE: 4096 + 65536, QEMU's reassembly buffer.</summary>
    public const int MaxFrameBytes = 69632;

    public static byte[] Encode(IEnumerable<byte[]> frames)
    {
        var all = new List<byte>();
        foreach (var f in frames)
        {
            all.Add((byte)(f.Length >> 24));
            all.Add((byte)(f.Length >> 16));
            all.Add((byte)(f.Length >> 8));
            all.Add((byte)f.Length);
            all.AddRange(f);
        }
        return all.ToArray();
    }

    /// <summary>The frames a receiver must deliver from <paramref name="stream"/>, and whether the stream is bad
    /// (a bad header) or cut (ends inside a frame).</summary>
    public static (List<byte[]> Frames, bool BadHeader, bool Cut) Decode(byte[] stream)
    {
        var frames = new List<byte[]>();
        int i = 0;
        while (i < stream.Length)
        {
            if (stream.Length - i < 4)
            {
                return (frames, false, true);
            }
            long len = ((long)stream[i] << 24) | ((long)stream[i + 1] << 16) | ((long)stream[i + 2] << 8) | stream[i + 3];
            if (len == 0 || len > MaxFrameBytes)
            {
                return (frames, true, false);
            }
            if (stream.Length - i - 4 < len)
            {
                return (frames, false, true);
            }
            frames.Add(stream[(i + 4)..(i + 4 + (int)len)]);
            i += 4 + (int)len;
        }
        return (frames, false, false);
    }
}
