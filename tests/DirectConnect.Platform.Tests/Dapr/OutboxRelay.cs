using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Dapr;

/// <summary>The Dapr adapter's outbox: committed events wait in state until some process relays them.</summary>
public sealed class EventsCommittedByAProcessThatNeverRelayedThemArePublishedByAnother() : ConformanceTest(new DaprAdapter())
{
    private DaprAdapter Dapr => (DaprAdapter)Adapter;

    [Fact]
    public async Task TheyWaitInTheOutboxAndAreDeliveredOnceARelayRuns()
    {
        // A process whose relay never runs (as if it crashed right after committing).
        await using (var crashed = Dapr.StoreOnly())
        {
            Assert.True(await crashed.Store().TryExecuteTransactionAsync(
                [new UpsertState("k", Bytes("v"), ETagCondition.MustNotExist)], [Event("o1"), Event("o2")]));
            Assert.True(await crashed.Store().TryPublishAsync(Event("o3")));
            Assert.False(await crashed.Store().TryExecuteTransactionAsync(
                [new UpsertState("k", Bytes("again"), ETagCondition.MustNotExist)], [Event("never")]));
        }

        Assert.Empty(Dapr.TestSidecar.PublishedIds);
        Assert.Equal(["o1", "o2", "o3"], Dapr.RecordedEventIds().Order(StringComparer.Ordinal));

        var log = new DeliveryLog<FirstSubscription>();
        await using var survivor = await Dapr.StartHostAsync(s => s.AddRecordingSubscription("relayed", log));
        await log.WaitForAllAsync(["o1", "o2", "o3"]);

        Assert.Equal(["o1", "o2", "o3"], log.Ids);
        Assert.Equal(["o1", "o2", "o3"], Dapr.TestSidecar.PublishedIds);
        await Eventually.HoldsAsync(() => !Dapr.TestSidecar.Keys.Any(k => k.StartsWith("outbox/event/", StringComparison.Ordinal)),
            () => $"relayed events stayed in the outbox: [{string.Join(", ", Dapr.TestSidecar.Keys)}]");
    }
}
