using System.Buffers.Binary;
using Tap.Core.Abi;

namespace Tap.Core.Socket;

/// <summary>
/// Reassembles QEMU's stream framing (ST5): a 4-byte big-endian length, then that many bytes of frame, repeated,
/// split across reads anywhere. A frame is handed on only when whole; a header that announces 0 bytes or more
/// than <see cref="MaxFrameBytes"/> stops the stream (ST6) instead of being delivered or buffered. No allocation
/// after construction.
/// </summary>
public sealed class StreamDeframer
{
    /// <summary>Bytes of the length header.</summary>
    public const int HeaderBytes = 4;

    /// <summary>
    /// The largest frame a stream may announce: QEMU's reassembly buffer (NET_BUFSIZE), which the net layer also
    /// refuses to exceed (Q6).
    /// </summary>
    public const int MaxFrameBytes = NetLimits.NetBufSizeBytes;

    private readonly byte[] _header = new byte[HeaderBytes];
    private readonly byte[] _frame = new byte[MaxFrameBytes];
    private int _headerHave;
    private int _frameLength = -1;
    private int _frameHave;

    /// <summary>True while part of a header or frame is held: an end of stream now cuts a frame (ST7).</summary>
    public bool MidFrame => _headerHave > 0 || _frameLength >= 0;

    /// <summary>Bytes of the current frame received so far, and its announced length (-1: in the header).</summary>
    public (int Have, int Length) Progress => _frameLength < 0 ? (_headerHave, -1) : (_frameHave, _frameLength);

    /// <summary>The announced length that made <see cref="Feed"/> fail, for the warning.</summary>
    public uint RejectedLength { get; private set; }

    /// <summary>Forgets any partial frame (a new connection starts clean).</summary>
    public void Reset()
    {
        _headerHave = 0;
        _frameLength = -1;
        _frameHave = 0;
    }

    /// <summary>Consumes <paramref name="data"/>, handing every completed frame to <paramref name="sink"/>.</summary>
    public DeframeResult Feed(ReadOnlySpan<byte> data, IFrameSink sink)
    {
        while (!data.IsEmpty)
        {
            if (_frameLength < 0)
            {
                int n = Math.Min(HeaderBytes - _headerHave, data.Length);
                data[..n].CopyTo(_header.AsSpan(_headerHave));
                _headerHave += n;
                data = data[n..];
                if (_headerHave < HeaderBytes)
                {
                    break;
                }
                uint length = BinaryPrimitives.ReadUInt32BigEndian(_header);
                _headerHave = 0;
                if (length == 0 || length > MaxFrameBytes)
                {
                    // Nothing of a frame is held: the header was just consumed and no length taken.
                    RejectedLength = length;
                    return length == 0 ? DeframeResult.ZeroLength : DeframeResult.Oversize;
                }
                _frameLength = (int)length;
                _frameHave = 0;
                continue;
            }

            if (_frameHave == 0 && data.Length >= _frameLength)
            {
                // The whole frame is in this read: hand it on from there, no copy (the sink is done with it on
                // return; a queued frame is copied by the send queue).
                int whole = _frameLength;
                _frameLength = -1;
                sink.OnFrame(data[..whole]);
                data = data[whole..];
                continue;
            }

            int take = Math.Min(_frameLength - _frameHave, data.Length);
            data[..take].CopyTo(_frame.AsSpan(_frameHave));
            _frameHave += take;
            data = data[take..];
            if (_frameHave == _frameLength)
            {
                int len = _frameLength;
                _frameLength = -1;
                _frameHave = 0;
                sink.OnFrame(_frame.AsSpan(0, len));
            }
        }
        return DeframeResult.Ok;
    }
}
