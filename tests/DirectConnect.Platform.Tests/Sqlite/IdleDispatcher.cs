using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Sqlite;

/// <summary>
/// A dispatcher with nothing to deliver only reads: its subscriptions do not write their leases on
/// each wake-up, nor renew them while idle; an event that comes later is still delivered.
/// </summary>
public sealed class AnIdleDispatcherWritesNothing : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task ManyWakeUpsAndLeaseExpiriesWithNothingToDeliverCommitNoWriteTransaction()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var first = new DeliveryLog<FirstSubscription>();
        var second = new DeliveryLog<SecondSubscription>();
        await using var host = await CoordinationHost.StartAsync(_database.Path, s => s
            .AddSingleton<TimeProvider>(clock)
            .AddRecordingSubscription("idle-first", first)
            .AddRecordingSubscription("idle-second", second, topic: "other-topic"));
        var dispatcher = host.Services.GetRequiredService<SqliteEventDispatcher>();
        var options = host.Services.GetRequiredService<IOptions<SqliteCoordinationOptions>>().Value;
        Assert.True(await host.Store.TryPublishAsync(Event("before")));
        Assert.True(await host.Store.TryPublishAsync(Event("other-before", "other-topic")));
        await first.WaitForAsync("before");
        await second.WaitForAsync("other-before");

        // Delivered and advanced: every subscription's position is at the head of its topic.
        using var observer = _database.OpenRaw();
        await Eventually.HoldsAsync(() => Behind(observer) == 0, () => "the positions never reached the heads of their topics");
        var version = DataVersion(observer);
        for (var i = 0; i < 40; i++)
        {
            var looks = dispatcher.Looks;
            // Every tenth wake-up goes past a whole lease: no renewal is written for an idle subscription either.
            var step = i % 10 == 9 ? options.LeaseDuration : options.PollInterval;
            // Time moves on at each poll, so a loop that re-armed its timer only after the last advance wakes too.
            await Eventually.HoldsAsync(() =>
            {
                clock.Advance(step);
                return dispatcher.Looks >= looks + 2;
            }, () => $"wake-up {i} did not happen");
        }

        Assert.Equal(version, DataVersion(observer)); // no other connection committed anything
        Assert.Equal(["before"], first.Ids);

        // Still delivering, after its lease ran out while idle.
        Assert.True(await host.Store.TryPublishAsync(Event("after")));
        await first.WaitForAsync("after");
        Assert.Equal(["before", "after"], first.Ids);
        Assert.Equal(["other-before"], second.Ids);
    }

    private static long Behind(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM subscriptions s WHERE s.position < (SELECT max(seq) FROM events e WHERE e.topic = s.topic)";
        return (long)command.ExecuteScalar()!;
    }

    private static long DataVersion(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _database.Dispose();
}
