using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.Routing.Domain;

namespace DirectConnect.Routing.Storage;

/// <summary>
/// The VPC catalog in the state store: one document per VPC, an index per account and region
/// (what a customer lists) and one per region (what an operator lists).
/// </summary>
public sealed class VpcStore(IStateStore store)
{
    private static RoutingJsonContext Json => RoutingJsonContext.Default;

    /// <summary>Reads one VPC.</summary>
    public Task<Versioned<Vpc>?> GetAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(id), Json.Vpc, cancellationToken);

    /// <summary>Reads several VPCs, in order.</summary>
    public Task<IReadOnlyList<Vpc>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.Vpc, cancellationToken);

    /// <summary>Reads an account's index in a region.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetAccountIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync(AccountIndexKey(accountId, region), cancellationToken);

    /// <summary>Reads a region's index.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetRegionIndexAsync(string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync(RegionIndexKey(region), cancellationToken);

    /// <summary>
    /// Reads how many VPCs (not deregistered) an account has in a region, the count its quota is checked on;
    /// when none was written yet, the VPCs of its index are counted.
    /// </summary>
    public Task<(int Count, ETagCondition Unchanged)> GetCountAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.GetCountAsync(CountKey(accountId, region), async ct =>
        {
            var (index, _) = await GetAccountIndexAsync(accountId, region, ct).ConfigureAwait(false);
            return (await GetManyAsync(index.Ids, ct).ConfigureAwait(false)).Count(v => !v.Deleted);
        }, cancellationToken);

    /// <summary>The write of an account's VPC count in a region.</summary>
    public static UpsertState PutCount(string accountId, string region, int count, ETagCondition condition) =>
        Quotas.PutCount(CountKey(accountId, region), count, condition);

    /// <summary>The write of a VPC.</summary>
    public static UpsertState Put(Vpc vpc, ETagCondition condition) => StateDocuments.Put(Key(vpc.Id), vpc, Json.Vpc, condition);

    /// <summary>The write of an account's index.</summary>
    public static UpsertState PutAccountIndex(string accountId, string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex(AccountIndexKey(accountId, region), index, condition);

    /// <summary>The write of a region's index.</summary>
    public static UpsertState PutRegionIndex(string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex(RegionIndexKey(region), index, condition);

    private static string Key(string id) => $"vpcs/{id}";

    private static string AccountIndexKey(string accountId, string region) => $"vpcs-by-account/{accountId}/{region}";

    private static string RegionIndexKey(string region) => $"vpcs-by-region/{region}";

    private static string CountKey(string accountId, string region) => $"vpc-count/{accountId}/{region}";
}
