using Tap.Core.Net;

namespace Tap.Tests.Core;

/// <summary>A net client whose receive result the test scripts: accept, refuse (0) or fail (-1).</summary>
internal sealed class ScriptedClient : NetClient, INetCompletion
{
    public ScriptedClient(NetStack stack, NetClient? peer, string name, bool doNotPad = false)
        : base(stack, peer, "scripted", name)
    {
        _doNotPad = doNotPad;
    }

    private readonly bool _doNotPad;

    public override bool DoNotPad => _doNotPad;

    /// <summary>What <see cref="Receive"/> returns: null = the packet length.</summary>
    public int? NextResult { get; set; }

    public List<byte[]> Got { get; } = new();

    public List<(NetClient Sender, int Length)> Completed { get; } = new();

    public bool CleanedUp { get; private set; }

    /// <summary>Run inside <see cref="Receive"/>, before it answers (to change the net layer re-entrantly).</summary>
    public Action? DuringReceive { get; set; }

    public override int Receive(ReadOnlySpan<byte> packet)
    {
        DuringReceive?.Invoke();
        int r = NextResult ?? packet.Length;
        if (r > 0)
        {
            Got.Add(packet.ToArray());
        }
        return r;
    }

    public void OnSendCompleted(NetClient sender, int length) => Completed.Add((sender, length));

    protected internal override void Cleanup() => CleanedUp = true;

    public static byte[] Frame(byte tag, int length = 64)
    {
        var f = new byte[length];
        Array.Fill(f, tag);
        return f;
    }
}
