using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// The writers of one process queue for each other and never meet SQLite's busy answer (on which
/// Microsoft.Data.Sqlite sleeps 150 ms); a writer of another connection is waited for, not failed.
/// </summary>
public sealed class WritersOfOneProcessQueueInsteadOfMeetingABusyDatabase : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task SixtyFourParallelTransactionsOnOneFileNeverFindTheWriteLockTaken()
    {
        await using var services = StoreOnly(_database.Path);
        var store = services.Store();
        var database = services.GetRequiredService<SqliteDatabase>();
        // A second adapter instance on the same file in this process shares the queue.
        await using var other = StoreOnly(_database.Path);

        var transactions = Enumerable.Range(0, 64).Select(i => Task.Run(() => (i % 2 == 0 ? store : other.Store()).TryExecuteTransactionAsync(
            [
                new UpsertState($"parallel/{i}/a", Bytes("a"), ETagCondition.MustNotExist),
                new UpsertState($"parallel/{i}/b", Bytes("b"), ETagCondition.MustNotExist),
            ],
            [Event($"parallel-{i}")])));
        var committed = await Task.WhenAll(transactions);

        Assert.All(committed, Assert.True);
        Assert.Equal(128, (await store.GetBulkAsync([.. Enumerable.Range(0, 64).SelectMany(i => new[] { $"parallel/{i}/a", $"parallel/{i}/b" })])).Count);
        Assert.Equal(0, database.LockedByOtherConnection);
        Assert.Equal(0, other.GetRequiredService<SqliteDatabase>().LockedByOtherConnection);
    }

    [Fact]
    public async Task AWriteTransactionOfAnotherConnectionIsWaitedForAndTheWriteThenCommits()
    {
        await using var services = StoreOnly(_database.Path);
        var store = services.Store();
        var database = services.GetRequiredService<SqliteDatabase>();
        using var foreign = _database.OpenRaw(); // as another process would: a connection outside the adapter
        using (var begin = foreign.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO state (key, value, etag) VALUES ('foreign', x'00', 'e1');";
            begin.ExecuteNonQuery();
        }

        var write = Task.Run(() => store.TrySaveAsync("mine", Bytes("mine"), ETagCondition.MustNotExist));
        await Eventually.HoldsAsync(() => database.LockedByOtherConnection == 1, () => "the write never found the lock taken");
        Assert.False(write.IsCompleted);
        using (var commit = foreign.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }

        Assert.True(await write);
        Assert.NotNull(await store.GetAsync("mine"));
        Assert.NotNull(await store.GetAsync("foreign"));
    }

    [Fact]
    public async Task WriteTransactionsShareOneConnectionWhichOutlivesAFailedStatementAndARollback()
    {
        await using var services = StoreOnly(_database.Path);
        var store = services.Store();
        var database = services.GetRequiredService<SqliteDatabase>();
        var opened = database.WriteConnectionsOpened; // the schema's transaction at start opened it
        Assert.Equal(1, opened);

        for (var i = 0; i < 40; i++)
        {
            Assert.True(await store.TrySaveAsync($"shared/{i}", Bytes($"{i}"), ETagCondition.MustNotExist));
        }

        // A statement that fails inside a transaction, and a transaction that ends without its commit: both roll back.
        using (var failing = await database.BeginWriteAsync())
        {
            failing.Command("INSERT INTO state (key, value, etag) VALUES ('half-written', x'00', 'e1')").ExecuteNonQuery();
            Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => failing.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQuery());
        }

        using (var abandoned = await database.BeginWriteAsync())
        {
            var insert = abandoned.Command("INSERT INTO state (key, value, etag) VALUES ($key, x'00', 'e1')");
            insert.Parameters.AddWithValue("$key", "abandoned");
            insert.ExecuteNonQuery();
        }

        // A conflict (an ETag that does not match) rolls back the statements before it too.
        Assert.False(await store.TryExecuteTransactionAsync(
            [new UpsertState("conflicted", Bytes("x"), ETagCondition.MustNotExist), new UpsertState("shared/0", Bytes("y"), ETagCondition.MustNotExist)], []));

        Assert.True(await store.TrySaveAsync("after", Bytes("after"), ETagCondition.MustNotExist));
        Assert.Equal(1, database.WriteConnectionsOpened);
        var items = await store.GetBulkAsync(["half-written", "abandoned", "conflicted", "after", "shared/0", "shared/39"]);
        Assert.Equal(["after", "shared/0", "shared/39"], items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("0", items["shared/0"].Text());
    }

    public void Dispose() => _database.Dispose();
}
