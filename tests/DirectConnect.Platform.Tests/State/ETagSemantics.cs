using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

public abstract class InsertWithMustNotExistSucceedsOnlyOnce(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task SecondInsertOfTheSameKeyFailsAndKeepsTheFirstValue()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();

        Assert.True(await store.TrySaveAsync("port/1", Bytes("first"), ETagCondition.MustNotExist));
        Assert.False(await store.TrySaveAsync("port/1", Bytes("second"), ETagCondition.MustNotExist));

        var item = await store.GetAsync("port/1");
        Assert.NotNull(item);
        Assert.Equal("first", item.Text());
        Assert.Equal("port/1", item.Key);
        Assert.False(string.IsNullOrEmpty(item.ETag));
    }
}

public abstract class SaveWithTheReadETagMakesThatETagStale(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task OldETagIsRejectedOnceTheKeyWasWrittenWithIt()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("doc", Bytes("v1"), ETagCondition.MustNotExist));
        var read = await store.GetAsync("doc");
        Assert.NotNull(read);

        Assert.True(await store.TrySaveAsync("doc", Bytes("v2"), ETagCondition.Matches(read.ETag)));
        var afterWrite = await store.GetAsync("doc");
        Assert.NotNull(afterWrite);
        Assert.Equal("v2", afterWrite.Text());
        Assert.NotEqual(read.ETag, afterWrite.ETag);

        Assert.False(await store.TrySaveAsync("doc", Bytes("v3 from a stale read"), ETagCondition.Matches(read.ETag)));
        var final = await store.GetAsync("doc");
        Assert.NotNull(final);
        Assert.Equal("v2", final.Text());
        Assert.Equal(afterWrite.ETag, final.ETag);
    }

    [Fact]
    public async Task ETagConditionOnAnAbsentKeyFails()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("other", Bytes("x"), ETagCondition.MustNotExist));
        var etagOfAnotherKey = (await store.GetAsync("other"))!.ETag;

        Assert.False(await store.TrySaveAsync("absent", Bytes("y"), ETagCondition.Matches(etagOfAnotherKey)));
        Assert.Null(await store.GetAsync("absent"));
    }

    [Fact]
    public async Task ConditionForWhatWasReadRequiresAbsenceWhenNothingWasRead()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var nothing = await store.GetAsync("k");
        Assert.Null(nothing);
        Assert.True(await store.TrySaveAsync("k", Bytes("1"), ETagCondition.For(nothing)));
        Assert.False(await store.TrySaveAsync("k", Bytes("2"), ETagCondition.For(nothing)));

        var read = await store.GetAsync("k");
        Assert.True(await store.TrySaveAsync("k", Bytes("3"), ETagCondition.For(read)));
        Assert.False(await store.TrySaveAsync("k", Bytes("4"), ETagCondition.For(read)));
        Assert.Equal("3", (await store.GetAsync("k"))!.Text());
    }
}

public abstract class SaveWithAnyOverwritesWhateverIsThere(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task AnyCreatesAnAbsentKeyAndReplacesAPresentOne()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();

        Assert.True(await store.TrySaveAsync("cfg", Bytes("a"), ETagCondition.Any));
        var first = await store.GetAsync("cfg");
        Assert.NotNull(first);
        Assert.Equal("a", first.Text());

        Assert.True(await store.TrySaveAsync("cfg", Bytes("b"), ETagCondition.Any));
        var second = await store.GetAsync("cfg");
        Assert.NotNull(second);
        Assert.Equal("b", second.Text());
        Assert.NotEqual(first.ETag, second.ETag);
    }
}

public abstract class KeyDeletedAndCreatedAgainRejectsAnETagReadBeforeTheDelete(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task ETagFromBeforeTheDeleteIsStaleEvenForTheSameValue()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("vif/7", Bytes("same"), ETagCondition.MustNotExist));
        var beforeDelete = (await store.GetAsync("vif/7"))!;

        Assert.True(await store.TryDeleteAsync("vif/7", ETagCondition.Matches(beforeDelete.ETag)));
        Assert.Null(await store.GetAsync("vif/7"));
        Assert.True(await store.TrySaveAsync("vif/7", Bytes("same"), ETagCondition.MustNotExist));
        var recreated = (await store.GetAsync("vif/7"))!;
        Assert.NotEqual(beforeDelete.ETag, recreated.ETag);

        Assert.False(await store.TrySaveAsync("vif/7", Bytes("stale write"), ETagCondition.Matches(beforeDelete.ETag)));
        Assert.False(await store.TryDeleteAsync("vif/7", ETagCondition.Matches(beforeDelete.ETag)));
        var final = (await store.GetAsync("vif/7"))!;
        Assert.Equal("same", final.Text());
        Assert.Equal(recreated.ETag, final.ETag);
    }
}

public abstract class DeleteWithAStaleETagFailsAndLeavesTheValue(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task OnlyTheCurrentETagDeletes()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("conn/1", Bytes("v1"), ETagCondition.MustNotExist));
        var stale = (await store.GetAsync("conn/1"))!;
        Assert.True(await store.TrySaveAsync("conn/1", Bytes("v2"), ETagCondition.Any));
        var current = (await store.GetAsync("conn/1"))!;

        Assert.False(await store.TryDeleteAsync("conn/1", ETagCondition.Matches(stale.ETag)));
        var kept = await store.GetAsync("conn/1");
        Assert.NotNull(kept);
        Assert.Equal("v2", kept.Text());
        Assert.Equal(current.ETag, kept.ETag);

        Assert.True(await store.TryDeleteAsync("conn/1", ETagCondition.Matches(current.ETag)));
        Assert.Null(await store.GetAsync("conn/1"));
    }

    [Fact]
    public async Task DeletingAnAbsentKeyWithAnySucceedsAndWithAnETagFails()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("present", Bytes("p"), ETagCondition.MustNotExist));
        var etag = (await store.GetAsync("present"))!.ETag;

        Assert.True(await store.TryDeleteAsync("absent", ETagCondition.Any));
        Assert.False(await store.TryDeleteAsync("absent", ETagCondition.Matches(etag)));
        Assert.NotNull(await store.GetAsync("present"));
    }
}

public sealed class InsertWithMustNotExistSucceedsOnlyOnceOnSqlite() : InsertWithMustNotExistSucceedsOnlyOnce(new SqliteAdapter());

public sealed class InsertWithMustNotExistSucceedsOnlyOnceOnDapr() : InsertWithMustNotExistSucceedsOnlyOnce(new DaprAdapter());

public sealed class SaveWithTheReadETagMakesThatETagStaleOnSqlite() : SaveWithTheReadETagMakesThatETagStale(new SqliteAdapter());

public sealed class SaveWithTheReadETagMakesThatETagStaleOnDapr() : SaveWithTheReadETagMakesThatETagStale(new DaprAdapter());

public sealed class SaveWithAnyOverwritesWhateverIsThereOnSqlite() : SaveWithAnyOverwritesWhateverIsThere(new SqliteAdapter());

public sealed class SaveWithAnyOverwritesWhateverIsThereOnDapr() : SaveWithAnyOverwritesWhateverIsThere(new DaprAdapter());

public sealed class KeyDeletedAndCreatedAgainRejectsAnETagReadBeforeTheDeleteOnSqlite() : KeyDeletedAndCreatedAgainRejectsAnETagReadBeforeTheDelete(new SqliteAdapter());

public sealed class KeyDeletedAndCreatedAgainRejectsAnETagReadBeforeTheDeleteOnDapr() : KeyDeletedAndCreatedAgainRejectsAnETagReadBeforeTheDelete(new DaprAdapter());

public sealed class DeleteWithAStaleETagFailsAndLeavesTheValueOnSqlite() : DeleteWithAStaleETagFailsAndLeavesTheValue(new SqliteAdapter());

public sealed class DeleteWithAStaleETagFailsAndLeavesTheValueOnDapr() : DeleteWithAStaleETagFailsAndLeavesTheValue(new DaprAdapter());
