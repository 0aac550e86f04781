using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Deletes what nobody can read any more, every <see cref="SqliteCoordinationOptions.PurgeInterval"/>:
/// state rows whose time to live has passed (request-ledger entries, change-feed entries and markers —
/// reads already treat them as absent), and events that every subscription of their topic has passed
/// and that are older than <see cref="SqliteCoordinationOptions.EventRetention"/>. It deletes in small
/// batches, each its own write transaction, so it never holds the writer for long.
/// </summary>
public sealed partial class SqliteRetention(
    SqliteDatabase database,
    IOptions<SqliteCoordinationOptions> options,
    TimeProvider clock,
    ILogger<SqliteRetention> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private readonly SqliteCoordinationOptions _options = options.Value;

    /// <summary>Runs one purge: deletes every expired state row and every event past its retention.</summary>
    /// <returns>How many state rows and events were deleted.</returns>
    public async Task<(int StateRows, int Events)> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var stateRows = 0;
        int deleted;
        do
        {
            deleted = await DeleteExpiredStateAsync(now.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            stateRows += deleted;
        }
        while (deleted == BatchSize);

        var events = 0;
        var cutoff = now.Subtract(_options.EventRetention).ToUnixTimeMilliseconds();
        foreach (var (topic, passedByAll) in Topics())
        {
            do
            {
                deleted = await DeleteOldEventsAsync(topic, passedByAll, cutoff, cancellationToken).ConfigureAwait(false);
                events += deleted;
            }
            while (deleted == BatchSize);
        }

        return (stateRows, events);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PurgeInterval, clock, stoppingToken).ConfigureAwait(false);
                await PurgeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SqliteException exception)
            {
                LogPurgeFailure(exception); // tried again at the next interval
            }
        }
    }

    private async Task<int> DeleteExpiredStateAsync(long now, CancellationToken cancellationToken)
    {
        // Found without the writer (through the partial index on expires_at: only rows with a time to
        // live are looked at), so a purge with nothing to delete writes nothing.
        var expired = new List<string>();
        using (var connection = database.Open())
        using (var find = connection.CreateCommand())
        {
            find.CommandText = "SELECT key FROM state WHERE expires_at <= $now LIMIT $limit";
            find.Parameters.AddWithValue("$now", now);
            find.Parameters.AddWithValue("$limit", BatchSize);
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                expired.Add(reader.GetString(0));
            }
        }

        if (expired.Count == 0)
        {
            return 0;
        }

        using var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        // Checked again under the writer: a row written again since (with a later expiry, or none) stays.
        var delete = write.Command("DELETE FROM state WHERE key = $key AND expires_at <= $now");
        var key = delete.Parameters.Add("$key", SqliteType.Text);
        delete.Parameters.AddWithValue("$now", now);
        foreach (var expiredKey in expired)
        {
            key.Value = expiredKey;
            delete.ExecuteNonQuery();
        }

        write.Commit();
        return expired.Count;
    }

    /// <summary>
    /// Each topic in the log, with the position every subscription of it has passed (all of the
    /// topic when none subscribes to it).
    /// </summary>
    private List<(string Topic, long PassedByAll)> Topics()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // A skip scan of events_by_topic: one seek per topic rather than a pass over the log.
        command.CommandText = """
            WITH RECURSIVE topics(topic) AS (
                SELECT min(topic) FROM events
                UNION ALL
                SELECT (SELECT min(e.topic) FROM events e WHERE e.topic > topics.topic) FROM topics WHERE topics.topic IS NOT NULL)
            SELECT t.topic, (SELECT min(s.position) FROM subscriptions s WHERE s.topic = t.topic)
            FROM topics t WHERE t.topic IS NOT NULL
            """;
        using var reader = command.ExecuteReader();
        var topics = new List<(string, long)>();
        while (reader.Read())
        {
            topics.Add((reader.GetString(0), reader.IsDBNull(1) ? long.MaxValue : reader.GetInt64(1)));
        }

        return topics;
    }

    private async Task<int> DeleteOldEventsAsync(string topic, long passedByAll, long cutoff, CancellationToken cancellationToken)
    {
        // The oldest events of the topic that every subscription has passed, up to the first one
        // still inside the retention window: read without the writer, so only the delete holds it.
        long last = 0;
        var count = 0;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT seq, time FROM events WHERE topic = $topic AND seq <= $passed ORDER BY seq LIMIT $limit
                """;
            command.Parameters.AddWithValue("$topic", topic);
            command.Parameters.AddWithValue("$passed", passedByAll);
            command.Parameters.AddWithValue("$limit", BatchSize);
            using var reader = command.ExecuteReader();
            while (reader.Read() && reader.GetInt64(1) < cutoff)
            {
                last = reader.GetInt64(0);
                count++;
            }
        }

        if (count == 0)
        {
            return 0;
        }

        using var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var delete = write.Command("DELETE FROM events WHERE topic = $topic AND seq <= $last");
        delete.Parameters.AddWithValue("$topic", topic);
        delete.Parameters.AddWithValue("$last", last);
        delete.ExecuteNonQuery();
        write.Commit();
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The purge of expired coordination rows failed; it is tried again at the next interval")]
    private partial void LogPurgeFailure(Exception exception);
}
