using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Delivers the event log to this process's subscriptions, at least once and in order. Each
/// subscription keeps its position in the database; the process that holds the subscription's
/// lease delivers, the others wait, so several processes may register the same subscription.
/// The position moves only after the handler returned, so a crash redelivers, never skips.
/// </summary>
public sealed partial class SqliteEventDispatcher(
    SqliteDatabase database,
    EventSignal signal,
    IEnumerable<EventSubscription> subscriptions,
    IServiceScopeFactory scopes,
    IOptions<SqliteCoordinationOptions> options,
    ILogger<SqliteEventDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 64;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly SqliteCoordinationOptions _options = options.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);

    /// <summary>
    /// The subscriptions whose delivery loop is not running in this process (not started yet, or ended by
    /// a failure); empty when every one runs. A loop waiting for another process's lease runs.
    /// </summary>
    public IReadOnlyList<string> NotRunning => [.. subscriptions.Select(s => s.Name).Where(name => !_running.ContainsKey(name))];

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(subscriptions.Select(s => Task.Run(() => RunAsync(s, stoppingToken), stoppingToken)));

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Hand the subscriptions over at once instead of letting the leases run out.
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE subscriptions SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $owner";
        command.Parameters.AddWithValue("$owner", _owner);
        command.ExecuteNonQuery();
    }

    private async Task RunAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        Register(subscription);
        _running[subscription.Name] = true;
        try
        {
            await DeliverUntilStoppedAsync(subscription, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(subscription.Name, out _);
        }
    }

    private async Task DeliverUntilStoppedAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            PumpResult result;
            try
            {
                result = await PumpAsync(subscription, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SqliteException exception)
            {
                LogStoreFailure(subscription.Name, exception);
                result = PumpResult.Failed;
            }

            try
            {
                switch (result)
                {
                    case PumpResult.Progressed:
                        backoff = TimeSpan.Zero;
                        continue;
                    case PumpResult.Failed:
                        backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                        continue;
                    default:
                        backoff = TimeSpan.Zero;
                        await Task.WhenAny(wake, Task.Delay(_options.PollInterval, stoppingToken)).ConfigureAwait(false);
                        continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Register(EventSubscription subscription)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO subscriptions (name, topic, position) VALUES ($name, $topic, 0) ON CONFLICT (name) DO NOTHING";
        command.Parameters.AddWithValue("$name", subscription.Name);
        command.Parameters.AddWithValue("$topic", subscription.Topic);
        command.ExecuteNonQuery();
    }

    private async Task<PumpResult> PumpAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        if (!TryTakeLease(subscription, out var position))
        {
            return PumpResult.Idle;
        }

        var batch = ReadBatch(subscription.Topic, position);
        foreach (var (seq, cloudEvent) in batch)
        {
            var outcome = await DeliverAsync(subscription, cloudEvent, stoppingToken).ConfigureAwait(false);
            if (outcome == EventHandling.Retry)
            {
                return PumpResult.Failed;
            }

            if (!Advance(subscription, seq, outcome == EventHandling.Drop ? cloudEvent : null))
            {
                return PumpResult.Idle; // the lease moved to another process; it redelivers from its position
            }
        }

        return batch.Count > 0 ? PumpResult.Progressed : PumpResult.Idle;
    }

    private async Task<EventHandling> DeliverAsync(EventSubscription subscription, CloudEvent cloudEvent, CancellationToken stoppingToken)
    {
        using var activity = EventTelemetry.StartConsume(subscription, cloudEvent);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IEventHandler)scope.ServiceProvider.GetRequiredService(subscription.HandlerType);
            var outcome = await handler.HandleAsync(cloudEvent, stoppingToken).ConfigureAwait(false);
            activity?.SetTag("directconnect.event.outcome", outcome.ToString());
            return outcome;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a handler's failure must never stop delivery: the event is retried
        catch (Exception exception)
#pragma warning restore CA1031
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            LogHandlerFailure(subscription.Name, cloudEvent.Type, cloudEvent.Id, exception);
            return EventHandling.Retry;
        }
    }

    private bool TryTakeLease(EventSubscription subscription, out long position)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE subscriptions SET lease_owner = $owner, lease_until = $until
            WHERE name = $name AND (lease_owner IS NULL OR lease_owner = $owner OR lease_until < $now)
            RETURNING position
            """;
        var now = DateTimeOffset.UtcNow;
        command.Parameters.AddWithValue("$owner", _owner);
        command.Parameters.AddWithValue("$until", now.Add(_options.LeaseDuration).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", subscription.Name);
        var result = command.ExecuteScalar();
        position = result is long p ? p : 0;
        return result is not null;
    }

    private List<(long Seq, CloudEvent Event)> ReadBatch(string topic, long position)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, id, source, type, time, traceparent, data FROM events
            WHERE topic = $topic AND seq > $position ORDER BY seq LIMIT $limit
            """;
        command.Parameters.AddWithValue("$topic", topic);
        command.Parameters.AddWithValue("$position", position);
        command.Parameters.AddWithValue("$limit", BatchSize);
        using var reader = command.ExecuteReader();
        var batch = new List<(long, CloudEvent)>();
        while (reader.Read())
        {
            batch.Add((reader.GetInt64(0), new CloudEvent(
                Id: reader.GetString(1),
                Source: reader.GetString(2),
                Type: reader.GetString(3),
                Topic: topic,
                Time: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                Data: (byte[])reader[6],
                TraceParent: reader.IsDBNull(5) ? null : reader.GetString(5))));
        }

        return batch;
    }

    private bool Advance(EventSubscription subscription, long seq, CloudEvent? dropped)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE subscriptions SET position = $seq, lease_until = $until
            WHERE name = $name AND lease_owner = $owner
            """;
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$until", DateTimeOffset.UtcNow.Add(_options.LeaseDuration).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", subscription.Name);
        command.Parameters.AddWithValue("$owner", _owner);
        if (command.ExecuteNonQuery() != 1)
        {
            return false;
        }

        if (dropped is not null)
        {
            using var deadLetter = connection.CreateCommand();
            deadLetter.CommandText = """
                INSERT INTO dead_letters (subscription, seq, reason, time) VALUES ($name, $seq, $reason, $time)
                ON CONFLICT DO NOTHING
                """;
            deadLetter.Parameters.AddWithValue("$name", subscription.Name);
            deadLetter.Parameters.AddWithValue("$seq", seq);
            deadLetter.Parameters.AddWithValue("$reason", $"dropped by handler: {dropped.Type} {dropped.Id}");
            deadLetter.Parameters.AddWithValue("$time", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            deadLetter.ExecuteNonQuery();
            LogDropped(subscription.Name, dropped.Type, dropped.Id);
        }

        transaction.Commit();
        return true;
    }

    private enum PumpResult { Idle, Progressed, Failed }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler of subscription {Subscription} failed on {EventType} {EventId}; it will be retried")]
    private partial void LogHandlerFailure(string subscription, string eventType, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription} dropped {EventType} {EventId} as a dead letter")]
    private partial void LogDropped(string subscription, string eventType, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription} could not reach the coordination database")]
    private partial void LogStoreFailure(string subscription, Exception exception);
}
