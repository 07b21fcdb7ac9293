namespace Tap.Tests.Model.DataPath;

/// <summary>The bytes of the frames a workload sends: a function of a salt, so model and harness make the same ones.</summary>
public static class DataPathFrames
{
    /// <summary>A frame of <paramref name="length"/> bytes, none of them zero (so padding and stripped headers show).</summary>
    public static byte[] Make(int salt, int length)
    {
        var f = new byte[length];
        uint x = (uint)salt * 2654435761u + 12345u;
        for (int i = 0; i < length; i++)
        {
            x = x * 1103515245u + 12345u;
            f[i] = (byte)(1 + (x >> 16) % 255);
        }
        return f;
    }

    /// <summary>A 10-byte virtio-net header the host attaches to a frame (metadata the kernel reports at read time).</summary>
    public static byte[] Header(int salt) => Make(salt ^ 0x5A5A, 10);
}
