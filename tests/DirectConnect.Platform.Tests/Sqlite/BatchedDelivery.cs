using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// Events that are pending together are delivered as one batch: a subscription's position moves once for the batch,
/// not once per event, and a handler that takes batches gets them in one call. A retry inside a batch redelivers from
/// that event on, never what was handled before it; dropped events are set aside each.
/// </summary>
public sealed class PendingEventsAreDeliveredAsOneBatch : IDisposable
{
    private const int Backlog = 20;
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task ABacklogMovesEachPositionOnceAndReachesABatchHandlerInOneCallInOrder()
    {
        var ids = await PublishBacklogAsync();
        var plain = new DeliveryLog<FirstSubscription>();
        var batches = new BatchLog { Outcome = e => e.Id is "e07" or "e13" ? EventHandling.Drop : EventHandling.Success };
        await using (var host = await CoordinationHost.StartAsync(_database.Path, s => s
            .AddRecordingSubscription("batch-plain", plain)
            .AddSingleton(batches)
            .AddEventSubscription<BatchRecordingHandler>("batch-batched", Topic)))
        {
            await plain.WaitForAllAsync(ids);
            await Eventually.HoldsAsync(() => batches.Delivered.Count == Backlog, () => $"the batch handler saw {batches.Delivered.Count} events");
            await Eventually.HoldsAsync(() => Positions() is [{ Position: Backlog }, { Position: Backlog }], () => "a position never reached the end of the backlog");
        }

        Assert.Equal(ids, plain.Ids);
        Assert.Equal(ids, Assert.Single(batches.Calls));
        // One write of each position for the whole backlog: a write per event (the old dispatcher) would be 20 each.
        Assert.Equal([("batch-batched", 1L), ("batch-plain", 1L)], PositionWrites());
        Assert.Equal(["batch-batched:7", "batch-batched:13"], DeadLetters());
    }

    [Fact]
    public async Task ARetryInsideABatchRedeliversFromThatEventAndNotWhatWasHandledBeforeIt()
    {
        var ids = await PublishBacklogAsync();
        var retried = false;
        var batches = new BatchLog
        {
            Outcome = e =>
            {
                if (e.Id != "e05" || retried)
                {
                    return EventHandling.Success;
                }

                retried = true;
                return EventHandling.Retry;
            },
        };
        await using (var host = await CoordinationHost.StartAsync(_database.Path, s => s
            .AddSingleton(batches)
            .AddEventSubscription<BatchRecordingHandler>("batch-retried", Topic)))
        {
            await Eventually.HoldsAsync(() => Positions() is [{ Position: Backlog }], () => "the position never reached the end of the backlog");
        }

        Assert.Equal(2, batches.Calls.Count);
        Assert.Equal(ids, batches.Calls[0]);
        Assert.Equal(ids.Skip(5), batches.Calls[1]);
        Assert.Equal(ids, batches.Delivered.Distinct());
    }

    private async Task<List<string>> PublishBacklogAsync()
    {
        var ids = Enumerable.Range(0, Backlog).Select(i => $"e{i:D2}").ToList();
        await using (var publisher = StoreOnly(_database.Path))
        {
            Assert.True(await publisher.Store().TryPublishAsync([.. ids.Select(id => Event(id))]));
        }

        // Counts the writes of subscription positions (taking a lease writes the owner, not the position).
        using var raw = _database.OpenRaw();
        using var trigger = raw.CreateCommand();
        trigger.CommandText = """
            CREATE TABLE position_writes (name TEXT NOT NULL);
            CREATE TRIGGER count_position_writes AFTER UPDATE OF position ON subscriptions
            BEGIN INSERT INTO position_writes (name) VALUES (new.name); END;
            """;
        trigger.ExecuteNonQuery();
        return ids;
    }

    private List<(string Name, long Position)> Positions() => Query("SELECT name, position FROM subscriptions ORDER BY name", r => (r.GetString(0), r.GetInt64(1)));

    private List<(string Name, long Writes)> PositionWrites() =>
        Query("SELECT name, count(*) FROM position_writes GROUP BY name ORDER BY name", r => (r.GetString(0), r.GetInt64(1)));

    private List<string> DeadLetters() => Query("SELECT subscription, seq FROM dead_letters ORDER BY seq", r => $"{r.GetString(0)}:{r.GetInt64(1) - 1}");

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var raw = _database.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose() => _database.Dispose();

    /// <summary>What a <see cref="BatchRecordingHandler"/> was handed, call by call.</summary>
    public sealed class BatchLog
    {
        private readonly Lock _gate = new();
        private readonly List<List<string>> _calls = [];

        public required Func<CloudEvent, EventHandling> Outcome { get; init; }

        public IReadOnlyList<IReadOnlyList<string>> Calls
        {
            get
            {
                lock (_gate)
                {
                    return [.. _calls];
                }
            }
        }

        public IReadOnlyList<string> Delivered => [.. Calls.SelectMany(c => c)];

        internal IReadOnlyList<EventHandling> Record(IReadOnlyList<CloudEvent> events)
        {
            lock (_gate)
            {
                _calls.Add([.. events.Select(e => e.Id)]);
            }

            return [.. events.Select(Outcome)];
        }
    }

    /// <summary>A handler that takes batches and records each call.</summary>
    public sealed class BatchRecordingHandler(BatchLog log) : IEventBatchHandler
    {
        public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken) =>
            (await HandleBatchAsync([cloudEvent], cancellationToken))[0];

        public async Task<IReadOnlyList<EventHandling>> HandleBatchAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return log.Record(events);
        }
    }
}
