using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// The write-ahead log is checkpointed in the background: under a steady stream of commits it stays far below the size
/// at which a commit would checkpoint by itself (<see cref="SqliteDatabase.AutoCheckpointPages"/>), and everything
/// committed is still read back.
/// </summary>
public sealed class TheLogIsCheckpointedBesideTheWriters : IDisposable
{
    private const int Transactions = 1_500;
    private const int DocumentsPerTransaction = 8;
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task ASteadyStreamOfCommitsKeepsTheLogFarBelowTheSizeAtWhichACommitWouldCheckpoint()
    {
        await using var host = await CoordinationHost.StartAsync(_database.Path, s => s
            .Configure<SqliteCoordinationOptions>(o => o.CheckpointInterval = TimeSpan.FromMilliseconds(20)));
        var checkpointer = host.Services.GetRequiredService<SqliteCheckpointer>();
        await Eventually.HoldsAsync(() => checkpointer.Checkpoints > 0, () => "the checkpointer never ran");
        var value = new byte[3_000]; // each document fills most of a 4 KB page
        Random.Shared.NextBytes(value);

        // About 1,500 × 8 pages: more than the 10,000 pages at which a commit checkpoints by itself.
        for (var i = 0; i < Transactions; i++)
        {
            // As requests do, each commit comes in as its own work item: a loop that never yields would hold a thread of the
            // test host's small pool and starve the checkpointer's timer, which a server's pool does not.
            await Task.Yield();
            Assert.True(await host.Store.TryExecuteTransactionAsync(
                [.. Enumerable.Range(0, DocumentsPerTransaction).Select(d => new UpsertState($"steady/{i % 50}/{d}", value, ETagCondition.Any))], []));
        }

        var log = new FileInfo(_database.Path + "-wal");
        Assert.True(checkpointer.Checkpoints > 0, $"the checkpointer never ran; log {new FileInfo(_database.Path + "-wal").Length}");
        // Without the background checkpoint the log grows to about 40 MB (10,000 pages) before a commit copies it back.
        Assert.True(log.Length < 16 * 1024 * 1024, $"the log grew to {log.Length:N0} bytes");
        var read = await host.Store.GetBulkAsync([.. Enumerable.Range(0, 50).SelectMany(i => Enumerable.Range(0, DocumentsPerTransaction).Select(d => $"steady/{i}/{d}"))]);
        Assert.Equal(50 * DocumentsPerTransaction, read.Count);
        Assert.All(read.Values, item => Assert.Equal(value, item.Value.ToArray()));
    }

    public void Dispose() => _database.Dispose();
}
