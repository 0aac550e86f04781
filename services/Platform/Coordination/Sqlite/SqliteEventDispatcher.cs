using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    TimeProvider clock,
    ILogger<SqliteEventDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 64;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly SqliteCoordinationOptions _options = options.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);
    private long _looks;

    /// <summary>
    /// The subscriptions whose delivery loop is not running in this process (not started yet, or ended by
    /// a failure); empty when every one runs. A loop waiting for another process's lease runs.
    /// </summary>
    public IReadOnlyList<string> NotRunning => [.. subscriptions.Select(s => s.Name).Where(name => !_running.ContainsKey(name))];

    /// <summary>How many times the delivery loops of this process have looked for events to deliver.</summary>
    public long Looks => Interlocked.Read(ref _looks);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(subscriptions.Select(s => Task.Run(() => RunAsync(s, stoppingToken), stoppingToken)));

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!HoldsAnyLease())
        {
            return;
        }

        // Hand the subscriptions over at once instead of letting the leases run out.
        using var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var command = write.Command("UPDATE subscriptions SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $owner");
        command.Parameters.AddWithValue("$owner", _owner);
        command.ExecuteNonQuery();
        write.Commit();
    }

    private bool HoldsAnyLease()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE lease_owner = $owner)";
        command.Parameters.AddWithValue("$owner", _owner);
        return command.ExecuteScalar() is 1L;
    }

    private async Task RunAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        await RegisterAsync(subscription, stoppingToken).ConfigureAwait(false);
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
            var wake = signal.Next(subscription.Topic);
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
                        if (_options.BatchWindow > TimeSpan.Zero)
                        {
                            await Task.Delay(_options.BatchWindow, clock, stoppingToken).ConfigureAwait(false);
                        }

                        continue;
                    case PumpResult.Failed:
                        backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(false);
                        continue;
                    default:
                        backoff = TimeSpan.Zero;
                        await Task.WhenAny(wake, Task.Delay(_options.PollInterval, clock, stoppingToken)).ConfigureAwait(false);
                        continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RegisterAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        using (var connection = database.Open())
        using (var exists = connection.CreateCommand())
        {
            exists.CommandText = "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE name = $name)";
            exists.Parameters.AddWithValue("$name", subscription.Name);
            if (exists.ExecuteScalar() is 1L)
            {
                return;
            }
        }

        using var write = await database.BeginWriteAsync(stoppingToken).ConfigureAwait(false);
        var command = write.Command("INSERT INTO subscriptions (name, topic, position) VALUES ($name, $topic, 0) ON CONFLICT (name) DO NOTHING");
        command.Parameters.AddWithValue("$name", subscription.Name);
        command.Parameters.AddWithValue("$topic", subscription.Topic);
        command.ExecuteNonQuery();
        write.Commit();
    }

    private async Task<PumpResult> PumpAsync(EventSubscription subscription, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _looks);
        // A read first: with nothing to deliver, or the lease held by another process, nothing is written.
        var view = Look(subscription);
        if (view is not { Pending: true })
        {
            return PumpResult.Idle;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        long position;
        if (view.Owner == _owner && view.LeaseUntil - now > (long)(_options.LeaseDuration.TotalMilliseconds / 2))
        {
            position = view.Position; // ours for long enough: renewed by the next advance, not by a write of its own
        }
        else if (view.Owner is not null && view.Owner != _owner && view.LeaseUntil >= now)
        {
            return PumpResult.Idle; // another process delivers
        }
        else if (await TryTakeLeaseAsync(subscription) is { } taken)
        {
            position = taken;
        }
        else
        {
            return PumpResult.Idle;
        }

        // The position moves once per batch, not once per event: under load a batch holds many events, and each move is a
        // write transaction that every other writer of the file queues behind. A crash between two moves redelivers the
        // handled events after the last one, which at-least-once delivery allows. The move also renews the lease, so a
        // batch that runs long moves it early, before another process could take the subscription over mid-batch.
        var batch = ReadBatch(subscription.Topic, position);
        var handled = new HandledEvents();
        var renewBy = RenewalDue();
        await foreach (var (seq, cloudEvent, outcome) in DeliverAsync(subscription, batch, stoppingToken).ConfigureAwait(false))
        {
            if (outcome == EventHandling.Retry)
            {
                // What was handled before the failure is not delivered again.
                await AdvanceAsync(subscription, handled).ConfigureAwait(false);
                return PumpResult.Failed;
            }

            handled.Add(seq, outcome == EventHandling.Drop ? cloudEvent : null);
            if (clock.GetTimestamp() >= renewBy)
            {
                if (!await AdvanceAsync(subscription, handled).ConfigureAwait(false))
                {
                    return PumpResult.Idle; // the lease moved to another process; it redelivers from its position
                }

                renewBy = RenewalDue();
            }
        }

        if (!await AdvanceAsync(subscription, handled).ConfigureAwait(false))
        {
            return PumpResult.Idle;
        }

        return batch.Count > 0 ? PumpResult.Progressed : PumpResult.Idle;
    }

    // A quarter of the lease: a batch starts with at least half of it left.
    private long RenewalDue() => clock.GetTimestamp() + (long)(_options.LeaseDuration.TotalSeconds / 4 * clock.TimestampFrequency);

    /// <summary>The events of a batch handled since the position last moved: the last one's sequence and those dropped.</summary>
    private sealed class HandledEvents
    {
        public long? Last { get; private set; }

        public List<(long Seq, CloudEvent Event)> Dropped { get; } = [];

        public void Add(long seq, CloudEvent? dropped)
        {
            Last = seq;
            if (dropped is not null)
            {
                Dropped.Add((seq, dropped));
            }
        }

        public void Clear()
        {
            Last = null;
            Dropped.Clear();
        }
    }

    private SubscriptionView? Look(EventSubscription subscription)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.position, s.lease_owner, s.lease_until,
                   EXISTS (SELECT 1 FROM events e WHERE e.topic = s.topic AND e.seq > s.position)
            FROM subscriptions s WHERE s.name = $name
            """;
        command.Parameters.AddWithValue("$name", subscription.Name);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new SubscriptionView(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? 0 : reader.GetInt64(2), reader.GetInt64(3) == 1)
            : null;
    }

    // A handler that takes batches gets the whole batch in one call; any other, one event at a time.
    private async IAsyncEnumerable<(long Seq, CloudEvent Event, EventHandling Outcome)> DeliverAsync(EventSubscription subscription,
        List<(long Seq, CloudEvent Event)> batch, [EnumeratorCancellation] CancellationToken stoppingToken)
    {
        if (batch.Count > 1 && typeof(IEventBatchHandler).IsAssignableFrom(subscription.HandlerType))
        {
            var outcomes = await HandleAsync(subscription, [.. batch.Select(b => b.Event)], stoppingToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                yield return (batch[i].Seq, batch[i].Event, outcomes[i]);
            }

            yield break;
        }

        foreach (var (seq, cloudEvent) in batch)
        {
            yield return (seq, cloudEvent, (await HandleAsync(subscription, [cloudEvent], stoppingToken).ConfigureAwait(false))[0]);
        }
    }

    // Several events only for a handler that takes batches.
    private async Task<IReadOnlyList<EventHandling>> HandleAsync(EventSubscription subscription, IReadOnlyList<CloudEvent> events,
        CancellationToken stoppingToken)
    {
        var single = events.Count == 1;
        using var activity = single ? EventTelemetry.StartConsume(subscription, events[0]) : EventTelemetry.StartConsumeBatch(subscription, events);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IEventHandler)scope.ServiceProvider.GetRequiredService(subscription.HandlerType);
            IReadOnlyList<EventHandling> outcomes = single
                ? [await handler.HandleAsync(events[0], stoppingToken).ConfigureAwait(false)]
                : await ((IEventBatchHandler)handler).HandleBatchAsync(events, stoppingToken).ConfigureAwait(false);
            if (outcomes.Count != events.Count)
            {
                throw new InvalidOperationException($"The handler returned {outcomes.Count} outcomes for {events.Count} events.");
            }

            if (single)
            {
                activity?.SetTag("directconnect.event.outcome", outcomes[0].ToString());
            }

            return outcomes;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a handler's failure must never stop delivery: the events are retried
        catch (Exception exception)
#pragma warning restore CA1031
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            if (single)
            {
                LogHandlerFailure(subscription.Name, events[0].Type, events[0].Id, exception);
            }
            else
            {
                LogBatchFailure(subscription.Name, events.Count, events[0].Id, exception);
            }

            return [.. events.Select(_ => EventHandling.Retry)];
        }
    }

    /// <summary>Takes or renews the lease; the position when it is this process's now, else null.</summary>
    private async Task<long?> TryTakeLeaseAsync(EventSubscription subscription)
    {
        using var write = await database.BeginWriteAsync().ConfigureAwait(false);
        var command = write.Command("""
            UPDATE subscriptions SET lease_owner = $owner, lease_until = $until
            WHERE name = $name AND (lease_owner IS NULL OR lease_owner = $owner OR lease_until < $now)
            RETURNING position
            """);
        var now = clock.GetUtcNow();
        command.Parameters.AddWithValue("$owner", _owner);
        command.Parameters.AddWithValue("$until", now.Add(_options.LeaseDuration).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", subscription.Name);
        var result = command.ExecuteScalar();
        write.Commit();
        return result as long?;
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

    // Not cancelled by shutdown: the handler has returned, so moving the position spares a redelivery.
    private async Task<bool> AdvanceAsync(EventSubscription subscription, HandledEvents handled)
    {
        if (handled.Last is not { } seq)
        {
            return true; // nothing handled since the last move
        }

        using var write = await database.BeginWriteAsync().ConfigureAwait(false);
        var command = write.Command("""
            UPDATE subscriptions SET position = $seq, lease_until = $until
            WHERE name = $name AND lease_owner = $owner
            """);
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$until", clock.GetUtcNow().Add(_options.LeaseDuration).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", subscription.Name);
        command.Parameters.AddWithValue("$owner", _owner);
        if (command.ExecuteNonQuery() != 1)
        {
            return false;
        }

        foreach (var (droppedSeq, dropped) in handled.Dropped)
        {
            var deadLetter = write.Command("""
                INSERT INTO dead_letters (subscription, seq, reason, time) VALUES ($name, $seq, $reason, $time)
                ON CONFLICT DO NOTHING
                """);
            deadLetter.Parameters.AddWithValue("$name", subscription.Name);
            deadLetter.Parameters.AddWithValue("$seq", droppedSeq);
            deadLetter.Parameters.AddWithValue("$reason", $"dropped by handler: {dropped.Type} {dropped.Id}");
            deadLetter.Parameters.AddWithValue("$time", clock.GetUtcNow().ToUnixTimeMilliseconds());
            deadLetter.ExecuteNonQuery();
            LogDropped(subscription.Name, dropped.Type, dropped.Id);
        }

        write.Commit();
        handled.Clear();
        return true;
    }

    private enum PumpResult { Idle, Progressed, Failed }

    private sealed record SubscriptionView(long Position, string? Owner, long LeaseUntil, bool Pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler of subscription {Subscription} failed on {EventType} {EventId}; it will be retried")]
    private partial void LogHandlerFailure(string subscription, string eventType, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler of subscription {Subscription} failed on a batch of {Count} events from {EventId}; they will be retried")]
    private partial void LogBatchFailure(string subscription, int count, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription} dropped {EventType} {EventId} as a dead letter")]
    private partial void LogDropped(string subscription, string eventType, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription} could not reach the coordination database")]
    private partial void LogStoreFailure(string subscription, Exception exception);
}
