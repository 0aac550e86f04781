using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// Reads run on long-lived connections with their statement prepared once, and still see every
/// commit of other connections: no read leaves a read transaction (an old snapshot) open behind it.
/// </summary>
public sealed class ReadsReuseTheirConnectionsAndSeeOtherConnectionsCommits : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task SequentialReadsOpenOneConnectionAndParallelOnesNoMoreThanRunAtOnce()
    {
        await using var services = StoreOnly(_database.Path);
        var store = (SqliteStateStore)services.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("v"), ETagCondition.MustNotExist));

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("v", (await store.GetAsync("k"))!.Text());
            Assert.Single(await store.GetBulkAsync(["k", "absent"]));
        }

        Assert.Equal(1, store.ReadConnectionsOpened);

        var parallel = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.GetAsync("k"))));
        Assert.All(parallel, item => Assert.Equal("v", item!.Text()));
        Assert.InRange(store.ReadConnectionsOpened, 1, 64);
    }

    [Fact]
    public async Task AReadAfterAnotherConnectionsCommitSeesIt()
    {
        await using var services = StoreOnly(_database.Path);
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("before"), ETagCondition.MustNotExist));
        Assert.Equal("before", (await store.GetAsync("k"))!.Text());

        // As another process would: a connection outside the adapter.
        using (var foreign = _database.OpenRaw())
        using (var update = foreign.CreateCommand())
        {
            update.CommandText = "UPDATE state SET value = CAST('after' AS BLOB), etag = 'foreign' WHERE key = 'k'; INSERT INTO state (key, value, etag) VALUES ('new', x'6E', 'e1');";
            update.ExecuteNonQuery();
        }

        var read = await store.GetBulkAsync(["k", "new"]);
        Assert.Equal("after", read["k"].Text());
        Assert.Equal("foreign", read["k"].ETag);
        Assert.Equal("n", read["new"].Text());
    }

    [Fact]
    public async Task NoReadHoldsASnapshotSoACheckpointCanEmptyTheWriteAheadLog()
    {
        await using var services = StoreOnly(_database.Path);
        var store = services.Store();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await store.TrySaveAsync($"k{i}", Bytes("v"), ETagCondition.MustNotExist));
        }

        Assert.Equal(10, (await store.GetBulkAsync([.. Enumerable.Range(0, 10).Select(i => $"k{i}")])).Count);
        Assert.NotNull(await store.GetAsync("k0"));

        // TRUNCATE resets the log only once no connection reads from it; without waiting, it reports
        // busy (1) when a connection still holds a snapshot.
        using var foreign = _database.OpenRaw();
        using (var noWait = foreign.CreateCommand())
        {
            noWait.CommandText = "PRAGMA busy_timeout = 0";
            noWait.ExecuteNonQuery();
        }

        using var checkpoint = foreign.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = checkpoint.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(0L, reader.GetInt64(0));
        Assert.Equal(0L, new FileInfo(_database.Path + "-wal").Length);
    }

    public void Dispose() => _database.Dispose();
}
