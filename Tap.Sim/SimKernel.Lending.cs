using Tap.Core.Abi;
using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <summary>What a lent frame's bytes become when the loan ends, so that a core that still used them would
    /// forward this instead of the frame, and the property tests would see it.</summary>
    public const byte PoisonByte = 0xDB;

    // Per fd number, the buffer its reads lend (as io_uring's read buffers) and the bytes now on loan (0: none).
    private readonly Dictionary<int, byte[]> _lendBuffers = new();
    private readonly Dictionary<int, int> _onLoan = new();

    /// <summary>Frames <see cref="ReadFrame"/> lent rather than copied.</summary>
    public long FramesLent { get; private set; }

    /// <summary>
    /// Lends every frame, as the io_uring path does: it is read into a buffer of the kernel's, which the next read on
    /// the fd, or the return of the handler that read it, overwrites with <see cref="PoisonByte"/>.
    /// </summary>
    public SysResult<int> ReadFrame(Fd fd, Span<byte> buffer, out ReadOnlySpan<byte> frame)
    {
        EndLoan(fd.Number);
        if (!_lendBuffers.TryGetValue(fd.Number, out var lend) || lend.Length < buffer.Length)
        {
            lend = new byte[buffer.Length];
            _lendBuffers[fd.Number] = lend;
        }
        var r = Read(fd, lend.AsSpan(0, buffer.Length));
        if (!r.Ok || r.Value <= 0)
        {
            frame = default;
            return r;
        }
        frame = lend.AsSpan(0, r.Value);
        _onLoan[fd.Number] = r.Value;
        FramesLent++;
        return r;
    }

    /// <summary>The first <paramref name="length"/> bytes of the buffer <paramref name="fd"/>'s reads lend, as they are
    /// now (for tests: what a core holding on to a lent frame would see).</summary>
    public ReadOnlySpan<byte> LendBuffer(Fd fd, int length) => _lendBuffers[fd.Number].AsSpan(0, length);

    private void EndLoan(int fdNumber)
    {
        if (_onLoan.Remove(fdNumber, out int bytes))
        {
            Poison(fdNumber, bytes);
        }
    }

    private void Poison(int fdNumber, int bytes) => _lendBuffers[fdNumber].AsSpan(0, bytes).Fill(PoisonByte);

    /// <summary>A handler returned: every frame it was lent is gone.</summary>
    private void EndLoans()
    {
        if (_onLoan.Count == 0)
        {
            return;
        }
        foreach (var (fdNumber, bytes) in _onLoan)
        {
            Poison(fdNumber, bytes);
        }
        _onLoan.Clear();
    }
}
