using DirectConnect.BorderGateways.Domain;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;

namespace DirectConnect.BorderGateways.Storage;

/// <summary>Border gateways, their per-account index, and the service's view of each account's VPCs.</summary>
public sealed class BorderGatewayStore(IStateStore store)
{
    private static BorderGatewaysJsonContext Json => BorderGatewaysJsonContext.Default;

    /// <summary>Reads one gateway.</summary>
    public Task<Versioned<BorderGateway>?> GetAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(Key(id), Json.BorderGateway, cancellationToken);

    /// <summary>Reads several gateways, in order.</summary>
    public Task<IReadOnlyList<BorderGateway>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(Key).ToArray(), Json.BorderGateway, cancellationToken);

    /// <summary>Reads an account's gateways index in a region, for listing.</summary>
    public Task<ListIndexView> GetIndexAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadListIndexAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>Reads an account's gateways index in a region, for adding a new gateway.</summary>
    public Task<ListIndexAppend> GetIndexForAppendAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.ReadForAppendAsync(IndexKey(accountId, region), cancellationToken);

    /// <summary>The ids of every gateway an account created in a region, deleted ones included.</summary>
    public async Task<IReadOnlyList<string>> GetIdsAsync(string accountId, string region, CancellationToken cancellationToken) =>
        await (await GetIndexAsync(accountId, region, cancellationToken).ConfigureAwait(false)).ReadAllAsync().ConfigureAwait(false);

    /// <summary>
    /// Reads how many gateways (not deleted) an account has in a region, the count its quota is checked on;
    /// when none was written yet, the gateways of its index are counted.
    /// </summary>
    public Task<(int Count, ETagCondition Unchanged)> GetCountAsync(string accountId, string region, CancellationToken cancellationToken) =>
        store.GetCountAsync(CountKey(accountId, region), async ct =>
            (await GetManyAsync(await GetIdsAsync(accountId, region, ct).ConfigureAwait(false), ct).ConfigureAwait(false)).Count(g => !g.IsDeleted),
            cancellationToken);

    /// <summary>The write of an account's gateway count in a region.</summary>
    public static UpsertState PutCount(string accountId, string region, int count, ETagCondition condition) =>
        Quotas.PutCount(CountKey(accountId, region), count, condition);

    /// <summary>Reads the VPCs known for an account in a region.</summary>
    public async Task<(KnownVpcs Vpcs, ETagCondition Unchanged)> GetKnownVpcsAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        var known = await store.GetDocumentAsync(VpcsKey(accountId, region), Json.KnownVpcs, cancellationToken).ConfigureAwait(false);
        return known is null ? (KnownVpcs.None, ETagCondition.MustNotExist) : (known.Value, known.Unchanged);
    }

    /// <summary>The write of a gateway.</summary>
    public static UpsertState Put(BorderGateway gateway, ETagCondition condition) =>
        StateDocuments.Put(Key(gateway.Id), gateway, Json.BorderGateway, condition);

    /// <summary>The write of the known VPCs.</summary>
    public static UpsertState PutKnownVpcs(string accountId, string region, KnownVpcs vpcs, ETagCondition condition) =>
        StateDocuments.Put(VpcsKey(accountId, region), vpcs, Json.KnownVpcs, condition);

    /// <summary>Reads one router.</summary>
    public Task<Versioned<Router>?> GetRouterAsync(string id, CancellationToken cancellationToken) =>
        store.GetDocumentAsync(RouterKey(id), Json.Router, cancellationToken);

    /// <summary>Reads several routers, in order.</summary>
    public Task<IReadOnlyList<Router>> GetRoutersAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        store.GetDocumentsAsync(ids.Select(RouterKey).ToArray(), Json.Router, cancellationToken);

    /// <summary>Reads a region's router index.</summary>
    public Task<(IdIndex Index, ETagCondition Unchanged)> GetRouterIndexAsync(string region, CancellationToken cancellationToken) =>
        store.GetIndexAsync(RouterIndexKey(region), cancellationToken);

    /// <summary>The write of a router.</summary>
    public static UpsertState PutRouter(Router router, ETagCondition condition) =>
        StateDocuments.Put(RouterKey(router.Id), router, Json.Router, condition);

    /// <summary>The write of a region's router index.</summary>
    public static UpsertState PutRouterIndex(string region, IdIndex index, ETagCondition condition) =>
        StateDocuments.PutIndex(RouterIndexKey(region), index, condition);

    private static string RouterKey(string id) => $"routers/{id}";

    private static string RouterIndexKey(string region) => $"routers-by-region/{region}";

    private static string Key(string id) => $"border-gateways/{id}";

    private static string IndexKey(string accountId, string region) => $"border-gateways-by-account/{accountId}/{region}";

    private static string VpcsKey(string accountId, string region) => $"border-gateway-vpcs/{accountId}/{region}";

    private static string CountKey(string accountId, string region) => $"border-gateway-count/{accountId}/{region}";
}
