using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Storage;

/// <summary>
/// Hosted connections in the state store: one document per hosted connection, and two list indexes per region, one for
/// the partner that allocated them and one for the customer that holds them (each side lists its own).
/// </summary>
public sealed class HostedConnectionStore(IStateStore store)
{
    private static PhysicalConnectionsJsonContext Json => PhysicalConnectionsJsonContext.Default;

    /// <summary>Reads one hosted connection.</summary>
    public Task<Versioned<HostedConnection>?> GetAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(id), Json.HostedConnection, cancellationToken);

    /// <summary>Reads the partner's and the customer's indexes, for adding a hosted connection to both in one transaction.</summary>
    public Task<(ListIndexAppend Partner, ListIndexAppend Customer)> GetIndexesForAppendAsync(string partnerAccountId, string customerAccountId,
        string region, CancellationToken cancellationToken) =>
        store.ReadForAppendAsync(PartnerIndexKey(partnerAccountId, region), CustomerIndexKey(customerAccountId, region), cancellationToken);

    /// <summary>Reads the index of what a partner allocated in a region, for listing.</summary>
    public Task<ListIndexView> GetPartnerIndexAsync(string partnerAccountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(PartnerIndexKey(partnerAccountId, region), cancellationToken);

    /// <summary>Reads the index of what a customer holds in a region, for listing.</summary>
    public Task<ListIndexView> GetCustomerIndexAsync(string customerAccountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(CustomerIndexKey(customerAccountId, region), cancellationToken);

    /// <summary>Reads the hosted connections with <paramref name="ids"/>, in that order.</summary>
    public Task<IReadOnlyList<HostedConnection>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.HostedConnection, cancellationToken);

    /// <summary>The write of <paramref name="hosted"/>.</summary>
    public static UpsertState Put(HostedConnection hosted, ETagCondition condition) =>
        StateDocuments.Put(Key(hosted.Id), hosted, Json.HostedConnection, condition);

    private static string Key(string id) => $"hosted-connections/{id}";

    private static string PartnerIndexKey(string partnerAccountId, string region) => $"hosted-connections-by-partner/{partnerAccountId}/{region}";

    private static string CustomerIndexKey(string customerAccountId, string region) => $"hosted-connections-by-account/{customerAccountId}/{region}";
}
