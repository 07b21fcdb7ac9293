namespace Tap.Tests.Model.DataPath;

/// <summary>
/// Which steps do nothing because what they address is gone: the host cannot send into, drain or configure an
/// interface that no longer exists, and a deleted netdev has no queue to toggle or delete again. Model and harness
/// apply the same rule to their own state.
/// </summary>
public static class DataPathSkip
{
    public static bool Skipped(DataPathOp op, Func<int, bool> deviceGone, Func<int, bool> netdevGone) => op switch
    {
        DataPathOp.HostSend s => deviceGone(s.Dev),
        DataPathOp.Flood f => deviceGone(f.Dev),
        DataPathOp.HostDrain d => deviceGone(d.Dev),
        DataPathOp.Link l => deviceGone(l.Dev),
        DataPathOp.DeleteDevice d => deviceGone(d.Dev),
        DataPathOp.Toggle t => netdevGone(t.Dev),
        DataPathOp.DeleteNetdev d => netdevGone(d.Dev),
        _ => false,
    };
}
