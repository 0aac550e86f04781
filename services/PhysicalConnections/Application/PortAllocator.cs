using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Allocates and releases access-device ports. Every decision is planned from fresh reads and
/// committed in one state transaction guarded by the ETags of the device (so no two connections
/// can take one port, whatever the process) and of the pool (so a connection only waits when no
/// port is free, and waiters keep their order of payment). An allocation reads the pool's head and
/// one device: its cost follows neither the number of ports nor the number of devices with room
/// (<see cref="PortPoolChain"/>).
/// </summary>
public sealed class PortAllocator(InventoryStore inventory, PhysicalConnectionStore connections, IStateStore store, TimeProvider clock)
{
    /// <summary>The key that in-process callers serialise on for one pool.</summary>
    public static string PoolKey(PhysicalConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return $"{connection.LocationId}/{connection.PortSpeed}";
    }

    /// <summary>
    /// For a connection just paid (already UNDER_CONSTRUCTION): the lowest free port at its location
    /// and speed when one is free and nobody paid earlier waits; otherwise a place at the end of the queue.
    /// The plan includes the write of the connection itself, guarded by <paramref name="connectionUnchanged"/>.
    /// </summary>
    public async Task<PortPlan> AllocateOrQueueAsync(PhysicalConnection paid, ETagCondition connectionUnchanged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paid);
        var pool = await PortPoolChain.ReadAsync(inventory, paid.LocationId, paid.PortSpeed, cancellationToken).ConfigureAwait(false);
        if (pool.Head.CanAllocateAtOnce)
        {
            return await TakeLowestPortAsync(pool, paid, connectionUnchanged, cancellationToken).ConfigureAwait(false);
        }

        var waiting = paid with { WaitingForPort = true, StateReason = "payment recorded; waiting for a free port" };
        pool.AddWaiter(paid.Id);
        return new PortPlan(waiting, [PhysicalConnectionStore.Put(waiting, connectionUnchanged), .. pool.Operations()], [PhysicalConnectionEvents.Waiting(waiting)]);
    }

    /// <summary>
    /// For a connection being deleted: frees its port (or its place in the queue) in the same
    /// transaction as the delete. The plan does not write the connection; the caller does.
    /// </summary>
    public async Task<(IReadOnlyList<StateOperation> Operations, IReadOnlyList<OutgoingEvent> Events)> ReleaseAsync(
        PhysicalConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.WaitingForPort)
        {
            var pool = await PortPoolChain.ReadAsync(inventory, connection.LocationId, connection.PortSpeed, cancellationToken).ConfigureAwait(false);
            pool.RemoveWaiter(connection.Id);
            return (pool.Operations(), []);
        }

        if (connection.Port is not { } port)
        {
            return ([], []);
        }

        var device = await inventory.GetDeviceAsync(port.AccessDeviceId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{connection.Id} holds a port of {port.AccessDeviceId}, which does not exist.");
        var now = clock.GetUtcNow();
        var freed = device.Value.Release(connection.Id, now, ResourceIds.NewETag());
        var operations = new List<StateOperation> { InventoryStore.PutDevice(freed, device.Unchanged) };
        if (!device.Value.HasFreePort(connection.PortSpeed) && !freed.IsDeleted)
        {
            var pool = await PortPoolChain.ReadAsync(inventory, connection.LocationId, connection.PortSpeed, cancellationToken).ConfigureAwait(false);
            await pool.AddRoomAsync(new PoolDevice(freed.Id, freed.CreateTime), cancellationToken).ConfigureAwait(false);
            operations.AddRange(pool.Operations());
        }

        return (operations, [PhysicalConnectionEvents.PortReleased(connection, port, now)]);
    }

    /// <summary>
    /// Gives free ports of one location and speed to the connections waiting there, first paid
    /// first, until either runs out. Called from the events that free a port or add a device.
    /// Returns how many connections were served.
    /// </summary>
    public async Task<int> ServeWaitersAsync(string locationId, PortSpeed speed, CancellationToken cancellationToken)
    {
        var served = 0;
        for (var conflicts = 0; conflicts < 1000;)
        {
            PortPlan? plan = null;
            try
            {
                var pool = await PortPoolChain.ReadAsync(inventory, locationId, speed, cancellationToken).ConfigureAwait(false);
                if (pool.Head.Waiters.Count == 0 || pool.Head.FreeDevices.Count == 0)
                {
                    return served;
                }

                var first = pool.Head.Waiters[0];
                var waiter = await connections.GetAsync(first, cancellationToken).ConfigureAwait(false);
                pool.RemoveWaiter(first);
                plan = waiter is null || !waiter.Value.WaitingForPort || waiter.Value.IsDeleted
                    // Not waiting any more (deleted meanwhile): drop it from the queue.
                    ? new PortPlan(null!, pool.Operations(), [])
                    : await TakeLowestPortAsync(pool, waiter.Value, waiter.Unchanged, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleReadException)
            {
            }

            if (plan is not null && await store.TryExecuteTransactionAsync(plan.Operations, plan.Events, cancellationToken).ConfigureAwait(false))
            {
                served += plan.Connection is null ? 0 : 1;
            }
            else
            {
                conflicts++;
                await Task.Delay(Random.Shared.Next(1, 10), cancellationToken).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"Could not serve the waiters of {locationId}/{speed} for contention.");
    }

    /// <summary>The pool changes of a device coming into service: room on it for each speed it has free ports of.</summary>
    public async Task<IReadOnlyList<StateOperation>> AddDeviceAsync(AccessDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var operations = new List<StateOperation>();
        foreach (var speed in device.Speeds.Where(device.HasFreePort))
        {
            var pool = await PortPoolChain.ReadAsync(inventory, device.LocationId, speed, cancellationToken).ConfigureAwait(false);
            await pool.AddRoomAsync(new PoolDevice(device.Id, device.CreateTime), cancellationToken).ConfigureAwait(false);
            operations.AddRange(pool.Operations());
        }

        return operations;
    }

    /// <summary>The pool changes of a device leaving service (the device's own write keeps allocations off it meanwhile).</summary>
    public async Task<IReadOnlyList<StateOperation>> RemoveDeviceAsync(AccessDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var operations = new List<StateOperation>();
        foreach (var speed in device.Speeds)
        {
            var pool = await PortPoolChain.ReadAsync(inventory, device.LocationId, speed, cancellationToken).ConfigureAwait(false);
            await pool.RemoveRoomAsync(new PoolDevice(device.Id, device.CreateTime), cancellationToken).ConfigureAwait(false);
            operations.AddRange(pool.Operations());
        }

        return operations;
    }

    /// <summary>
    /// The lowest free port: on the head's first device. The pool is written when that device fills (it leaves the
    /// head, and the next segment moves up when the head runs out), or when the caller changed the head.
    /// </summary>
    private async Task<PortPlan> TakeLowestPortAsync(PortPoolChain pool, PhysicalConnection connection, ETagCondition connectionUnchanged,
        CancellationToken cancellationToken)
    {
        var lowest = pool.Head.FreeDevices[0];
        var device = await inventory.GetDeviceAsync(lowest.DeviceId, cancellationToken).ConfigureAwait(false);
        // The pool was read before the device: if another writer filled the device in between, plan again.
        var port = device?.Value.LowestFreePort(connection.PortSpeed)
            ?? throw new StaleReadException($"Pool {pool.LocationId}/{pool.Speed} lists {lowest.DeviceId} as having a free port, but it has none.");
        var now = clock.GetUtcNow();
        var taken = device!.Value.Allocate(port.Name, connection.Id, now, ResourceIds.NewETag());
        var assignment = new PortAssignment(taken.Id, port.Name);
        var holder = connection.WithPort(assignment, now, ResourceIds.NewETag());
        if (!taken.HasFreePort(connection.PortSpeed))
        {
            await pool.RemoveRoomAsync(lowest, cancellationToken).ConfigureAwait(false);
        }

        return new PortPlan(holder,
            [PhysicalConnectionStore.Put(holder, connectionUnchanged), InventoryStore.PutDevice(taken, device.Unchanged), .. pool.Operations()],
            [PhysicalConnectionEvents.PortAllocated(holder, assignment, now)]);
    }
}
