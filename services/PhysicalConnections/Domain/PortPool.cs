namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>A device in a pool, ordered by when it was added (ties by id): "lowest device" first.</summary>
public sealed record PoolDevice(string DeviceId, DateTimeOffset AddedAt)
{
    /// <summary>The pool's order: earlier added first, ties by id (ordinal).</summary>
    public static int Compare(PoolDevice left, PoolDevice right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var byTime = left.AddedAt.CompareTo(right.AddedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(left.DeviceId, right.DeviceId);
    }
}

/// <summary>
/// The head of the allocation state of one location and port speed: the paid connections waiting for a
/// port (in order of payment), and the devices that have a free port of that speed, lowest first, cut
/// into segments of at most <see cref="SegmentSize"/>. The head holds the first segment
/// (<see cref="FreeDevices"/>); the others (<see cref="PoolSegment"/>) follow from <see cref="Next"/>,
/// and <see cref="Last"/> names the last one, where devices added to the location go. An allocation
/// reads the head only, so its cost does not follow the number of devices with room.
/// Invariants: the head's devices are empty only when no segment follows, and no segment is empty; so
/// "a port is free" is <c>FreeDevices.Count &gt; 0</c>. Every decision to wait writes the head under its
/// ETag, so a connection never waits while a port is free, and waiters are served in order.
/// A head written before segments existed lists every device with room and has no <see cref="Next"/>:
/// it is still a valid pool, and its first write cuts it into segments.
/// </summary>
public sealed record PortPool(string LocationId, PortSpeed Speed, IReadOnlyList<PoolDevice> FreeDevices, IReadOnlyList<string> Waiters,
    string? Next = null, string? Last = null)
{
    /// <summary>The most devices the head and each segment hold once written.</summary>
    public const int SegmentSize = 16;

    /// <summary>An empty pool.</summary>
    public static PortPool Empty(string locationId, PortSpeed speed) => new(locationId, speed, [], []);

    /// <summary>
    /// A newly paid connection may take a port at once only when one is free and nobody paid
    /// earlier is still waiting; otherwise it queues.
    /// </summary>
    public bool CanAllocateAtOnce => Waiters.Count == 0 && FreeDevices.Count > 0;

    /// <summary>The pool with <paramref name="connectionId"/> at the end of the queue.</summary>
    public PortPool WithWaiter(string connectionId) =>
        Waiters.Contains(connectionId) ? this : this with { Waiters = [.. Waiters, connectionId] };

    /// <summary>The pool without <paramref name="connectionId"/> in the queue.</summary>
    public PortPool WithoutWaiter(string connectionId) => this with { Waiters = Waiters.Where(w => w != connectionId).ToArray() };
}

/// <summary>
/// A segment of a pool's devices with room after the head's: at most <see cref="PortPool.SegmentSize"/> devices once
/// written, in order, all after the previous segment's and before the next one's (<see cref="Next"/>).
/// </summary>
public sealed record PoolSegment(string LocationId, PortSpeed Speed, string Id, IReadOnlyList<PoolDevice> Devices, string? Next);
