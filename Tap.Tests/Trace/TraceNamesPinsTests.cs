using System.Text;
using Tap.Core.Net;
using Tap.Trace;

namespace Tap.Tests.Trace;

/// <summary>
/// Pins of how traces name clients (docs/trace-format.md §5: netdev name and ordinal among the clients of that
/// name, never an fd), left open by the 2026-12-03 mutation run.
/// </summary>
public sealed class TraceNamesPinsTests
{
    private sealed class Client(NetStack stack, string name) : NetClient(stack, null, "test", name)
    {
        public override int Receive(ReadOnlySpan<byte> packet) => packet.Length;
    }

    [Fact(DisplayName = "Trace names: clients of one name are 0, 1, ...; one no longer in its stack is -1")]
    public void Ordinals()
    {
        var stack = new NetStack();
        var other = new Client(stack, "h0");
        var first = new Client(stack, "q");
        var second = new Client(stack, "q");
        Assert.Equal("\"h0\" 0", new StringBuilder().Client(other).ToString());
        Assert.Equal("\"q\" 0", new StringBuilder().Client(first).ToString());
        Assert.Equal("\"q\" 1", new StringBuilder().Client(second).ToString());
        Assert.Same(second, TraceNames.Find(stack, "q", 1));
        stack.Delete(other);
        Assert.Equal("\"h0\" -1", new StringBuilder().Client(other).ToString());
    }
}
