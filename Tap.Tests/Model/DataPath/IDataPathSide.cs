namespace Tap.Tests.Model.DataPath;

/// <summary>
/// The primitive actions a workload step is made of, done either by the reference model or by the real core on the
/// simulated kernel. <see cref="DataPathDriver"/> turns steps into these actions, once, for both sides.
/// Netdevs are addressed by index j (id <c>t&lt;j&gt;</c>, interface <c>tap&lt;j&gt;</c>), queues by index.
/// </summary>
public interface IDataPathSide
{
    /// <summary>Creates every netdev and guest and brings the links up; returns what that made visible.</summary>
    DataPathObservation Build();

    /// <summary>The interface no longer exists (deleted by the host, or its last fd closed).</summary>
    bool DeviceGone(int dev);

    /// <summary>The netdev was deleted by id (it may live on, unlisted, until its NIC goes: Q18).</summary>
    bool NetdevGone(int dev);

    /// <summary>The guest's NIC was deleted.</summary>
    bool GuestGone(int guest);

    bool VmRunning { get; }

    /// <summary>The host sends a frame out of a queue, with a 10-byte header of metadata (null: all zero).</summary>
    void HostSend(int dev, int queue, byte[]? header, byte[] frame);

    /// <summary>The main loop services the queue's fd; the number of handler calls.</summary>
    int Dispatch(int dev, int queue);

    /// <summary>The host takes what was written to the queue.</summary>
    void Drain(int dev, int queue);

    void SetLink(int dev, bool up);
    void GuestRefuse(int guest, int packets);
    void GuestGrant(int guest, int packets);
    void GuestOpen(int guest);
    int GuestTransmit(int guest, byte[] packet);
    bool QueueEnabled(int dev, int queue);
    int Enable(int dev, int queue);
    int Disable(int dev, int queue);
    void Poll(int dev, int queue, bool enable);
    bool Negotiate(int guest, int hdrLen, int offloadMask, bool le);
    void InjectFault(int dev, int queue, bool onWrite, string errno);
    void ClearFaults();
    void DeleteNetdev(int dev);
    void DeleteDevice(int dev);
    void DeleteGuest(int guest);
    void StartVm();
    void StopVm();
    void DeleteAll();

    /// <summary>What became visible since the last call, with <paramref name="result"/> as the step's result line (if any).</summary>
    DataPathObservation Observe(string result);
}
