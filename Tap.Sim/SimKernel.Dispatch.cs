using Tap.Core.Os;

namespace Tap.Sim;

public sealed partial class SimKernel
{
    /// <summary>
    /// The main loop services one fd, as <see cref="RunOnce"/> does for each ready fd, but in the order a test
    /// chooses instead of a seeded shuffle: readable first if watched and ready, then writable if still watched and
    /// ready (level-triggered, R3). A reference model can then predict the run without knowing our PRNG.
    /// Returns the number of handler calls (0, 1 or 2).
    /// </summary>
    public int Dispatch(Fd fd)
    {
        int n = fd.Number;
        if (n < 0 || n >= _watches.Length)
        {
            return 0;
        }
        int calls = 0;
        var w = _watches[n];
        if (w.Handler is not null && w.Readable && IsReadable(n))
        {
            if (RecordDataPath)
            {
                Record.Add($"dispatch readable {n}");
            }
            calls++;
            w.Handler.OnReadable();
            EndLoans();
        }
        w = _watches[n];
        if (w.Handler is not null && w.Writable && IsWritable(n))
        {
            if (RecordDataPath)
            {
                Record.Add($"dispatch writable {n}");
            }
            calls++;
            w.Handler.OnWritable();
            EndLoans();
        }
        Dispatches += calls;
        return calls;
    }
}
