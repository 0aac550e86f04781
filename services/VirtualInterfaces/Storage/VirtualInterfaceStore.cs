using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Domain;

namespace DirectConnect.VirtualInterfaces.Storage;

/// <summary>
/// Virtual interfaces, their per-account index and usage (the quota), the creation intents and
/// the tombstones of rolled-back creations, with the indexes the reconciler reads (the state port
/// has no scans).
/// </summary>
public sealed class VirtualInterfaceStore(IStateStore store)
{
    private const string IntentIndexKey = "virtual-interface-intents";
    private const string ReleaseAgainIndexKey = "virtual-interface-releases-due";

    /// <summary>How long the tombstone of a rolled-back creation is kept: far beyond a request id's 24 hours, so no retry revives its id.</summary>
    public static readonly TimeSpan AbandonedRetention = TimeSpan.FromDays(30);

    private static VirtualInterfacesJsonContext Json => VirtualInterfacesJsonContext.Default;

    /// <summary>Reads one interface.</summary>
    public Task<Versioned<VirtualInterface>?> GetAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(id), Json.VirtualInterface, cancellationToken);

    /// <summary>Reads several interfaces, in order.</summary>
    public Task<IReadOnlyList<VirtualInterface>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.VirtualInterface, cancellationToken);

    /// <summary>Reads an account's index in a region, for listing.</summary>
    public Task<ListIndexView> GetIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>Reads an account's index in a region, for adding a new interface.</summary>
    public Task<ListIndexAppend> GetIndexForAppendAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadForAppendAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>Reads one creation intent.</summary>
    public Task<Versioned<CreationIntent>?> GetIntentAsync(string virtualInterfaceId, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(IntentKey(virtualInterfaceId), Json.CreationIntent, cancellationToken);

    /// <summary>Reads the index of open creation intents.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetIntentIndexAsync(CancellationToken cancellationToken) =>
        store.GetIndexAsync(IntentIndexKey, cancellationToken);

    /// <summary>Reads the tombstone of a rolled-back creation.</summary>
    public Task<Versioned<AbandonedCreation>?> GetAbandonedAsync(string virtualInterfaceId, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(AbandonedKey(virtualInterfaceId), Json.AbandonedCreation, cancellationToken);

    /// <summary>Reads the index of rolled-back creations whose second release is still due.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetReleaseAgainIndexAsync(CancellationToken cancellationToken) =>
        store.GetIndexAsync(ReleaseAgainIndexKey, cancellationToken);

    /// <summary>Reads how many interfaces an account holds in a region.</summary>
    public async Task<(VirtualInterfaceUsage Usage, ETagCondition Unchanged)> GetUsageAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        var usage = await store.GetDocumentAsync(UsageKey(accountId, region), Json.VirtualInterfaceUsage, cancellationToken);
        return usage is null ? (new VirtualInterfaceUsage(0), ETagCondition.MustNotExist) : (usage.Value, usage.Unchanged);
    }

    /// <summary>The write of an interface.</summary>
    public static UpsertState Put(VirtualInterface vif, ETagCondition condition) => StateDocuments.Put(Key(vif.Id), vif, Json.VirtualInterface, condition);

    /// <summary>The write of a creation intent.</summary>
    public static UpsertState PutIntent(CreationIntent intent, ETagCondition condition) =>
        StateDocuments.Put(IntentKey(intent.VirtualInterfaceId), intent, Json.CreationIntent, condition);

    /// <summary>The removal of a creation intent.</summary>
    public static DeleteState DeleteIntent(string virtualInterfaceId, ETagCondition condition) => new(IntentKey(virtualInterfaceId), condition);

    /// <summary>The write of the intent index.</summary>
    public static UpsertState PutIntentIndex(IdIndex index, ETagCondition condition) => StateDocuments.PutIndex(IntentIndexKey, index, condition);

    /// <summary>The write of a tombstone (kept <see cref="AbandonedRetention"/>).</summary>
    public static UpsertState PutAbandoned(AbandonedCreation abandoned, ETagCondition condition) =>
        StateDocuments.Put(AbandonedKey(abandoned.VirtualInterfaceId), abandoned, Json.AbandonedCreation, condition) with { TimeToLive = AbandonedRetention };

    /// <summary>The write of the index of second releases due.</summary>
    public static UpsertState PutReleaseAgainIndex(IdIndex index, ETagCondition condition) => StateDocuments.PutIndex(ReleaseAgainIndexKey, index, condition);

    /// <summary>The write of an account's usage in a region.</summary>
    public static UpsertState PutUsage(string accountId, string region, VirtualInterfaceUsage usage, ETagCondition condition) =>
        StateDocuments.Put(UsageKey(accountId, region), usage, Json.VirtualInterfaceUsage, condition);

    /// <summary>Reads a router's desired-state feed (empty when nothing was placed on it yet).</summary>
    public async Task<(RouterFeed Feed, ETagCondition Unchanged)> GetRouterFeedAsync(string routerId, CancellationToken cancellationToken)
    {
        var feed = await store.GetDocumentAsync(RouterFeedKey(routerId), Json.RouterFeed, cancellationToken).ConfigureAwait(false);
        return feed is null ? (RouterFeed.Empty, ETagCondition.MustNotExist) : (feed.Value, feed.Unchanged);
    }

    /// <summary>The write of a router's desired-state feed.</summary>
    public static UpsertState PutRouterFeed(string routerId, RouterFeed feed, ETagCondition condition) =>
        StateDocuments.Put(RouterFeedKey(routerId), feed, Json.RouterFeed, condition);

    private static string RouterFeedKey(string routerId) => $"router-feeds/{routerId}";

    private static string AbandonedKey(string id) => $"virtual-interface-abandoned/{id}";

    private static string UsageKey(string accountId, string region) => $"virtual-interfaces-usage/{accountId}/{region}";

    private static string Key(string id) => $"virtual-interfaces/{id}";

    private static string IndexKey(string accountId, string region) => $"virtual-interfaces-by-account/{accountId}/{region}";

    private static string IntentKey(string id) => $"virtual-interface-intents/{id}";
}
