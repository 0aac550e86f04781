using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Storage;

/// <summary>
/// The operator inventory in the state store: locations (with a per-region code marker that
/// keeps codes unique), access devices, the per-region indexes that list them, and the port
/// pools (a head per location and speed, and the segments of its devices with room).
/// </summary>
public sealed class InventoryStore(IStateStore store)
{
    private static PhysicalConnectionsJsonContext Json => PhysicalConnectionsJsonContext.Default;

    /// <summary>Reads a location.</summary>
    public Task<Versioned<Location>?> GetLocationAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(LocationKey(id), Json.Location, cancellationToken);

    /// <summary>The location <paramref name="id"/> of <paramref name="region"/>; INVALID_ARGUMENT at <paramref name="field"/> when there is none.</summary>
    public async Task<Location> RequireLocationAsync(string region, string id, string field, CancellationToken cancellationToken)
    {
        var location = await GetLocationAsync(id, cancellationToken).ConfigureAwait(false);
        return location is not null && location.Value.Region == region
            ? location.Value
            : throw DomainException.InvalidArgument([new FieldViolation(field, $"no location '{id}' in {region}")]);
    }

    /// <summary>Reads an access device.</summary>
    public Task<Versioned<AccessDevice>?> GetDeviceAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(DeviceKey(id), Json.AccessDevice, cancellationToken);

    /// <summary>Reads several locations, in order.</summary>
    public Task<IReadOnlyList<Location>> GetLocationsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(LocationKey).ToArray(), Json.Location, cancellationToken);

    /// <summary>Reads several devices, in order.</summary>
    public Task<IReadOnlyList<AccessDevice>> GetDevicesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(DeviceKey).ToArray(), Json.AccessDevice, cancellationToken);

    /// <summary>Reads the index of a region's locations.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetLocationIndexAsync(string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync($"locations-by-region/{region}", cancellationToken);

    /// <summary>Reads the index of a region's access devices.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetDeviceIndexAsync(string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync($"access-devices-by-region/{region}", cancellationToken);

    /// <summary>
    /// Reads how many devices (not deleted) a location has, the count its quota is checked on; when none was
    /// written yet, the devices of the region's index that stand at the location are counted.
    /// </summary>
    public Task<(int Count, ETagCondition Unchanged)> GetDeviceCountAsync(string region, string locationId, CancellationToken cancellationToken) =>
        store.GetCountAsync(DeviceCountKey(locationId), async ct =>
        {
            var (index, _) = await GetDeviceIndexAsync(region, ct).ConfigureAwait(false);
            return (await GetDevicesAsync(index.Ids, ct).ConfigureAwait(false)).Count(d => d.LocationId == locationId && !d.IsDeleted);
        }, cancellationToken);

    /// <summary>The write of a location's device count.</summary>
    public static UpsertState PutDeviceCount(string locationId, int count, ETagCondition condition) =>
        Quotas.PutCount(DeviceCountKey(locationId), count, condition);

    /// <summary>Reads the pool of a location and speed (empty when none was written yet).</summary>
    public async Task<(PortPool Pool, ETagCondition Unchanged)> GetPoolAsync(string locationId, PortSpeed speed, CancellationToken cancellationToken)
    {
        var pool = await store.GetDocumentAsync(PoolKey(locationId, speed), Json.PortPool, cancellationToken).ConfigureAwait(false);
        return pool is null ? (PortPool.Empty(locationId, speed), ETagCondition.MustNotExist) : (pool.Value, pool.Unchanged);
    }

    /// <summary>Reads a segment of a pool's devices with room (null when there is none by that id).</summary>
    public Task<Versioned<PoolSegment>?> GetPoolSegmentAsync(string locationId, PortSpeed speed, string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(PoolSegmentKey(locationId, speed, id), Json.PoolSegment, cancellationToken);

    /// <summary>The write of a location.</summary>
    public static UpsertState PutLocation(Location location, ETagCondition condition) =>
        StateDocuments.Put(LocationKey(location.Id), location, Json.Location, condition);

    /// <summary>True when a location of <paramref name="region"/> has <paramref name="code"/>. The claim written on create is the guard; this read turns a clash into a clear error.</summary>
    public async Task<bool> IsLocationCodeTakenAsync(string region, string code, CancellationToken cancellationToken) =>
        await store.GetAsync(CodeKey(region, code), cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The marker that reserves a location code in its region (insert-only: a second location with the code loses).</summary>
    public static UpsertState ClaimLocationCode(Location location) =>
        StateDocuments.PutIndex(CodeKey(location.Region, location.Code), new IdIndex([location.Id]), ETagCondition.MustNotExist);

    /// <summary>The write of a device.</summary>
    public static UpsertState PutDevice(AccessDevice device, ETagCondition condition) =>
        StateDocuments.Put(DeviceKey(device.Id), device, Json.AccessDevice, condition);

    /// <summary>The write of a region's location index.</summary>
    public static UpsertState PutLocationIndex(string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex($"locations-by-region/{region}", index, condition);

    /// <summary>The write of a region's device index.</summary>
    public static UpsertState PutDeviceIndex(string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex($"access-devices-by-region/{region}", index, condition);

    /// <summary>The write of a pool.</summary>
    public static UpsertState PutPool(PortPool pool, ETagCondition condition) =>
        StateDocuments.Put(PoolKey(pool.LocationId, pool.Speed), pool, Json.PortPool, condition);

    /// <summary>The write of a pool segment.</summary>
    public static UpsertState PutPoolSegment(PoolSegment segment, ETagCondition condition) =>
        StateDocuments.Put(PoolSegmentKey(segment.LocationId, segment.Speed, segment.Id), segment, Json.PoolSegment, condition);

    /// <summary>The delete of a pool segment (its devices moved to the head, or it has none left).</summary>
    public static DeleteState DeletePoolSegment(PoolSegment segment, ETagCondition condition) =>
        new(PoolSegmentKey(segment.LocationId, segment.Speed, segment.Id), condition);

    private static string CodeKey(string region, string code) => $"location-codes/{region}/{code}";

    private static string LocationKey(string id) => $"locations/{id}";

    private static string DeviceKey(string id) => $"access-devices/{id}";

    private static string DeviceCountKey(string locationId) => $"access-device-count/{locationId}";

    private static string PoolKey(string locationId, PortSpeed speed) => $"port-pools/{locationId}/{speed}";

    private static string PoolSegmentKey(string locationId, PortSpeed speed, string id) => $"port-pool-segments/{locationId}/{speed}/{id}";
}
