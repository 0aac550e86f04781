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
/// port is free, and waiters keep their order of payment). Allocation cost follows the pool and
/// one device, never the number of ports at the location.
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
        var (pool, poolUnchanged) = await inventory.GetPoolAsync(paid.LocationId, paid.PortSpeed, cancellationToken).ConfigureAwait(false);
        if (pool.CanAllocateAtOnce)
        {
            return await TakeLowestPortAsync(pool, poolUnchanged, paid, connectionUnchanged, writePool: false, cancellationToken).ConfigureAwait(false);
        }

        var waiting = paid with { WaitingForPort = true, StateReason = "payment recorded; waiting for a free port" };
        return new PortPlan(waiting,
            [PhysicalConnectionStore.Put(waiting, connectionUnchanged), InventoryStore.PutPool(pool.WithWaiter(paid.Id), poolUnchanged)],
            [PhysicalConnectionEvents.Waiting(waiting)]);
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
            var (pool, poolUnchanged) = await inventory.GetPoolAsync(connection.LocationId, connection.PortSpeed, cancellationToken).ConfigureAwait(false);
            return ([InventoryStore.PutPool(pool.WithoutWaiter(connection.Id), poolUnchanged)], []);
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
            var (pool, poolUnchanged) = await inventory.GetPoolAsync(connection.LocationId, connection.PortSpeed, cancellationToken).ConfigureAwait(false);
            operations.Add(InventoryStore.PutPool(pool.WithRoomOn(new PoolDevice(freed.Id, freed.CreateTime)), poolUnchanged));
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
            var (pool, poolUnchanged) = await inventory.GetPoolAsync(locationId, speed, cancellationToken).ConfigureAwait(false);
            if (pool.Waiters.Count == 0 || pool.FreeDevices.Count == 0)
            {
                return served;
            }

            var first = pool.Waiters[0];
            var waiter = await connections.GetAsync(first, cancellationToken).ConfigureAwait(false);
            PortPlan? plan = null;
            if (waiter is null || !waiter.Value.WaitingForPort || waiter.Value.IsDeleted)
            {
                // Not waiting any more (deleted meanwhile): drop it from the queue.
                plan = new PortPlan(null!, [InventoryStore.PutPool(pool.WithoutWaiter(first), poolUnchanged)], []);
            }
            else
            {
                try
                {
                    plan = await TakeLowestPortAsync(pool.WithoutWaiter(first), poolUnchanged, waiter.Value, waiter.Unchanged, writePool: true, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (StaleReadException)
                {
                }
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
            var (pool, poolUnchanged) = await inventory.GetPoolAsync(device.LocationId, speed, cancellationToken).ConfigureAwait(false);
            operations.Add(InventoryStore.PutPool(pool.WithRoomOn(new PoolDevice(device.Id, device.CreateTime)), poolUnchanged));
        }

        return operations;
    }

    /// <summary>The pool changes of a device leaving service.</summary>
    public async Task<IReadOnlyList<StateOperation>> RemoveDeviceAsync(AccessDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var operations = new List<StateOperation>();
        foreach (var speed in device.Speeds)
        {
            var (pool, poolUnchanged) = await inventory.GetPoolAsync(device.LocationId, speed, cancellationToken).ConfigureAwait(false);
            operations.Add(InventoryStore.PutPool(pool.WithoutRoomOn(device.Id), poolUnchanged));
        }

        return operations;
    }

    private async Task<PortPlan> TakeLowestPortAsync(PortPool pool, ETagCondition poolUnchanged, PhysicalConnection connection,
        ETagCondition connectionUnchanged, bool writePool, CancellationToken cancellationToken)
    {
        var deviceId = pool.FreeDevices[0].DeviceId;
        var device = await inventory.GetDeviceAsync(deviceId, cancellationToken).ConfigureAwait(false);
        // The pool was read before the device: if another writer filled the device in between, plan again.
        var port = device?.Value.LowestFreePort(connection.PortSpeed)
            ?? throw new StaleReadException($"Pool {pool.LocationId}/{pool.Speed} lists {deviceId} as having a free port, but it has none.");
        var now = clock.GetUtcNow();
        var taken = device!.Value.Allocate(port.Name, connection.Id, now, ResourceIds.NewETag());
        var assignment = new PortAssignment(taken.Id, port.Name);
        var holder = connection.WithPort(assignment, now, ResourceIds.NewETag());
        var operations = new List<StateOperation>
        {
            PhysicalConnectionStore.Put(holder, connectionUnchanged),
            InventoryStore.PutDevice(taken, device.Unchanged),
        };
        var full = !taken.HasFreePort(connection.PortSpeed);
        if (writePool || full)
        {
            operations.Add(InventoryStore.PutPool(full ? pool.WithoutRoomOn(taken.Id) : pool, poolUnchanged));
        }

        return new PortPlan(holder, operations, [PhysicalConnectionEvents.PortAllocated(holder, assignment, now)]);
    }
}
