using System.Globalization;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Crashes;

public sealed class ConsumerKilledMidStreamResumesWithoutLosingEvents : IDisposable
{
    private const int EventCount = 200;
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task EveryEventIsHandledAtLeastOnceInPublicationOrder()
    {
        var firstRun = _database.Sibling("run1.out");
        var secondRun = _database.Sibling("run2.out");
        string[] Consume(string output) =>
        [
            "consume", "--db", _database.Path, "--out", output, "--delay-ms", "15", "--lease-ms", "1000",
            "--poll-ms", "50", "--subscription", "crash-consumer", "--topic", Topic,
        ];

        var published = Enumerable.Range(0, EventCount).Select(i => $"evt-{i:D3}").ToArray();
        await using (var consumer = TestProcess.Start(Consume(firstRun)))
        {
            await using (var services = StoreOnly(_database.Path))
            {
                foreach (var id in published)
                {
                    Assert.True(await services.Store().TryPublishAsync(Event(id)));
                }
            }

            await Eventually.HoldsAsync(() => TestProcess.ReadLines(firstRun).Count >= 20,
                () => $"the consumer handled too little before the kill; {consumer.Describe()}", TimeSpan.FromSeconds(30));
            await consumer.KillAsync();
        }

        var beforeKill = TestProcess.ReadLines(firstRun);
        Assert.True(beforeKill.Count < EventCount, "the kill did not land mid-stream: the consumer had handled everything");

        await using (var restarted = TestProcess.Start(Consume(secondRun)))
        {
            await Eventually.HoldsAsync(() => TestProcess.ReadLines(secondRun).Contains(published[^1]),
                () => $"the restarted consumer did not finish; it handled {TestProcess.ReadLines(secondRun).Count}; {restarted.Describe()}",
                TimeSpan.FromSeconds(60));
        }

        var afterRestart = TestProcess.ReadLines(secondRun);
        Assert.Equal(published, beforeKill.Concat(afterRestart).Distinct()); // nothing lost, first deliveries in order
        Assert.Equal(beforeKill, published.Take(beforeKill.Count));
        // the restarted consumer resumed at (or just before, redelivering) the first event not handled before the kill
        var resumedAt = Array.IndexOf(published, afterRestart[0]);
        Assert.InRange(resumedAt, 0, beforeKill.Count);
        Assert.Equal(published.Skip(resumedAt), afterRestart);
    }

    public void Dispose() => _database.Dispose();
}

public sealed class PublisherKilledMidTransactionLeavesStateAndEventsConsistent : IDisposable
{
    private const int Planned = 1_000_000;
    private const int Batch = 8;
    private const int Rounds = 6;
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task EveryVisibleWriteHasItsEventAndEveryEventItsWrite()
    {
        // Each round starts the publisher (it resumes after the last committed transaction) and
        // SIGKILLs it mid-stream; each transaction writes 8 keys + the counter and 8 events.
        for (var round = 0; round < Rounds; round++)
        {
            var lastReported = await PublishUntilKilledAsync();
            var committed = AssertConsistent();
            Assert.True(committed > lastReported, $"round {round}: commit {lastReported} was reported but only {committed} are visible");
        }

        // the adapter itself reads the recovered file, and its counter agrees with the log
        var transactions = AssertConsistent();
        await using var services = StoreOnly(_database.Path);
        var counter = await services.Store().GetAsync("counter");
        Assert.NotNull(counter);
        Assert.Equal(transactions.ToString(CultureInfo.InvariantCulture), counter.Text());
        var edge = await services.Store().GetBulkAsync([$"item-{transactions - 1}-{Batch - 1}", $"item-{transactions}-0"]);
        Assert.Equal([$"item-{transactions - 1}-{Batch - 1}"], edge.Keys);
    }

    private async Task<int> PublishUntilKilledAsync()
    {
        await using var publisher = TestProcess.Start(
            "publish", "--db", _database.Path, "--count", Planned.ToString(CultureInfo.InvariantCulture),
            "--batch", Batch.ToString(CultureInfo.InvariantCulture), "--progress-every", "5", "--topic", Topic);
        await Eventually.HoldsAsync(() => publisher.StandardOutput.Count > 40 || publisher.HasExited,
            () => $"the publisher did not get going; {publisher.Describe()}", TimeSpan.FromSeconds(30));
        await publisher.KillAsync();

        var output = publisher.StandardOutput;
        Assert.StartsWith("ready ", output[0], StringComparison.Ordinal);
        Assert.DoesNotContain("done", output);
        Assert.DoesNotContain(output, line => line.StartsWith("rejected", StringComparison.Ordinal));
        return output
            .Where(line => line.StartsWith("committed ", StringComparison.Ordinal))
            .Select(line => int.Parse(line["committed ".Length..], CultureInfo.InvariantCulture))
            .Max();
    }

    /// <summary>Checks that the visible transactions are exactly 0..n-1, each whole in state and in the log; returns n.</summary>
    private int AssertConsistent()
    {
        var items = new Dictionary<int, int>();
        var events = new Dictionary<int, int>();
        using var raw = _database.OpenRaw();
        using (var state = raw.CreateCommand())
        {
            state.CommandText = "SELECT key FROM state WHERE key LIKE 'item-%'";
            using var reader = state.ExecuteReader();
            while (reader.Read())
            {
                var transaction = int.Parse(reader.GetString(0).Split('-')[1], CultureInfo.InvariantCulture);
                items[transaction] = items.GetValueOrDefault(transaction) + 1;
            }
        }

        using (var log = raw.CreateCommand())
        {
            log.CommandText = "SELECT id FROM events";
            using var reader = log.ExecuteReader();
            while (reader.Read())
            {
                var transaction = int.Parse(reader.GetString(0).Split('-')[1], CultureInfo.InvariantCulture);
                events[transaction] = events.GetValueOrDefault(transaction) + 1;
            }
        }

        var committed = items.Count;
        Assert.True(committed is > 0 and < Planned);
        Assert.Equal(Enumerable.Range(0, committed), items.Keys.Order()); // transactions commit in order
        Assert.Equal(Enumerable.Range(0, committed), events.Keys.Order()); // a write is visible iff its events are
        Assert.All(items, t => Assert.Equal(Batch, t.Value)); // no transaction half-way
        Assert.All(events, t => Assert.Equal(Batch, t.Value));
        using var counter = raw.CreateCommand();
        counter.CommandText = "SELECT value FROM state WHERE key = 'counter'";
        Assert.Equal(committed.ToString(CultureInfo.InvariantCulture), System.Text.Encoding.UTF8.GetString((byte[])counter.ExecuteScalar()!));
        return committed;
    }

    public void Dispose() => _database.Dispose();
}
