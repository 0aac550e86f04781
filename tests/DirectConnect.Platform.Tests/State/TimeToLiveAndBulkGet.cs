using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

public abstract class ItemSavedWithATimeToLiveExpires(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task ReadsAsAbsentAfterItsTimeToLiveAndMayThenBeInsertedAgain()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        // Whole seconds: Dapr's TTL (ttlInSeconds) has no finer grain.
        var shortLived = TimeSpan.FromSeconds(1);
        Assert.True(await store.TryExecuteTransactionAsync(
            [
                new UpsertState("lease/short", Bytes("soon gone"), ETagCondition.MustNotExist, shortLived),
                new UpsertState("lease/long", Bytes("stays"), ETagCondition.MustNotExist, TimeSpan.FromHours(1)),
            ],
            []));

        // The expiry is computed when the transaction commits, so it has passed after this wait.
        await Task.Delay(shortLived + TimeSpan.FromMilliseconds(500));

        Assert.Null(await store.GetAsync("lease/short"));
        var bulk = await store.GetBulkAsync(["lease/short", "lease/long"]);
        Assert.Equal(["lease/long"], bulk.Keys);
        Assert.Equal("stays", bulk["lease/long"].Text());

        Assert.False(await store.TrySaveAsync("lease/long", Bytes("x"), ETagCondition.MustNotExist));
        Assert.True(await store.TrySaveAsync("lease/short", Bytes("again"), ETagCondition.MustNotExist));
        var again = await store.GetAsync("lease/short");
        Assert.NotNull(again);
        Assert.Equal("again", again.Text());
    }

    /// <summary>
    /// An expired item's old ETag no longer updates it; a delete under that ETag succeeds (the item is
    /// gone either way). That is what state.postgresql v2 does (components-contrib
    /// state/postgresql/v2/postgresql.go: the conditional UPDATE checks expires_at, the conditional DELETE
    /// does not), and both adapters say the same.
    /// </summary>
    [Fact]
    public async Task TheETagItHadBeforeExpiryNoLongerUpdatesItButStillDeletesIt()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var ttl = TimeSpan.FromSeconds(1);
        Assert.True(await store.TryExecuteTransactionAsync(
            [new UpsertState("lock", Bytes("held"), ETagCondition.MustNotExist, ttl)], []));
        // The ETag the lock was written with, read behind the port so that no read races the expiry.
        var etag = Adapter.StoredETag("lock");
        Assert.NotNull(etag);

        await Task.Delay(ttl + TimeSpan.FromMilliseconds(500));

        Assert.False(await store.TrySaveAsync("lock", Bytes("renewed too late"), ETagCondition.Matches(etag)));
        Assert.Null(await store.GetAsync("lock"));
        Assert.True(await store.TryDeleteAsync("lock", ETagCondition.Matches(etag)));
        Assert.Null(Adapter.StoredETag("lock"));
    }
}

public abstract class BulkGetReturnsOnlyThePresentKeys(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task AbsentAndDeletedKeysAreMissingFromTheResult()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TryExecuteTransactionAsync(
            [
                new UpsertState("a", Bytes("A"), ETagCondition.MustNotExist),
                new UpsertState("b", Bytes("B"), ETagCondition.MustNotExist),
                new UpsertState("c", Bytes("C"), ETagCondition.MustNotExist),
            ],
            []));
        Assert.True(await store.TryDeleteAsync("c", ETagCondition.Any));

        var result = await store.GetBulkAsync(["a", "never-written", "c", "b"]);

        Assert.Equal(["a", "b"], result.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("A", result["a"].Text());
        Assert.Equal("B", result["b"].Text());
        Assert.Equal("a", result["a"].Key);
        Assert.Equal((await store.GetAsync("a"))!.ETag, result["a"].ETag);
        Assert.Equal((await store.GetAsync("b"))!.ETag, result["b"].ETag);
        Assert.Empty(await store.GetBulkAsync([]));
        Assert.Empty(await store.GetBulkAsync(["x", "y"]));
    }
}

public sealed class ItemSavedWithATimeToLiveExpiresOnSqlite() : ItemSavedWithATimeToLiveExpires(new SqliteAdapter());

public sealed class ItemSavedWithATimeToLiveExpiresOnDapr() : ItemSavedWithATimeToLiveExpires(new DaprAdapter());

public sealed class BulkGetReturnsOnlyThePresentKeysOnSqlite() : BulkGetReturnsOnlyThePresentKeys(new SqliteAdapter());

public sealed class BulkGetReturnsOnlyThePresentKeysOnDapr() : BulkGetReturnsOnlyThePresentKeys(new DaprAdapter());
