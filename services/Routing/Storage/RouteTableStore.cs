using DirectConnect.Platform.Coordination;
using DirectConnect.Routing.Domain;

namespace DirectConnect.Routing.Storage;

/// <summary>Route tables (one document per VPC or gateway) and the next-hop usage documents.</summary>
public sealed class RouteTableStore(IStateStore store)
{
    private static RoutingJsonContext Json => RoutingJsonContext.Default;

    /// <summary>Reads the table of <paramref name="ownerId"/> (a VPC or gateway id).</summary>
    public Task<Versioned<RouteTable>?> GetAsync(string ownerId, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(ownerId), Json.RouteTable, cancellationToken);

    /// <summary>Reads who routes through <paramref name="nextHopId"/>.</summary>
    public async Task<(NextHopUsage Usage, ETagCondition Unchanged)> GetUsageAsync(string nextHopId, CancellationToken cancellationToken)
    {
        var usage = await store.GetDocumentAsync(UsageKey(nextHopId), Json.NextHopUsage, cancellationToken).ConfigureAwait(false);
        return usage is null ? (NextHopUsage.None, ETagCondition.MustNotExist) : (usage.Value, usage.Unchanged);
    }

    /// <summary>The write of a table.</summary>
    public static UpsertState Put(RouteTable table, ETagCondition condition) => StateDocuments.Put(Key(table.OwnerId), table, Json.RouteTable, condition);

    /// <summary>The write of a usage document.</summary>
    public static UpsertState PutUsage(string nextHopId, NextHopUsage usage, ETagCondition condition) =>
        StateDocuments.Put(UsageKey(nextHopId), usage, Json.NextHopUsage, condition);

    private static string Key(string ownerId) => $"route-tables/{ownerId}";

    private static string UsageKey(string nextHopId) => $"routes-by-next-hop/{nextHopId}";
}
