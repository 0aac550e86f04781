using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Storage;

/// <summary>Partners in the state store: one document per region and account (at most one registration each), and a region index for operators.</summary>
public sealed class PartnerStore(IStateStore store)
{
    private static PhysicalConnectionsJsonContext Json => PhysicalConnectionsJsonContext.Default;

    /// <summary>Reads the registration of <paramref name="accountId"/> in <paramref name="region"/>, if any.</summary>
    public Task<Versioned<Partner>?> GetAsync(string region, string accountId, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(region, accountId), Json.Partner, cancellationToken);

    /// <summary>Reads the region's index, for adding a registration to it.</summary>
    public Task<ListIndexAppend> GetIndexForAppendAsync(string region, CancellationToken cancellationToken) =>
        store.ReadForAppendAsync(IndexKey(region), cancellationToken);

    /// <summary>Reads the region's index, for listing.</summary>
    public Task<ListIndexView> GetIndexAsync(string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(IndexKey(region), cancellationToken);

    /// <summary>Reads the registrations of <paramref name="accountIds"/> in <paramref name="region"/>, in that order (tombstones too).</summary>
    public Task<IReadOnlyList<Partner>> GetManyAsync(string region, IReadOnlyList<string> accountIds, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(accountIds.Select(a => Key(region, a)).ToArray(), Json.Partner, cancellationToken);

    /// <summary>The write of <paramref name="partner"/>.</summary>
    public static UpsertState Put(Partner partner, ETagCondition condition) =>
        StateDocuments.Put(Key(partner.Region, partner.AccountId), partner, Json.Partner, condition);

    /// <summary>The key of a registration, for reading it in another service's bulk read (the line quota).</summary>
    public static string Key(string region, string accountId) => $"partners/{region}/{accountId}";

    private static string IndexKey(string region) => $"partners-by-region/{region}";
}
