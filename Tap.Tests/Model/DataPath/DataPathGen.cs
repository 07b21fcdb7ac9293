using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;

namespace Tap.Tests.Model.DataPath;

/// <summary>
/// FsCheck generators of data-path workloads: option combinations (vnet_hdr, queues, sndbuf, vhost and poll-us,
/// virtio or padding guests, a hub with several ports), then steps: host frames of every size (runts, short reads,
/// frames past NET_BUFSIZE), loop services in chosen orders, host drains (send buffer, EAGAIN), link down and up,
/// guest stalls and resumes, guest transmits, queue toggles, header negotiation, injected read and write errors,
/// netdev deletion, interface deletion under the backend, VM stop and start.
/// One case in twenty is a pile-up: a stalled guest on a hub while another port floods it past the 10 000-packet
/// queue limit (Q8).
/// </summary>
public static class DataPathGen
{
    private static Gen<ulong?> Sndbuf { get; } = Gen.Frequency(
        (5, Gen.Constant<ulong?>(null)),
        (1, Gen.Elements<ulong?>(0, 3UL << 30)),
        (4, Gen.Choose(100, 4000).Select(n => (ulong?)(ulong)n)));

    private static Gen<DataPathNetdev> Netdev(Gen<int> queues) =>
        from vnet in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from q in queues
        from sndbuf in Sndbuf
        from vhost in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from poll in Gen.Elements<uint?>(null, 0, 50, 4294967295)
        select new DataPathNetdev(vnet, q, sndbuf, vhost, vhost ? poll : null);

    private static Gen<DataPathConfig> Direct { get; } =
        from nd in Netdev(Gen.Elements(1, 2, 3))
        from virtio in Gen.ArrayOf(Gen.Elements(true, false), nd.Queues)
        select new DataPathConfig(false, ImmutableArray.Create(nd), false, virtio.ToImmutableArray());

    private static Gen<DataPathConfig> Hub { get; } =
        from n in Gen.Elements(1, 2, 3)
        from nds in Gen.ArrayOf(Netdev(Gen.Constant(1)), n)
        from guest in n == 1 ? Gen.Constant(true) : Gen.Elements(true, false)
        from virtio in Gen.Elements(true, false)
        select new DataPathConfig(true, nds.ToImmutableArray(), guest, guest ? ImmutableArray.Create(virtio) : ImmutableArray<bool>.Empty);

    private static Gen<(int Dev, int Queue)> Address(DataPathConfig c) =>
        from dev in Gen.Choose(0, c.Netdevs.Length - 1)
        from q in Gen.Choose(0, c.QueuesOf(dev) - 1)
        select (dev, q);

    private static Gen<int> Salt { get; } = Gen.Choose(0, 1 << 24);

    private static Gen<int> HostLength(bool vnet) => Gen.Frequency(
        (3, Gen.Choose(vnet ? 0 : 1, 59)),                  // padding; with a header, 0 gives a short read
        (6, Gen.Choose(60, 1514)),
        (1, Gen.Choose(1515, 69700)));                      // past NET_BUFSIZE the read is cut

    private static Gen<DataPathOp> HostSend(DataPathConfig c) =>
        from a in Address(c)
        from len in HostLength(c.Netdevs[a.Dev].VnetHdr)
        from count in len > 1514 ? Gen.Choose(1, 2) : Gen.Frequency((6, Gen.Constant(1)), (3, Gen.Choose(2, 10)), (1, Gen.Choose(11, 120)))
        from salt in Salt
        from header in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        select (DataPathOp)new DataPathOp.HostSend(a.Dev, a.Queue, len, count, salt, header);

    private static Gen<DataPathOp> Flood(DataPathConfig c) =>
        from a in Address(c)
        from rounds in Gen.Choose(1, 12)
        from len in Gen.Choose(14, 80)
        from salt in Salt
        select (DataPathOp)new DataPathOp.Flood(a.Dev, a.Queue, rounds, len, salt);

    private static Gen<DataPathOp> ServiceAll(DataPathConfig c)
    {
        int total = c.Netdevs.Sum(n => n.Queues);
        return from order in Gen.Shuffle(Enumerable.Range(0, total).ToArray())
               from twice in Gen.Elements(false, false, true)
               select (DataPathOp)new DataPathOp.ServiceAll(twice ? order.Concat(order).ToArray() : order);
    }

    private static Gen<DataPathOp> GuestTransmit(DataPathConfig c) =>
        from g in Gen.Choose(0, c.Guests - 1)
        from len in Gen.Frequency(
            (1, Gen.Choose(1, 13)),                          // runt: the kernel refuses it (EINVAL)
            (12, Gen.Choose(14, 1600)),
            (1, Gen.Choose(69600, 69700)))                   // around NET_BUFSIZE: oversize drop, or header pushes it past
        from salt in Salt
        select (DataPathOp)new DataPathOp.GuestTransmit(g, len, salt);

    private static Gen<DataPathOp> Fault(DataPathConfig c) =>
        from a in Address(c)
        from write in Gen.Elements(true, false)
        from errno in write ? Gen.Elements("EAGAIN", "EAGAIN", "EINTR", "EIO", "EINVAL") : Gen.Elements("EAGAIN", "EINTR", "EIO")
        select (DataPathOp)new DataPathOp.Fault(a.Dev, a.Queue, write, errno);

    private static Gen<DataPathOp> Negotiate(DataPathConfig c) =>
        from g in Gen.Choose(0, c.Guests - 1)
        from len in Gen.Elements(10, 12, 20)
        from mask in Gen.Frequency((3, Gen.Elements(0x1f, 0x7f, 0x0f, 0)), (2, Gen.Choose(0, 127)))
        from le in Gen.Elements(true, false)
        select (DataPathOp)new DataPathOp.Negotiate(g, len, mask, le);

    private static Gen<DataPathOp> Op(DataPathConfig c)
    {
        var choices = new List<(int, Gen<DataPathOp>)>
        {
            (22, HostSend(c)),
            (2, Flood(c)),
            (16, Address(c).Select(a => (DataPathOp)new DataPathOp.Service(a.Dev, a.Queue))),
            (10, ServiceAll(c)),
            (9, Address(c).Select(a => (DataPathOp)new DataPathOp.HostDrain(a.Dev, a.Queue))),
            (2, from dev in Gen.Choose(0, c.Netdevs.Length - 1) from up in Gen.Elements(true, false, false) select (DataPathOp)new DataPathOp.Link(dev, up)),
            (4, Address(c).Select(a => (DataPathOp)new DataPathOp.Toggle(a.Dev, a.Queue))),
            (1, from a in Address(c) from enable in Gen.Elements(true, false) select (DataPathOp)new DataPathOp.Poll(a.Dev, a.Queue, enable)),
            (4, Fault(c)),
            (1, Gen.Choose(0, c.Netdevs.Length - 1).Select(d => (DataPathOp)new DataPathOp.DeleteNetdev(d))),
            (1, Gen.Choose(0, c.Netdevs.Length - 1).Select(d => (DataPathOp)new DataPathOp.DeleteDevice(d))),
            (3, Gen.Elements(true, false).Select(r => (DataPathOp)new DataPathOp.Vm(r))),
        };
        if (c.Guests > 0)
        {
            var guest = Gen.Choose(0, c.Guests - 1);
            choices.Add((4, from g in guest from n in Gen.Choose(0, 3) select (DataPathOp)new DataPathOp.GuestRefuse(g, n)));
            choices.Add((3, from g in guest from n in Gen.Choose(1, 5) select (DataPathOp)new DataPathOp.GuestGrant(g, n)));
            choices.Add((3, guest.Select(g => (DataPathOp)new DataPathOp.GuestOpen(g))));
            choices.Add((10, GuestTransmit(c)));
            choices.Add((1, Gen.Constant((DataPathOp)new DataPathOp.DeleteNic())));
        }
        if (!c.Hub)
        {
            choices.Add((2, Negotiate(c)));
        }
        return Gen.Frequency(choices.ToArray());
    }

    private static Gen<DataPathCase> Random { get; } =
        from config in Gen.Frequency((3, Direct), (2, Hub))
        from n in Gen.Choose(1, 60)
        from ops in Gen.ListOf(Op(config), n)
        select new DataPathCase(config, ops.ToImmutableArray());

    /// <summary>A stalled guest on a hub, one tap flooding it past 10 000 queued packets while another tap takes every copy.</summary>
    private static Gen<DataPathCase> PileUp { get; } =
        from nds in Gen.ArrayOf(Netdev(Gen.Constant(1)), 2)
        from virtio in Gen.Elements(true, false)
        from rounds in Gen.Choose(201, 206)
        from len in Gen.Choose(14, 80)
        from salt in Salt
        let config = new DataPathConfig(true, ImmutableArray.Create(nds[0], nds[1] with { Sndbuf = null }), true, ImmutableArray.Create(virtio))
        from n in Gen.Choose(0, 12)
        from tail in Gen.ListOf(Op(config), n)
        select new DataPathCase(config, ImmutableArray.Create<DataPathOp>(
            new DataPathOp.GuestRefuse(0, 0), new DataPathOp.GuestTransmit(0, 64, salt), new DataPathOp.Flood(0, 0, rounds, len, salt))
            .AddRange(tail));

    public static Gen<DataPathCase> Cases { get; } = Gen.Frequency((19, Random), (1, PileUp));

    /// <summary>Shrinks by dropping steps: halves first, then one step at a time.</summary>
    private static IEnumerable<DataPathCase> Shrink(DataPathCase c)
    {
        var ops = c.Ops;
        if (ops.Length > 1)
        {
            yield return c with { Ops = ops[..(ops.Length / 2)] };
            yield return c with { Ops = ops[(ops.Length / 2)..] };
        }
        for (int i = ops.Length - 1; i >= 0; i--)
        {
            yield return c with { Ops = ops.RemoveAt(i) };
        }
    }

    public static Arbitrary<DataPathCase> Arbitrary() => Arb.From(Cases, Shrink);
}
