using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

public abstract class TransactionWithAStaleETagWritesNothing(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Theory]
    [InlineData("stale-etag-last")]
    [InlineData("must-not-exist-first")]
    [InlineData("matches-absent-middle")]
    public async Task NoKeyChangesAndNoEventIsPublished(string failing)
    {
        var log = new DeliveryLog<FirstSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("tx-watcher", log));
        var store = host.Store;
        Assert.True(await store.TryExecuteTransactionAsync(
            [
                new UpsertState("a", Bytes("a0"), ETagCondition.MustNotExist),
                new UpsertState("b", Bytes("b0"), ETagCondition.MustNotExist),
            ],
            []));
        var a = (await store.GetAsync("a"))!;
        var staleB = (await store.GetAsync("b"))!;
        Assert.True(await store.TrySaveAsync("b", Bytes("b1"), ETagCondition.Any));
        var b = (await store.GetAsync("b"))!;

        StateOperation[] operations = failing switch
        {
            // every write before the failing condition was already applied inside the transaction
            "stale-etag-last" =>
            [
                new UpsertState("a", Bytes("a-new"), ETagCondition.Matches(a.ETag)),
                new UpsertState("c", Bytes("c-new"), ETagCondition.MustNotExist),
                new DeleteState("d", ETagCondition.Any),
                new DeleteState("b", ETagCondition.Matches(staleB.ETag)),
            ],
            "must-not-exist-first" =>
            [
                new UpsertState("a", Bytes("a-new"), ETagCondition.MustNotExist),
                new UpsertState("c", Bytes("c-new"), ETagCondition.MustNotExist),
                new DeleteState("b", ETagCondition.Matches(b.ETag)),
            ],
            _ =>
            [
                new DeleteState("b", ETagCondition.Matches(b.ETag)),
                new UpsertState("c", Bytes("c-new"), ETagCondition.Matches(a.ETag)),
                new UpsertState("a", Bytes("a-new"), ETagCondition.Matches(a.ETag)),
            ],
        };

        var committed = await store.TryExecuteTransactionAsync(operations, [Event("rolled-back-1"), Event("rolled-back-2")]);

        Assert.False(committed);
        var after = await store.GetBulkAsync(["a", "b", "c"]);
        Assert.Equal(["a", "b"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a0", after["a"].Text());
        Assert.Equal(a.ETag, after["a"].ETag);
        Assert.Equal("b1", after["b"].Text());
        Assert.Equal(b.ETag, after["b"].ETag);

        // Events are delivered in order: had the rolled-back ones been published, they would come first.
        Assert.True(await store.TryPublishAsync(Event("marker")));
        await log.WaitForAsync("marker");
        Assert.Equal(["marker"], log.Ids);
        Assert.DoesNotContain(Adapter.RecordedEventIds(), id => id.StartsWith("rolled-back-", StringComparison.Ordinal));
    }
}

public abstract class TransactionWhoseConditionsAllHoldWritesEveryKeyAndPublishesEveryEvent(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task EveryWriteIsVisibleAndEveryEventReachesTheSubscriber()
    {
        var log = new DeliveryLog<FirstSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("tx-watcher", log));
        var store = host.Store;
        Assert.True(await store.TryExecuteTransactionAsync(
            [
                new UpsertState("a", Bytes("a0"), ETagCondition.MustNotExist),
                new UpsertState("b", Bytes("b0"), ETagCondition.MustNotExist),
            ],
            []));
        var a = (await store.GetAsync("a"))!;
        var b = (await store.GetAsync("b"))!;

        var committed = await store.TryExecuteTransactionAsync(
            [
                new UpsertState("a", Bytes("a1"), ETagCondition.Matches(a.ETag)),
                new DeleteState("b", ETagCondition.Matches(b.ETag)),
                new UpsertState("c", Bytes("c1"), ETagCondition.MustNotExist),
                new UpsertState("d", Bytes("d1"), ETagCondition.Any),
            ],
            [Event("first"), Event("second"), Event("third")]);

        Assert.True(committed);
        var after = await store.GetBulkAsync(["a", "b", "c", "d"]);
        Assert.Equal(["a", "c", "d"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a1", after["a"].Text());
        Assert.NotEqual(a.ETag, after["a"].ETag);
        Assert.Equal("c1", after["c"].Text());
        Assert.Equal("d1", after["d"].Text());

        await log.WaitForAllAsync(["first", "second", "third"]);
        Assert.Equal(["first", "second", "third"], log.Ids);
    }
}

public sealed class TransactionWithAStaleETagWritesNothingOnSqlite() : TransactionWithAStaleETagWritesNothing(new SqliteAdapter());

public sealed class TransactionWithAStaleETagWritesNothingOnDapr() : TransactionWithAStaleETagWritesNothing(new DaprAdapter());

public sealed class TransactionWhoseConditionsAllHoldWritesEveryKeyAndPublishesEveryEventOnSqlite() : TransactionWhoseConditionsAllHoldWritesEveryKeyAndPublishesEveryEvent(new SqliteAdapter());

public sealed class TransactionWhoseConditionsAllHoldWritesEveryKeyAndPublishesEveryEventOnDapr() : TransactionWhoseConditionsAllHoldWritesEveryKeyAndPublishesEveryEvent(new DaprAdapter());
