using System.Globalization;
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

    [Fact]
    public async Task WhatWasReadIsServedUntilTheNextCommitOfAnyConnection()
    {
        await using var services = StoreOnly(_database.Path);
        var store = (SqliteStateStore)services.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("one"), ETagCondition.MustNotExist));
        Assert.Equal("one", (await store.GetAsync("k"))!.Text());
        var served = store.ReadsServedWithoutDatabase;
        Assert.Equal("one", (await store.GetAsync("k"))!.Text());
        Assert.Equal(served + 1, store.ReadsServedWithoutDatabase); // no commit since the last read: not asked again

        // A commit of this store, then one of a connection outside it (as another process's): each is seen at once.
        Assert.True(await store.TrySaveAsync("k", Bytes("two"), ETagCondition.Any));
        Assert.Equal("two", (await store.GetAsync("k"))!.Text());
        using (var foreign = _database.OpenRaw())
        using (var update = foreign.CreateCommand())
        {
            update.CommandText = "UPDATE state SET value = CAST('three' AS BLOB), etag = 'foreign' WHERE key = 'k'";
            update.ExecuteNonQuery();
        }

        var read = (await store.GetAsync("k"))!;
        Assert.Equal(("three", "foreign"), (read.Text(), read.ETag));
        Assert.Equal(served + 1, store.ReadsServedWithoutDatabase);

        // A commit that touches other keys also ends what was kept (it is a new commit), and a checkpoint that resets the
        // log changes nothing that is read.
        Assert.True(await store.TrySaveAsync("other", Bytes("x"), ETagCondition.MustNotExist));
        Assert.Equal("three", (await store.GetAsync("k"))!.Text());
        Assert.Equal(served + 1, store.ReadsServedWithoutDatabase);
        using (var foreign = _database.OpenRaw())
        using (var checkpoint = foreign.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }

        Assert.Equal("three", (await store.GetAsync("k"))!.Text());
        Assert.Equal("three", (await store.GetAsync("k"))!.Text());
        Assert.True(store.ReadsServedWithoutDatabase > served + 1);
    }

    [Fact]
    public async Task AHeaderWhoseTwoCopiesDifferIsNotTrustedAndTheReadGoesToTheDatabase()
    {
        await using var services = StoreOnly(_database.Path);
        var store = (SqliteStateStore)services.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("v"), ETagCondition.MustNotExist));
        Assert.Equal("v", (await store.GetAsync("k"))!.Text());
        Assert.Equal("v", (await store.GetAsync("k"))!.Text());
        var served = store.ReadsServedWithoutDatabase;
        Assert.True(served > 0);

        // As a writer that crashed between the two copies would leave it: the second copy's checksum differs from the
        // first's. SQLite's next reader rebuilds the header from the log (its recovery); this read must not trust it.
        using (var shm = new FileStream(_database.Path + "-shm", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            var checksum = new byte[8];
            shm.Position = 48 + 40;
            shm.ReadExactly(checksum);
            checksum[0] ^= 0xFF;
            shm.Position = 48 + 40;
            shm.Write(checksum);
        }

        Assert.Equal("v", (await store.GetAsync("k"))!.Text());
        Assert.Equal(served, store.ReadsServedWithoutDatabase);
        // Once SQLite has rebuilt the header, reads between commits are served without the database again.
        Assert.Equal("v", (await store.GetAsync("k"))!.Text());
        Assert.Equal("v", (await store.GetAsync("k"))!.Text());
        Assert.True(store.ReadsServedWithoutDatabase > served);
    }

    [Fact]
    public async Task AnotherProcesssCommitsAreSeenByTheFirstReadAfterThemAndNoReadGoesBack()
    {
        const int Commits = 300;
        await using var services = StoreOnly(_database.Path);
        var store = (SqliteStateStore)services.Store();
        var served = store.ReadsServedWithoutDatabase;
        await using var publisher = TestProcess.Start("publish", "--db", _database.Path, "--count", Commits.ToString(CultureInfo.InvariantCulture),
            "--delay-ms", "2", "--topic", Topic);

        // The publisher prints "committed i" once transaction i (which sets the counter to i + 1) has committed. A read
        // that starts after that line must see at least i + 1, and no read may see less than the one before it.
        var reads = 0;
        var previous = 0;
        while (true)
        {
            var exited = publisher.HasExited;
            var reported = publisher.StandardOutput
                .Where(line => line.StartsWith("committed ", StringComparison.Ordinal))
                .Select(line => int.Parse(line["committed ".Length..], CultureInfo.InvariantCulture) + 1)
                .DefaultIfEmpty(0).Max();
            var counter = await store.GetAsync("counter");
            var seen = counter is null ? 0 : int.Parse(counter.Text(), CultureInfo.InvariantCulture);
            reads++;
            Assert.True(seen >= reported, $"read {reads} saw the counter at {seen} after the publisher reported {reported}");
            Assert.True(seen >= previous, $"read {reads} saw the counter at {seen} after an earlier read saw {previous}");
            previous = seen;
            if (exited)
            {
                break;
            }

            // Not a busy loop: tests of other classes run beside this one, some of them on timers (the checkpointer's).
            await Task.Delay(1);
        }

        // The process has exited; its last lines may still be on their way through the pipe.
        await Eventually.HoldsAsync(() => publisher.StandardOutput.Contains("done"), () => $"the publisher did not finish; {publisher.Describe()}");
        Assert.Equal(Commits, previous);
        // Many reads fell between two commits and were served without the database; each commit still showed at once.
        Assert.True(store.ReadsServedWithoutDatabase > served, $"{reads} reads, none served without the database");
    }

    public void Dispose() => _database.Dispose();
}
