namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>A device in a pool, ordered by when it was added (ties by id): "lowest device" first.</summary>
public sealed record PoolDevice(string DeviceId, DateTimeOffset AddedAt);

/// <summary>
/// The allocation state of one location and port speed: the devices that have a free port of that
/// speed (lowest first), and the paid connections waiting for one (in order of payment). Every
/// decision to wait, and every change of which devices have room, writes this document under its
/// ETag; so a connection never waits while a port is free, and waiters are served in order.
/// Its size follows the devices with free ports and the waiters, never the number of ports.
/// </summary>
public sealed record PortPool(string LocationId, PortSpeed Speed, IReadOnlyList<PoolDevice> FreeDevices, IReadOnlyList<string> Waiters)
{
    /// <summary>An empty pool.</summary>
    public static PortPool Empty(string locationId, PortSpeed speed) => new(locationId, speed, [], []);

    /// <summary>
    /// A newly paid connection may take a port at once only when one is free and nobody paid
    /// earlier is still waiting; otherwise it queues.
    /// </summary>
    public bool CanAllocateAtOnce => Waiters.Count == 0 && FreeDevices.Count > 0;

    /// <summary>The pool with <paramref name="device"/> among those with room, in order.</summary>
    public PortPool WithRoomOn(PoolDevice device) => FreeDevices.Any(d => d.DeviceId == device.DeviceId)
        ? this
        : this with
        {
            FreeDevices = FreeDevices.Append(device)
                .OrderBy(d => d.AddedAt).ThenBy(d => d.DeviceId, StringComparer.Ordinal).ToArray(),
        };

    /// <summary>The pool without <paramref name="deviceId"/> among those with room.</summary>
    public PortPool WithoutRoomOn(string deviceId) => this with { FreeDevices = FreeDevices.Where(d => d.DeviceId != deviceId).ToArray() };

    /// <summary>The pool with <paramref name="connectionId"/> at the end of the queue.</summary>
    public PortPool WithWaiter(string connectionId) =>
        Waiters.Contains(connectionId) ? this : this with { Waiters = [.. Waiters, connectionId] };

    /// <summary>The pool without <paramref name="connectionId"/> in the queue.</summary>
    public PortPool WithoutWaiter(string connectionId) => this with { Waiters = Waiters.Where(w => w != connectionId).ToArray() };
}
