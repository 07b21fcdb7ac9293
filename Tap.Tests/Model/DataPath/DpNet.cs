namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The model's net layer (net-queue.md Q4-Q18): sending, the per-receiver queues, flush, purge and deletion.
/// </summary>
public sealed class DpNet
{
    /// <summary>NET_BUFSIZE (Q17): a larger packet is dropped by the sender's net layer (Q6).</summary>
    public const int NetBufSizeBytes = 69632;

    /// <summary>A queue without completions takes at most 10000 packets (Q8).</summary>
    public const int QueueLimitWithoutCallback = 10000;

    /// <summary>Live clients in creation order.</summary>
    public List<DpClient> Clients { get; } = new();

    /// <summary>Every client ever created, for the drop counters.</summary>
    public List<DpClient> Everyone { get; } = new();

    /// <summary>Q5: while the VM is stopped every send is queued.</summary>
    public bool VmRunning { get; private set; } = true;

    public void Add(DpClient client, DpClient? peer)
    {
        if (peer is not null)
        {
            client.Peer = peer;
            peer.Peer = client;
        }
        Clients.Add(client);
        Everyone.Add(client);
    }

    /// <summary>Q6 (R23): no peer → reported as sent and lost; too large → -1; else queue_send.</summary>
    public int SendAsync(DpClient s, byte[] packet, bool wantsCompletion)
    {
        if (s.LinkDown || s.Peer is null)
        {
            s.Drop("NoPeer");
            return packet.Length;
        }
        if (packet.Length > NetBufSizeBytes)
        {
            s.Drop("Oversize");
            return -1;
        }
        return QueueSend(s.Peer, s, packet, wantsCompletion);
    }

    /// <summary>Q7.</summary>
    private int QueueSend(DpClient receiver, DpClient sender, byte[] packet, bool wantsCompletion)
    {
        if (receiver.Delivering || !CanSend(sender))
        {
            Append(receiver, sender, packet, wantsCompletion);
            return 0;
        }
        int res = Deliver(receiver, sender, packet);
        if (res == 0)
        {
            Append(receiver, sender, packet, wantsCompletion);
            return 0;
        }
        Flush(receiver);
        return res;
    }

    /// <summary>Q5.</summary>
    public static bool CanSend(DpClient s) => s.Net.VmRunning && (s.Peer is null || CanReceive(s.Peer));

    /// <summary>Q4.</summary>
    public static bool CanReceive(DpClient c) => !c.ReceiveDisabled && c.CanReceiveNow();

    /// <summary>Q8: full callback-less queues drop.</summary>
    private static void Append(DpClient receiver, DpClient sender, byte[] packet, bool wantsCompletion)
    {
        if (receiver.Incoming.Count >= QueueLimitWithoutCallback && !wantsCompletion)
        {
            sender.Drop("QueueOverflow");
            return;
        }
        receiver.Incoming.Add(new DpPacket(sender, (byte[])packet.Clone(), wantsCompletion));
    }

    /// <summary>Q10: a link-down receiver loses it (pretending success); a refusal marks the receiver disabled; a failure is the sender's loss.</summary>
    private static int Deliver(DpClient receiver, DpClient sender, byte[] packet)
    {
        if (receiver.LinkDown)
        {
            sender.Drop("ReceiverLinkDown");
            return packet.Length;
        }
        if (receiver.ReceiveDisabled)
        {
            return 0;
        }
        receiver.Delivering = true;
        int res = receiver.Receive(packet);
        receiver.Delivering = false;
        if (res == 0)
        {
            receiver.ReceiveDisabled = true;
        }
        else if (res < 0)
        {
            sender.Drop("Rejected");
        }
        return res;
    }

    /// <summary>Q9: deliver in order until one is refused; completions run with the receiver's result.</summary>
    public static bool Flush(DpClient receiver)
    {
        if (receiver.Delivering)
        {
            return false;
        }
        while (receiver.Incoming.Count > 0)
        {
            var p = receiver.Incoming[0];
            int res = Deliver(receiver, p.Sender, p.Data);
            if (res == 0)
            {
                return false;
            }
            receiver.Incoming.RemoveAt(0);
            if (p.WantsCompletion)
            {
                p.Sender.Completed(res);
            }
        }
        return true;
    }

    /// <summary>Q13: the client can take packets again; a hub port's other ports are flushed first.</summary>
    public static void FlushQueuedPackets(DpClient c)
    {
        c.ReceiveDisabled = false;
        if (c.Peer is DpHubPort port)
        {
            port.Hub.FlushOtherPorts(port);
        }
        Flush(c);
    }

    /// <summary>Q15: the VM starts; every client that can send now has its peer flushed (Q13), in creation order.</summary>
    public void StartVm()
    {
        VmRunning = true;
        foreach (var c in Clients.ToList())
        {
            if (c.Peer is not null && !c.Deleted && CanSend(c))
            {
                FlushQueuedPackets(c.Peer);
            }
        }
    }

    /// <summary>Q15: the VM stops; every client is flushed, and what its queue still holds from its peer is purged (Q13 with purge).</summary>
    public void StopVm()
    {
        VmRunning = false;
        foreach (var c in Clients.ToList())
        {
            c.ReceiveDisabled = false;
            if (c.Peer is DpHubPort port)
            {
                port.Hub.FlushOtherPorts(port);
            }
            if (!Flush(c) && c.Peer is { } peer)
            {
                PurgeFrom(c, peer);
            }
        }
    }

    /// <summary>Q11/Q12: drop what <paramref name="sender"/> left at its peer, completing each with 0.</summary>
    public static void PurgeAtPeer(DpClient sender)
    {
        if (sender.Peer is { } receiver)
        {
            PurgeFrom(receiver, sender);
        }
    }

    /// <summary>Q11: remove every packet <paramref name="sender"/> queued at <paramref name="receiver"/>, in order, completing each with 0.</summary>
    private static void PurgeFrom(DpClient receiver, DpClient sender)
    {
        var mine = receiver.Incoming.Where(p => ReferenceEquals(p.Sender, sender)).ToList();
        receiver.Incoming.RemoveAll(p => ReferenceEquals(p.Sender, sender));
        foreach (var p in mine)
        {
            sender.Drop("Purged");
            if (p.WantsCompletion)
            {
                sender.Completed(0);
            }
        }
    }

    /// <summary>
    /// Q18 with TapNet's fix of D2. A NIC goes as in <see cref="DeleteNic"/>. Otherwise every non-NIC client with the
    /// name goes; if the deleted client's peer is a NIC, the seed only takes them off the list: the NICs on their
    /// far side are marked down and waiting, the deleted client's NIC is told, and nothing is cleaned up yet.
    /// </summary>
    public void Delete(DpClient client)
    {
        if (client.IsNic)
        {
            DeleteNic(client);
            return;
        }
        var going = Clients.Where(c => c.Name == client.Name && !c.IsNic).ToList();
        if (!going.Contains(client))
        {
            going.Add(client);
        }
        if (client.Peer is { IsNic: true } nic)
        {
            if (nic.BackendWaiting)
            {
                return;
            }
            foreach (var c in going)
            {
                Clients.Remove(c);
                if (c.Peer is { } far)
                {
                    far.LinkDown = true;
                    far.BackendWaiting = true;
                }
            }
            nic.LinkStatusChanged();
            return;
        }
        foreach (var c in going)
        {
            Clients.Remove(c);
            c.Cleanup();
            Release(c, going);
        }
    }

    /// <summary>
    /// Q18 [seed], a NIC's own deletion (qemu_del_nic): the backends that waited for it are cleaned up and released
    /// in queue order, then the NIC's queues (every NIC client with its name) from the last to the first.
    /// </summary>
    private void DeleteNic(DpClient nic)
    {
        var queues = Clients.Where(c => c.Name == nic.Name && c.IsNic).ToList();
        if (!queues.Contains(nic))
        {
            queues.Add(nic);
        }
        var waiting = queues.Where(q => q.BackendWaiting && q.Peer is not null).Select(q => q.Peer!).ToList();
        var going = waiting.Concat(queues).ToList();
        foreach (var backend in waiting)
        {
            backend.Cleanup();
            Release(backend, going);
        }
        foreach (var q in Enumerable.Reverse(queues))
        {
            Clients.Remove(q);
            q.Cleanup();
            Release(q, going);
        }
    }

    /// <summary>The queue is thrown away (senders that stay get 0, D2), the peer forgets the client, a port leaves its hub.</summary>
    private static void Release(DpClient c, List<DpClient> going)
    {
        var queued = c.Incoming.ToList();
        c.Incoming.Clear();
        foreach (var p in queued)
        {
            p.Sender.Drop("Purged");
            if (!going.Contains(p.Sender) && p.WantsCompletion)
            {
                p.Sender.Completed(0);
            }
        }
        if (c.Peer is not null)
        {
            c.Peer.Peer = null;
            c.Peer = null;
        }
        c.Deleted = true;
        if (c is DpHubPort port)
        {
            port.Hub.Ports.Remove(port);
        }
    }

    /// <summary>Orderly shutdown: delete in creation order.</summary>
    public void DeleteAll()
    {
        while (Clients.Count > 0)
        {
            Delete(Clients[0]);
        }
    }
}
