using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// <see cref="IStateStore"/> on the embedded SQLite database. A transaction checks every ETag
/// condition and applies every write inside one BEGIN IMMEDIATE transaction, and appends its
/// events to the <c>events</c> table in that same transaction: the outbox is the log itself. Reads
/// run on long-lived connections with their statement prepared once, and what was read is kept until the next commit
/// (<see cref="SqliteStateReaders"/>).
/// </summary>
public sealed class SqliteStateStore(SqliteDatabase database, EventSignal signal, IOptions<SqliteCoordinationOptions> options,
    TimeProvider clock) : IStateStore, IDisposable
{
    private readonly string _source = options.Value.Source;
    private readonly SqliteStateReaders _readers = new(database);

    /// <summary>How many read connections this store has opened (they are kept and reused).</summary>
    public long ReadConnectionsOpened => _readers.Opened;

    /// <summary>How many lookups were answered from what was read since the database's last commit, without a read transaction.</summary>
    public long ReadsServedWithoutDatabase => _readers.ServedWithoutDatabase;

    /// <inheritdoc />
    public async Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var items = await GetBulkAsync([key], cancellationToken).ConfigureAwait(false);
        return items.GetValueOrDefault(key);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, StateItem>> GetBulkAsync(IReadOnlyCollection<string> keys,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new Dictionary<string, StateItem>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<string, StateItem>>(result);
        }

        _readers.Read(keys.Count == 1 ? keys : keys.Distinct(StringComparer.Ordinal), clock.GetUtcNow().ToUnixTimeMilliseconds(), result);
        return Task.FromResult<IReadOnlyDictionary<string, StateItem>>(result);
    }

    /// <summary>Closes the read connections.</summary>
    public void Dispose() => _readers.Dispose();

    /// <inheritdoc />
    public async Task<bool> TryExecuteTransactionAsync(IReadOnlyList<StateOperation> operations,
        IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (operations.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() != operations.Count)
        {
            throw new ArgumentException("A transaction may write each key once.", nameof(operations));
        }

        using var activity = StateTelemetry.StartTransaction("sqlite", operations.Count, events.Count);
        using (var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = clock.GetUtcNow();
            foreach (var operation in operations)
            {
                if (!ConditionHolds(write, operation, now))
                {
                    StateTelemetry.SetOutcome(activity, committed: false);
                    return false; // rolled back by the dispose
                }

                Apply(write, operation, now);
            }

            foreach (var outgoing in events)
            {
                Append(write, outgoing, now);
            }

            write.Commit();
        }

        StateTelemetry.SetOutcome(activity, committed: true);
        foreach (var topic in events.Select(e => e.Topic).Distinct(StringComparer.Ordinal))
        {
            signal.Pulse(topic);
        }

        return true;
    }

    private static bool ConditionHolds(SqliteWrite write, StateOperation operation, DateTimeOffset now)
    {
        if (operation.Condition.Kind == ETagConditionKind.Any)
        {
            return true;
        }

        // An expired row is absent, except to a delete under its ETag, which still removes it — as
        // state.postgresql v2 does, whose conditional DELETE does not look at expires_at
        // (components-contrib state/postgresql/v2/postgresql.go): both adapters answer alike.
        var command = write.Command(operation is DeleteState
            ? "SELECT etag FROM state WHERE key = $key"
            : "SELECT etag FROM state WHERE key = $key AND (expires_at IS NULL OR expires_at > $now)");
        command.Parameters.AddWithValue("$key", operation.Key);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var current = command.ExecuteScalar() as string;
        return operation.Condition.Kind switch
        {
            ETagConditionKind.MustNotExist => current is null,
            ETagConditionKind.Matches => current is not null && string.Equals(current, operation.Condition.ETag, StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Condition.Kind, "Unknown ETag condition."),
        };
    }

    private static void Apply(SqliteWrite write, StateOperation operation, DateTimeOffset now)
    {
        SqliteCommand command;
        switch (operation)
        {
            case UpsertState upsert:
                command = write.Command("""
                    INSERT INTO state (key, value, etag, expires_at) VALUES ($key, $value, $etag, $expires)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, expires_at = excluded.expires_at
                    """);
                command.Parameters.AddWithValue("$key", operation.Key);
                command.Parameters.AddWithValue("$value", upsert.Value.ToArray());
                command.Parameters.AddWithValue("$etag", NewETag());
                command.Parameters.AddWithValue("$expires", upsert.TimeToLive is { } ttl
                    ? now.Add(ttl).ToUnixTimeMilliseconds()
                    : DBNull.Value);
                break;
            case DeleteState:
                command = write.Command("DELETE FROM state WHERE key = $key");
                command.Parameters.AddWithValue("$key", operation.Key);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.GetType().Name, "Unknown state operation.");
        }

        command.ExecuteNonQuery();
    }

    private void Append(SqliteWrite write, OutgoingEvent outgoing, DateTimeOffset now)
    {
        // The event carries the publish span as its parent, so the consumer span hangs under it.
        using var publish = StateTelemetry.StartPublish(outgoing);
        var command = write.Command("""
            INSERT INTO events (id, topic, type, source, time, traceparent, data)
            VALUES ($id, $topic, $type, $source, $time, $traceparent, $data)
            """);
        command.Parameters.AddWithValue("$id", outgoing.Id);
        command.Parameters.AddWithValue("$topic", outgoing.Topic);
        command.Parameters.AddWithValue("$type", outgoing.Type);
        command.Parameters.AddWithValue("$source", _source);
        command.Parameters.AddWithValue("$time", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$traceparent", (object?)StateTelemetry.TraceParentOf(publish, outgoing) ?? DBNull.Value);
        command.Parameters.AddWithValue("$data", outgoing.Data.ToArray());
        command.ExecuteNonQuery();
    }

    // Random rather than a per-key counter: a key deleted and created again must not accept an
    // ETag read before the delete.
    private static string NewETag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
