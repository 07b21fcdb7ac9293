using System.Text;

namespace Tap.Sim.Scenarios;

/// <summary>
/// What a data-path run does, as weights: how often each <see cref="DataPathOp"/> is picked and which frame sizes
/// the host sends. The default shape is the hand-tuned mix; a swarm seed draws its own (TigerBeetle's swarm
/// testing), so that some runs never drain, some never refuse, some flood with runts.
/// </summary>
public sealed class WorkloadShape
{
    private readonly int[] _opWeights;
    private readonly int[] _sizeWeights;
    private readonly int _opTotal;
    private readonly int _sizeTotal;

    private WorkloadShape(int[] opWeights, int[] sizeWeights, Ratio guestRunt)
    {
        _opWeights = opWeights;
        _sizeWeights = sizeWeights;
        _opTotal = opWeights.Sum();
        _sizeTotal = sizeWeights.Sum();
        GuestRunt = guestRunt;
    }

    /// <summary>The hand-tuned mix (weights per 100 steps), without link flaps or VM pauses.</summary>
    public static WorkloadShape Default { get; } = new(
        [30, 25, 15, 10, 4, 4, 4, 5, 3, 0, 0],
        [3, 5, 1, 1],
        new Ratio(1, 10));

    /// <summary>
    /// A swarm shape: each op off with 1 in 4 (the main loop never: a run that never reads is a run that tests
    /// nothing but the drop counters; and never both kinds of traffic), else a weight of 1-39; link flaps and VM
    /// pauses rarer (1-4); a size mix of its own.
    /// </summary>
    public static WorkloadShape Swarm(SimRandom random)
    {
        var ops = new int[Enum.GetValues<DataPathOp>().Length];
        for (int i = 0; i < ops.Length; i++)
        {
            var op = (DataPathOp)i;
            bool rare = op is DataPathOp.LinkFlap or DataPathOp.VmPause;
            ops[i] = op != DataPathOp.RunLoop && random.Chance(new Ratio(1, 4)) ? 0 : random.Next(1, rare ? 5 : 40);
        }
        if (ops[(int)DataPathOp.HostSend] == 0 && ops[(int)DataPathOp.GuestTransmit] == 0)
        {
            ops[(int)DataPathOp.HostSend] = random.Next(1, 40);   // a run with no traffic at all checks nothing
        }
        var sizes = new int[4];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = random.Next(0, 10);
        }
        if (sizes.Sum() == 0)
        {
            sizes[1] = 1;
        }
        return new WorkloadShape(ops, sizes, new Ratio(random.Next(0, 5), 10));
    }

    /// <summary>How often a guest frame is a runt (shorter than an Ethernet header: the kernel says EINVAL).</summary>
    public Ratio GuestRunt { get; }

    /// <summary>The weight of <paramref name="op"/>.</summary>
    public int Weight(DataPathOp op) => _opWeights[(int)op];

    /// <summary>Picks the next op.</summary>
    public DataPathOp NextOp(SimRandom random) => (DataPathOp)Pick(_opWeights, random.Next(_opTotal));

    /// <summary>
    /// Picks a frame-size class: 0 short (padding, short reads), 1 normal, 2 jumbo, 3 past NET_BUFSIZE.
    /// </summary>
    public int NextSizeClass(SimRandom random) => Pick(_sizeWeights, random.Next(_sizeTotal));

    private static int Pick(int[] weights, int x)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            if (x < weights[i])
            {
                return i;
            }
            x -= weights[i];
        }
        throw new InvalidOperationException("weights do not add up");
    }

    /// <summary><c>ops HostSend=30,RunLoop=25,... sizes short=3,normal=5,jumbo=1,oversize=1 runts=1/10</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("ops ");
        foreach (var op in Enum.GetValues<DataPathOp>())
        {
            sb.Append(op).Append('=').Append(Weight(op)).Append(op == DataPathOp.VmPause ? "" : ",");
        }
        sb.Append($" sizes short={_sizeWeights[0]},normal={_sizeWeights[1]},jumbo={_sizeWeights[2]}")
            .Append($",oversize={_sizeWeights[3]} runts={GuestRunt}");
        return sb.ToString();
    }
}
