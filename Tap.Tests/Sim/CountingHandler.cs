using Tap.Core.Os;

namespace Tap.Tests.Sim;

/// <summary>A watcher that only counts the readiness calls it gets.</summary>
internal sealed class CountingHandler : IFdHandler
{
    public int Readable { get; private set; }

    public int Writable { get; private set; }

    public void OnReadable() => Readable++;

    public void OnWritable() => Writable++;
}
