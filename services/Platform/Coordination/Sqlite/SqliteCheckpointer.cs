using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file in the background, every
/// <see cref="SqliteCoordinationOptions.CheckpointInterval"/>, so that commits do not.
/// </summary>
/// <remarks>
/// SQLite's own checkpoint runs inside the commit that fills the log past its threshold: that writer copies every page
/// and syncs the file while it still holds the write lock, and every writer queued behind it waits (a create's commit took
/// 230–310 µs on average with it, 140–170 µs without). A PASSIVE checkpoint on a connection of its own takes no write lock,
/// so it runs beside the writers. The log starts again from its beginning only after a checkpoint copied all of it, so
/// once the log is long a second checkpoint finishes the copy while this process's writers wait at the gate: by then
/// only what was written since the first one is left. The commits' own checkpoint stays as a backstop at a higher threshold
/// (<see cref="SqliteDatabase.AutoCheckpointPages"/>), for a process that runs no checkpointer or one that falls behind.
/// </remarks>
public sealed partial class SqliteCheckpointer(
    SqliteDatabase database,
    IOptions<SqliteCoordinationOptions> options,
    TimeProvider clock,
    ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private long _checkpoints;

    /// <summary>How many checkpoints this process has run.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>
    /// The log size (in frames) from which a checkpoint finishes under the write gate: the log starts again from its
    /// beginning only once a checkpoint has copied all of it, which beside busy writers seldom happens by itself.
    /// </summary>
    public const int RestartAfterFrames = 1_000;

    /// <summary>
    /// Runs one checkpoint: a PASSIVE one beside the writers, which copies what is there without waiting; then, when that
    /// copied the whole log and the log has grown past <see cref="RestartAfterFrames"/>, another one while this process's
    /// writers wait at the gate, which copies the little written meanwhile, so that the next writer starts the log again.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        using var connection = database.Open();
        // Only after a checkpoint that copied the whole log: what is left for the writers to wait for is what was written
        // in the moment since, not a log that readers kept from being copied.
        if (Checkpoint(connection) is { Frames: >= RestartAfterFrames } passive && passive.Copied == passive.Frames)
        {
            await database.WhileWritersWaitAsync(() => Checkpoint(connection), cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _checkpoints);
    }

    // The frames in the log and how many of them are copied; a busy answer (another connection checkpointing) is not an
    // error: the next tick copies the rest.
    private static (long Frames, long Copied) Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetInt64(0) == 0 ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CheckpointInterval;
        if (interval <= TimeSpan.Zero)
        {
            return; // off: commits checkpoint by themselves, past the backstop
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken).ConfigureAwait(false);
                await CheckpointAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SqliteException exception)
            {
                LogCheckpointFailure(exception); // tried again at the next interval; commits still checkpoint past the backstop
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A background checkpoint of the coordination database failed; it is tried again at the next interval")]
    private partial void LogCheckpointFailure(Exception exception);
}
