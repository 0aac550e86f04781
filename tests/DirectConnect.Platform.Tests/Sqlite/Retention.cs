using System.Text;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// The periodic purge deletes expired state rows (request-ledger entries, change-feed rows: anything
/// written with a time to live) and the events every subscription of their topic has passed once
/// they are older than the retention; nothing still needed goes.
/// </summary>
public sealed class RetentionDeletesOnlyWhatNobodyNeeds : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task ExpiredLedgerAndFeedRowsAreGoneAfterTheirTimeAndAnUnexpiredLedgerEntryStillAnswersARetry()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await CoordinationHost.StartAsync(_database.Path, s => s.AddSingleton<TimeProvider>(clock));
        var options = host.Services.GetRequiredService<IOptions<SqliteCoordinationOptions>>().Value;
        var ledger = new RequestLedger(host.Store);
        var old = new RequestId("test.Create", "acme", "request-old", "fingerprint");
        var recent = new RequestId("test.Create", "acme", "request-recent", "fingerprint");
        var feedRetention = TimeSpan.FromDays(7);

        Assert.True(await host.Store.TryExecuteTransactionAsync(
            [
                RequestLedger.Record(old, Encoding.UTF8.GetBytes("first answer")),
                // As the change feed writes its entries and event markers: with its retention as time to live.
                new UpsertState("feed/entry/1", Bytes("change"), ETagCondition.MustNotExist, feedRetention),
                new UpsertState("kept-forever", Bytes("no time to live"), ETagCondition.MustNotExist),
            ],
            []));
        clock.Advance(RequestLedger.Retention - TimeSpan.FromHours(1));
        Assert.True(await host.Store.TryExecuteTransactionAsync([RequestLedger.Record(recent, Encoding.UTF8.GetBytes("second answer"))], []));

        // Past the old entry's time (and a purge interval): it is deleted, not only hidden.
        Assert.Equal(1, StateRows("requests/test.Create/acme/request-old"));
        clock.Advance(TimeSpan.FromHours(2));
        await PurgedAsync(clock, options, () => StateRows("requests/test.Create/acme/request-old") == 0, "the expired ledger entry was never deleted");
        Assert.Null(await ledger.FindAsync(old, CancellationToken.None));
        Assert.Equal("second answer", Encoding.UTF8.GetString((await ledger.FindAsync(recent, CancellationToken.None))!));
        Assert.Equal(1, StateRows("feed/entry/1"));

        // Past the feed's retention: the feed row and the second ledger entry go; the row without a time to live stays.
        clock.Advance(feedRetention);
        await PurgedAsync(clock, options, () => StateRows("feed/entry/1") == 0 && StateRows("requests/test.Create/acme/request-recent") == 0,
            "the expired feed row or ledger entry was never deleted");
        Assert.Equal(1, StateRows("kept-forever"));
        Assert.NotNull(await host.Store.GetAsync("kept-forever"));
    }

    [Fact]
    public async Task EventsEverySubscriptionPassedAreGoneAfterTheRetentionAndAnEventNotYetDeliveredToOneSubscriptionStays()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var delivers = new DeliveryLog<FirstSubscription>();
        // The second subscription of the topic cannot handle "e2" yet: it keeps retrying it.
        var stuck = new DeliveryLog<SecondSubscription> { Outcome = static (e, _) => e.Id == "e2" ? EventHandling.Retry : EventHandling.Success };
        var other = new DeliveryLog<OtherTopic>();
        await using var host = await CoordinationHost.StartAsync(_database.Path, s => s
            .AddSingleton<TimeProvider>(clock)
            .AddRecordingSubscription("retention-delivers", delivers)
            .AddRecordingSubscription("retention-stuck", stuck)
            .AddRecordingSubscription("retention-other", other, topic: "other-topic"));
        var options = host.Services.GetRequiredService<IOptions<SqliteCoordinationOptions>>().Value;

        Assert.True(await host.Store.TryPublishAsync(Event("e1"), Event("e2"), Event("e3"), Event("o1", "other-topic")));
        await delivers.WaitForAllAsync(["e1", "e2", "e3"]);
        await stuck.WaitForAsync("e2");
        await other.WaitForAsync("o1");

        clock.Advance(options.EventRetention);
        Assert.True(await host.Store.TryPublishAsync(Event("o2-recent", "other-topic")));
        await other.WaitForAsync("o2-recent");
        await PurgedAsync(clock, options, () => !EventIds().Contains("e1") && !EventIds().Contains("o1"), "old delivered events stayed");
        // e2 and e3 wait for the stuck subscription; o2-recent is inside the retention.
        Assert.Equal(["e2", "e3", "o2-recent"], EventIds());
        Assert.DoesNotContain("e3", stuck.Ids);
    }

    /// <summary>
    /// Moves time on by a purge interval at each look until <paramref name="done"/>: the purge runs on its
    /// own timer, which it may re-arm only after an advance.
    /// </summary>
    private static Task PurgedAsync(FakeTimeProvider clock, SqliteCoordinationOptions options, Func<bool> done, string failure) =>
        Eventually.HoldsAsync(() =>
        {
            clock.Advance(options.PurgeInterval);
            return done();
        }, () => failure);

    private int StateRows(string key)
    {
        using var raw = _database.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT count(*) FROM state WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return (int)(long)command.ExecuteScalar()!;
    }

    private List<string> EventIds()
    {
        using var raw = _database.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT id FROM events ORDER BY seq";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void Dispose() => _database.Dispose();

    private sealed class OtherTopic;
}
