using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Storage;

/// <summary>
/// Physical connections in the state store: one document per connection, an index document per
/// account and region that lists them in creation order (the state port has no scans), and one
/// per region for operators, who review every account's applications. Both are <see cref="ListIndex"/>es: adding a
/// connection costs the same however many the region holds.
/// Reads return the store ETag; writes are returned as operations for the caller's transaction.
/// </summary>
public sealed class PhysicalConnectionStore(IStateStore store)
{
    private static PhysicalConnectionsJsonContext Json => PhysicalConnectionsJsonContext.Default;

    // Every read still goes to the store; a connection whose bytes did not change since the last read is not parsed again.
    private readonly ParsedDocuments<PhysicalConnection> _parsed = new(Json.PhysicalConnection);

    /// <summary>Reads one connection.</summary>
    public Task<Versioned<PhysicalConnection>?> GetAsync(string id, CancellationToken cancellationToken) =>
        _parsed.GetAsync(store, Key(id), cancellationToken);

    /// <summary>Reads the index of an account's connections in a region, for listing (empty when there is none yet).</summary>
    public Task<ListIndexView> GetIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>Reads the index of every account's connections in a region (what operators review), for listing.</summary>
    public Task<ListIndexView> GetRegionIndexAsync(string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(RegionIndexKey(region), cancellationToken);

    /// <summary>
    /// Reads what adding connections for <paramref name="accountIds"/> changes besides the connections themselves, in one
    /// bulk read: the region's index, and each account's index and usage in the region.
    /// </summary>
    public async Task<(ListIndexAppend Region, IReadOnlyDictionary<string, AccountForCreate> Accounts)> GetForCreateAsync(
        IReadOnlyCollection<string> accountIds, string region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        var regional = RegionIndexKey(region);
        var items = await store.GetBulkAsync(
            [regional, .. accountIds.SelectMany(a => new[] { IndexKey(a, region), UsageKey(a, region), PartnerStore.Key(region, a) })], cancellationToken)
            .ConfigureAwait(false);
        var accounts = new Dictionary<string, AccountForCreate>(StringComparer.Ordinal);
        foreach (var accountId in accountIds)
        {
            string index = IndexKey(accountId, region), usageKey = UsageKey(accountId, region);
            var usage = items.GetValueOrDefault(usageKey)?.AsDocument(Json.AccountUsage);
            accounts[accountId] = new AccountForCreate(ListIndex.ForAppend(index, items.GetValueOrDefault(index)), usage?.Value ?? AccountUsage.None,
                usage?.Unchanged ?? ETagCondition.MustNotExist, items.GetValueOrDefault(PartnerStore.Key(region, accountId))?.AsDocument(Json.Partner)?.Value is { Deleted: false } partner ? partner : null);
        }

        return (ListIndex.ForAppend(regional, items.GetValueOrDefault(regional)), accounts);
    }

    /// <summary>Reads how many connections of an account in a region count against its quota.</summary>
    public async Task<(AccountUsage Usage, ETagCondition Unchanged)> GetUsageAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        var usage = await store.GetDocumentAsync(UsageKey(accountId, region), Json.AccountUsage, cancellationToken).ConfigureAwait(false);
        return usage is null ? (AccountUsage.None, ETagCondition.MustNotExist) : (usage.Value, usage.Unchanged);
    }

    /// <summary>The write of an account's usage.</summary>
    public static UpsertState PutUsage(string accountId, string region, AccountUsage usage, ETagCondition condition) =>
        StateDocuments.Put(UsageKey(accountId, region), usage, Json.AccountUsage, condition);

    /// <summary>Reads the connections with <paramref name="ids"/>, in that order.</summary>
    public Task<IReadOnlyList<PhysicalConnection>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.PhysicalConnection, cancellationToken);

    /// <summary>The write of <paramref name="connection"/>.</summary>
    public static UpsertState Put(PhysicalConnection connection, ETagCondition condition) =>
        StateDocuments.Put(Key(connection.Id), connection, Json.PhysicalConnection, condition);

    private static string Key(string id) => $"physical-connections/{id}";

    private static string RegionIndexKey(string region) => $"physical-connections-by-region/{region}";

    private static string UsageKey(string accountId, string region) => $"physical-connection-usage/{accountId}/{region}";

    private static string IndexKey(string accountId, string region) => $"physical-connections-by-account/{accountId}/{region}";
}

/// <summary>
/// An account's side of adding connections in a region: its index, its usage as read with the ETag it was read with, and
/// its partner registration there, if any (a partner's lines count against the partner's own quota).
/// </summary>
public sealed record AccountForCreate(ListIndexAppend Index, AccountUsage Usage, ETagCondition UsageUnchanged, Partner? Partner);
