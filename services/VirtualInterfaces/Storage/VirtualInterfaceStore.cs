using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Domain;

namespace DirectConnect.VirtualInterfaces.Storage;

/// <summary>
/// Virtual interfaces, their per-account index, and the creation intents with the index the
/// reconciler reads (the state port has no scans).
/// </summary>
public sealed class VirtualInterfaceStore(IStateStore store)
{
    private const string IntentIndexKey = "virtual-interface-intents";

    private static VirtualInterfacesJsonContext Json => VirtualInterfacesJsonContext.Default;

    /// <summary>Reads one interface.</summary>
    public Task<Versioned<VirtualInterface>?> GetAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(id), Json.VirtualInterface, cancellationToken);

    /// <summary>Reads several interfaces, in order.</summary>
    public Task<IReadOnlyList<VirtualInterface>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.VirtualInterface, cancellationToken);

    /// <summary>Reads an account's index in a region.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>Reads one creation intent.</summary>
    public Task<Versioned<CreationIntent>?> GetIntentAsync(string virtualInterfaceId, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(IntentKey(virtualInterfaceId), Json.CreationIntent, cancellationToken);

    /// <summary>Reads the index of open creation intents.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetIntentIndexAsync(CancellationToken cancellationToken) =>
        store.GetIndexAsync(IntentIndexKey, cancellationToken);

    /// <summary>The write of an interface.</summary>
    public static UpsertState Put(VirtualInterface vif, ETagCondition condition) => StateDocuments.Put(Key(vif.Id), vif, Json.VirtualInterface, condition);

    /// <summary>The write of an account's index.</summary>
    public static UpsertState PutIndex(string accountId, string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex(IndexKey(accountId, region), index, condition);

    /// <summary>The write of a creation intent.</summary>
    public static UpsertState PutIntent(CreationIntent intent, ETagCondition condition) =>
        StateDocuments.Put(IntentKey(intent.VirtualInterfaceId), intent, Json.CreationIntent, condition);

    /// <summary>The removal of a creation intent.</summary>
    public static DeleteState DeleteIntent(string virtualInterfaceId, ETagCondition condition) => new(IntentKey(virtualInterfaceId), condition);

    /// <summary>The write of the intent index.</summary>
    public static UpsertState PutIntentIndex(IdIndex index, ETagCondition condition) => StateDocuments.PutIndex(IntentIndexKey, index, condition);

    private static string Key(string id) => $"virtual-interfaces/{id}";

    private static string IndexKey(string accountId, string region) => $"virtual-interfaces-by-account/{accountId}/{region}";

    private static string IntentKey(string id) => $"virtual-interface-intents/{id}";
}
