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

    /// <summary>Reads an account's index in a region, for listing.</summary>
    public Task<ListIndexView> GetAccountIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(AccountIndexKey(accountId, region), cancellationToken);

    /// <summary>Reads a region's index, for listing.</summary>
    public Task<ListIndexView> GetRegionIndexAsync(string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(RegionIndexKey(region), cancellationToken);

    /// <summary>
    /// Reads what registering VPCs <paramref name="ids"/> of <paramref name="accountIds"/> depends on: which of the ids are
    /// registered already, the region's index, and each account's index and VPC count.
    /// </summary>
    public async Task<(IReadOnlySet<string> Registered, ListIndexAppend Region, IReadOnlyDictionary<string, AccountForRegistration> Accounts)>
        GetForRegistrationAsync(IReadOnlyCollection<string> ids, IReadOnlyCollection<string> accountIds, string region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(accountIds);
        var regional = RegionIndexKey(region);
        var items = await store.GetBulkAsync([regional, .. ids.Select(Key), .. accountIds.Select(a => AccountIndexKey(a, region))], cancellationToken)
            .ConfigureAwait(false);
        var accounts = new Dictionary<string, AccountForRegistration>(StringComparer.Ordinal);
        foreach (var accountId in accountIds)
        {
            var (count, unchanged) = await GetCountAsync(accountId, region, cancellationToken).ConfigureAwait(false);
            var index = AccountIndexKey(accountId, region);
            accounts[accountId] = new AccountForRegistration(ListIndex.ForAppend(index, items.GetValueOrDefault(index)), count, unchanged);
        }

        return (ids.Where(id => items.ContainsKey(Key(id))).ToHashSet(StringComparer.Ordinal), ListIndex.ForAppend(regional, items.GetValueOrDefault(regional)),
            accounts);
    }

    /// <summary>Reads every VPC an account registered in a region, deregistered ones included.</summary>
    public async Task<IReadOnlyList<Vpc>> GetAccountVpcsAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        var index = await GetAccountIndexAsync(accountId, region, cancellationToken).ConfigureAwait(false);
        return await GetManyAsync(await index.ReadAllAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads how many VPCs (not deregistered) an account has in a region, the count its quota is checked on;
    /// when none was written yet, the VPCs of its index are counted.
    /// </summary>
    public Task<(int Count, ETagCondition Unchanged)> GetCountAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.GetCountAsync(CountKey(accountId, region),
            async ct => (await GetAccountVpcsAsync(accountId, region, ct).ConfigureAwait(false)).Count(v => !v.Deleted), cancellationToken);

    /// <summary>The write of an account's VPC count in a region.</summary>
    public static UpsertState PutCount(string accountId, string region, int count, ETagCondition condition) =>
        Quotas.PutCount(CountKey(accountId, region), count, condition);

    /// <summary>The write of a VPC.</summary>
    public static UpsertState Put(Vpc vpc, ETagCondition condition) => StateDocuments.Put(Key(vpc.Id), vpc, Json.Vpc, condition);

    private static string Key(string id) => $"vpcs/{id}";

    private static string AccountIndexKey(string accountId, string region) => $"vpcs-by-account/{accountId}/{region}";

    private static string RegionIndexKey(string region) => $"vpcs-by-region/{region}";

    private static string CountKey(string accountId, string region) => $"vpc-count/{accountId}/{region}";
}

/// <summary>An account's side of registering VPCs in a region: its index, and its VPC count with the ETag it was read with.</summary>
public sealed record AccountForRegistration(ListIndexAppend Index, int Count, ETagCondition CountUnchanged);
