using System.Runtime.CompilerServices;

namespace Tap.Core.Net;

/// <summary>
/// The set of net clients and hubs of one process (QEMU's net_clients list), and the VM run state that gates
/// sending (Q5, Q15). Clients are kept in creation order, which is the order everything observable iterates.
/// </summary>
public sealed class NetStack
{
    private readonly List<NetClient> _clients = new();
    private readonly List<NetHub> _hubs = new();
    private readonly List<INetExitNotifier> _exitNotifiers = new();

    /// <summary>Every live client, in creation order.</summary>
    public IReadOnlyList<NetClient> Clients => _clients;

    /// <summary>Every hub, in creation order.</summary>
    public IReadOnlyList<NetHub> Hubs => _hubs;

    /// <summary>How the network scripts and the bridge helper ended, counted for <see cref="NetMetrics"/>.</summary>
    public ProgramOutcomes Programs { get; } = new();

    /// <summary>Told of completions as they run (a trace recorder); null when nobody listens.</summary>
    public INetEventObserver? EventObserver { get; set; }

    /// <summary>False while the VM is stopped: every send is then queued (Q5).</summary>
    public bool VmRunning { get; private set; } = true;

    internal void Register(NetClient client, NetClient? peer)
    {
        if (peer is not null)
        {
            if (peer.Peer is not null)
            {
                // QEMU asserts here (O50); callers check first and report an error.
                throw new InvalidOperationException($"net client '{peer.Name}' already has a peer");
            }
            client.Peer = peer;
            peer.Peer = client;
        }
        _clients.Add(client);
    }

    /// <summary>The first live client named <paramref name="name"/>, or null (Q2).</summary>
    public NetClient? Find(string name)
    {
        foreach (var c in _clients)
        {
            if (c.Name == name)
            {
                return c;
            }
        }
        return null;
    }

    /// <summary>Every live client named <paramref name="name"/>, in creation order.</summary>
    public IReadOnlyList<NetClient> FindAll(string name) => _clients.FindAll(c => c.Name == name);

    /// <summary>The hub with <paramref name="id"/>, created on first use (Q20).</summary>
    public NetHub GetOrCreateHub(int id)
    {
        foreach (var h in _hubs)
        {
            if (h.Id == id)
            {
                return h;
            }
        }
        var hub = new NetHub(this, id);
        _hubs.Add(hub);
        return hub;
    }

    /// <summary>Q5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // asked on every hop of every frame
    public bool CanSend(NetClient sender)
    {
        if (!VmRunning)
        {
            return false;
        }
        return sender.Peer is null || CanReceive(sender.Peer);
    }

    /// <summary>Q4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CanReceive(NetClient client) => !client.ReceiveDisabled && client.CanReceiveNow();

    /// <summary>Q16: frames to <paramref name="sender"/>'s peer must be padded to 60 bytes.</summary>
    public static bool PeerNeedsPadding(NetClient sender) => sender.Peer is { DoNotPad: false };

    /// <summary>Q15: the VM starts; every client that can send gets its peer's queue flushed.</summary>
    public void StartVm()
    {
        VmRunning = true;
        foreach (var c in _clients.ToArray())
        {
            if (c.Peer is not null && !c.Deleted && CanSend(c))
            {
                c.Peer.FlushQueuedPackets();
            }
        }
    }

    /// <summary>
    /// Q15: the VM stops; every client's queue is flushed and what cannot be delivered is purged (completions run
    /// with 0), so nothing waits across the stop; later sends are queued until it starts again.
    /// </summary>
    public void StopVm()
    {
        VmRunning = false;
        foreach (var c in _clients.ToArray())
        {
            if (!c.Deleted)
            {
                c.FlushOrPurgeQueuedPackets();
            }
        }
    }

    /// <summary>Runs <paramref name="notifier"/> at process exit unless it is removed first (R10, R41).</summary>
    public void AddExitNotifier(INetExitNotifier notifier) => _exitNotifiers.Add(notifier);

    /// <summary>Removes an exit notifier (R40 step 4).</summary>
    public void RemoveExitNotifier(INetExitNotifier notifier) => _exitNotifiers.Remove(notifier);

    /// <summary>
    /// Process exit while clients still exist: run every remaining notifier once, in registration order (R41).
    /// </summary>
    public void RunExitNotifiers()
    {
        var pending = _exitNotifiers.ToArray();
        _exitNotifiers.Clear();
        foreach (var n in pending)
        {
            n.OnProcessExit();
        }
    }

    /// <summary>
    /// Q18: delete <paramref name="client"/> and every other non-NIC client with its name. When its peer is a NIC
    /// ([seed]) they are only unlinked: the NICs go link-down, the first is told, and cleanup and freeing wait for
    /// the NIC's own deletion, so a backend keeps running (its frames to the NIC are dropped) until then. Otherwise
    /// each is unlinked, cleaned up, its incoming queue destroyed and its peer's back-pointer cleared. A NIC is
    /// deleted as QEMU's qemu_del_nic does (<see cref="DeleteNic"/>). Unlike QEMU, senders waiting on packets
    /// queued to deleted clients get their completion (with 0) instead of waiting forever (D2).
    /// </summary>
    public void Delete(NetClient client)
    {
        if (client.IsNic)
        {
            DeleteNic(client);
            return;
        }
        var going = SameName(client);

        if (client.Peer is { IsNic: true } nic)
        {
            if (nic.PeerDeleted)
            {
                return;
            }
            foreach (var c in going)
            {
                _clients.Remove(c);
                if (c.Peer is { } p)
                {
                    p.LinkDown = true;
                    p.PeerDeleted = true;
                }
            }
            nic.LinkStatusChanged();
            return;
        }

        foreach (var c in going)
        {
            _clients.Remove(c);
            c.Cleanup();
            Free(c, going);
        }
    }

    /// <summary>
    /// Q18 [seed]: delete a NIC and its queues (every NIC client with its name). Backends whose deletion waited
    /// for it are cleaned up and freed first, in queue order; then the NIC's queues, last first.
    /// </summary>
    private void DeleteNic(NetClient nic)
    {
        var queues = SameName(nic);
        var postponed = new List<NetClient>();
        foreach (var q in queues)
        {
            if (q.PeerDeleted && q.Peer is { } backend)
            {
                postponed.Add(backend);
            }
        }
        var going = new List<NetClient>(postponed);
        going.AddRange(queues);

        foreach (var backend in postponed)
        {
            backend.Cleanup();
            Free(backend, going);
        }
        for (int i = queues.Count - 1; i >= 0; i--)
        {
            _clients.Remove(queues[i]);
            queues[i].Cleanup();
            Free(queues[i], going);
        }
    }

    /// <summary>
    /// Q18: the clients deleted together with <paramref name="client"/>: every live one of its kind (NIC or not) with
    /// its name, in creation order. A listed client is always among them; one deleted (or unlinked) before is not,
    /// so deleting it again does nothing.
    /// </summary>
    private List<NetClient> SameName(NetClient client) =>
        _clients.FindAll(c => c.Name == client.Name && c.IsNic == client.IsNic);

    /// <summary>
    /// The freeing half of Q18: the incoming queue goes (completing senders that stay, D2), the peer forgets this
    /// client, and a hub port leaves its hub.
    /// </summary>
    private static void Free(NetClient c, List<NetClient> going)
    {
        c.IncomingQueue.Destroy(going.Contains);
        if (c.Peer is not null)
        {
            c.Peer.Peer = null;
            c.Peer = null;
        }
        c.Deleted = true;
        if (c is HubPort port)
        {
            port.Hub.RemovePort(port);
        }
    }

    /// <summary>
    /// Orderly shutdown: delete every client in creation order (runs cleanups and down scripts). A backend whose
    /// peer is a NIC is cleaned up when that NIC's turn comes (Q18), so nothing outlives this call.
    /// </summary>
    public void DeleteAll()
    {
        while (_clients.Count > 0)
        {
            Delete(_clients[0]);
        }
    }
}
