using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using DirectConnect.Testing.Dapr;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Events;

/// <summary>
/// Every event arrives, with its attributes and its bytes; in publication order where the adapter
/// keeps order (per ordering key), and once where it does not redeliver.
/// </summary>
public abstract class DispatcherDeliversEveryEventInPublicationOrder(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Fact]
    public async Task EachEventArrivesOnceWithItsAttributes()
    {
        var log = new DeliveryLog<FirstSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("ordered", log));
        var published = new List<string>();

        // single-event and multi-event transactions, with and without state, more than one dispatcher batch
        for (var i = 0; i < 150; i += 3)
        {
            var batch = new[] { $"e{i:D3}", $"e{i + 1:D3}", $"e{i + 2:D3}" };
            var committed = i % 2 == 0
                ? await host.Store.TryExecuteTransactionAsync(
                    [new UpsertState($"k{i}", Bytes("v"), ETagCondition.MustNotExist)], [.. batch.Select(id => Event(id))])
                : await host.Store.TryPublishAsync([.. batch.Select(id => Event(id))]);
            Assert.True(committed);
            published.AddRange(batch);
        }

        await log.WaitForAllAsync(published);

        AssertArrived(published, log.Ids);
        var sample = log.Deliveries.First(d => d.Id == published[42]);
        Assert.Equal(published[42], sample.Text());
        Assert.Equal(Topic, sample.Topic);
        Assert.Equal(EventType, sample.Type);
        Assert.Equal(Source, sample.Source);
        Assert.Null(sample.TraceParent);
    }

    [Fact]
    public async Task AProtobufPayloadArrivesByteForByte()
    {
        // Bytes that are no text: a protobuf message with a varint above 127 and a zero byte.
        var payload = new byte[] { 0x0a, 0x03, 0x8f, 0x00, 0xff, 0x12, 0x01, 0xc3 };
        var log = new DeliveryLog<FirstSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("binary", log));
        Assert.True(await host.Store.TryPublishAsync(Event("binary") with { Data = payload }));
        await log.WaitForAsync("binary");
        Assert.Equal(payload, log.Deliveries[0].Data.ToArray());
    }
}

/// <summary>What every adapter promises of a delivery log, and what only some add (order per key, exactly once).</summary>
public abstract class ConformanceDeliveryTest(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    /// <summary>Every one of <paramref name="published"/> arrived; in order and once (but for the <paramref name="retried"/> ones, twice) where the adapter promises it.</summary>
    protected void AssertArrived(IReadOnlyList<string> published, IReadOnlyList<string> delivered, params string[] retried)
    {
        Assert.Equal(published.Order(StringComparer.Ordinal), delivered.Distinct().Order(StringComparer.Ordinal));
        if (Adapter.DeliversInOrder)
        {
            Assert.Equal(published, delivered.Distinct());
        }

        if (Adapter.DeliversOnce)
        {
            Assert.Equal(published.Count + retried.Length, delivered.Count);
        }
    }
}

public abstract class EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEvent(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LaterEventsWaitForTheRetriedOne(bool handlerThrows)
    {
        var log = new DeliveryLog<FirstSubscription>
        {
            Outcome = (e, attempt) => (e.Id, attempt) switch
            {
                ("e2", 1) when handlerThrows => throw new InvalidOperationException("first delivery of e2 fails"),
                ("e2", 1) => EventHandling.Retry,
                _ => EventHandling.Success,
            },
        };
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("retrying", log));
        string[] published = ["e0", "e1", "e2", "e3", "e4", "e5"];
        foreach (var id in published)
        {
            Assert.True(await host.Store.TryPublishAsync(Event(id)));
        }

        await log.WaitForAllAsync(published);
        await Eventually.HoldsAsync(() => log.Attempts("e2") >= 2, () => $"e2 was not redelivered: [{string.Join(", ", log.Ids)}]");

        var ids = log.Ids;
        AssertArrived(published, ids, "e2");
        if (Adapter.DeliversInOrder)
        {
            var secondDeliveryOfE2 = ids.Select((id, index) => (id, index)).Where(d => d.id == "e2").Skip(1).First().index;
            Assert.True(secondDeliveryOfE2 < ids.ToList().IndexOf("e3"), $"e3 overtook the retried e2: [{string.Join(", ", ids)}]");
        }

        if (Adapter.DeliversOnce)
        {
            Assert.All(published.Where(id => id != "e2"), id => Assert.Equal(1, log.Attempts(id)));
        }
    }
}

public abstract class EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOn(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Fact]
    public async Task TheDroppedEventIsRecordedAndNotRedelivered()
    {
        var log = new DeliveryLog<FirstSubscription>
        {
            Outcome = (e, _) => e.Id == "poison" ? EventHandling.Drop : EventHandling.Success,
        };
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("dropping", log));
        string[] published = ["e0", "poison", "e2", "e3"];
        foreach (var id in published)
        {
            Assert.True(await host.Store.TryPublishAsync(Event(id)));
        }

        await log.WaitForAllAsync(published);
        await Eventually.HoldsAsync(() => Adapter.DroppedEventIds("dropping").Count > 0, () => "the dropped event was not dead-lettered");
        await host.StopAsync();

        AssertArrived(published, log.Ids);
        Assert.Equal(["poison"], Adapter.DroppedEventIds("dropping").Distinct());
    }
}

public abstract class EverySubscriptionOfATopicGetsItsOwnFullCopy(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Fact]
    public async Task TwoSubscriptionsEachSeeEveryEventInOrder()
    {
        // the second one fails now and then: that must not hold the first one back, nor cost it events
        var first = new DeliveryLog<FirstSubscription>();
        var second = new DeliveryLog<SecondSubscription>
        {
            Outcome = (e, attempt) => attempt == 1 && e.Id.EndsWith('7') ? EventHandling.Retry : EventHandling.Success,
        };
        await using var host = await Adapter.StartHostAsync(s => s
            .AddRecordingSubscription("billing", first)
            .AddRecordingSubscription("routing", second));
        var published = Enumerable.Range(0, 30).Select(i => $"e{i:D2}").ToArray();
        foreach (var id in published)
        {
            Assert.True(await host.Store.TryPublishAsync(Event(id)));
        }

        await first.WaitForAllAsync(published);
        await second.WaitForAllAsync(published);

        var retried = published.Where(id => id.EndsWith('7')).ToArray();
        await Eventually.HoldsAsync(() => retried.All(id => second.Attempts(id) >= 2), () => $"not every event ending in 7 was retried: [{string.Join(", ", second.Ids)}]");
        AssertArrived(published, first.Ids);
        AssertArrived(published, second.Ids, retried);
        if (Adapter.DeliversOnce)
        {
            Assert.All(published, id => Assert.Equal(id.EndsWith('7') ? 2 : 1, second.Attempts(id)));
        }
    }
}

public abstract class SubscriptionReceivesNoEventsOfAnotherTopic(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Fact]
    public async Task OnlyItsOwnTopicIsDelivered()
    {
        var mine = new DeliveryLog<FirstSubscription>();
        var theirs = new DeliveryLog<SecondSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s
            .AddRecordingSubscription("mine", mine, topic: "physical-connections")
            .AddRecordingSubscription("theirs", theirs, topic: "routing"));

        Assert.True(await host.Store.TryPublishAsync(Event("r1", "routing"), Event("p1", "physical-connections")));
        Assert.True(await host.Store.TryPublishAsync(Event("r2", "routing")));
        Assert.True(await host.Store.TryPublishAsync(Event("x1", "nobody-listens")));
        Assert.True(await host.Store.TryPublishAsync(Event("p2", "physical-connections")));
        Assert.True(await host.Store.TryPublishAsync(Event("r3", "routing")));

        // each topic is delivered on its own, so another topic's earlier events would have arrived by now
        await mine.WaitForAllAsync(["p1", "p2"]);
        await theirs.WaitForAllAsync(["r1", "r2", "r3"]);
        AssertArrived(["p1", "p2"], mine.Ids);
        AssertArrived(["r1", "r2", "r3"], theirs.Ids);
        Assert.All(mine.Deliveries, d => Assert.Equal("physical-connections", d.Topic));
        Assert.All(theirs.Deliveries, d => Assert.Equal("routing", d.Topic));
    }
}

public abstract class DeliveredEventCarriesThePublishersTraceParent(CoordinationAdapter adapter) : ConformanceDeliveryTest(adapter)
{
    [Fact]
    public async Task TraceParentIsDeliveredUnchanged()
    {
        const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var log = new DeliveryLog<FirstSubscription>();
        await using var host = await Adapter.StartHostAsync(s => s.AddRecordingSubscription("traced", log));

        Assert.True(await host.Store.TryExecuteTransactionAsync(
            [new UpsertState("k", Bytes("v"), ETagCondition.Any)],
            [Event("traced") with { TraceParent = TraceParent }, Event("untraced")]));
        await log.WaitForAllAsync(["traced", "untraced"]);

        Assert.Equal(TraceParent, log.Deliveries.First(d => d.Id == "traced").TraceParent);
        Assert.Null(log.Deliveries.First(d => d.Id == "untraced").TraceParent);
    }
}

public sealed class DispatcherDeliversEveryEventInPublicationOrderOnSqlite() : DispatcherDeliversEveryEventInPublicationOrder(new SqliteAdapter());

public sealed class DispatcherDeliversEveryEventInPublicationOrderOnDapr() : DispatcherDeliversEveryEventInPublicationOrder(new DaprAdapter());

public sealed class EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEventOnSqlite() : EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEvent(new SqliteAdapter());

public sealed class EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEventOnDapr() : EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEvent(new DaprAdapter());

public sealed class EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOnOnSqlite() : EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOn(new SqliteAdapter());

public sealed class EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOnOnDapr() : EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOn(new DaprAdapter());

public sealed class EverySubscriptionOfATopicGetsItsOwnFullCopyOnSqlite() : EverySubscriptionOfATopicGetsItsOwnFullCopy(new SqliteAdapter());

public sealed class EverySubscriptionOfATopicGetsItsOwnFullCopyOnDapr() : EverySubscriptionOfATopicGetsItsOwnFullCopy(new DaprAdapter());

public sealed class SubscriptionReceivesNoEventsOfAnotherTopicOnSqlite() : SubscriptionReceivesNoEventsOfAnotherTopic(new SqliteAdapter());

public sealed class SubscriptionReceivesNoEventsOfAnotherTopicOnDapr() : SubscriptionReceivesNoEventsOfAnotherTopic(new DaprAdapter());

public sealed class DeliveredEventCarriesThePublishersTraceParentOnSqlite() : DeliveredEventCarriesThePublishersTraceParent(new SqliteAdapter());

public sealed class DeliveredEventCarriesThePublishersTraceParentOnDapr() : DeliveredEventCarriesThePublishersTraceParent(new DaprAdapter());

public sealed class DispatcherDeliversEveryEventInPublicationOrderOnDaprRedisStreams() : DispatcherDeliversEveryEventInPublicationOrder(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class DispatcherDeliversEveryEventInPublicationOrderOnDaprKafka() : DispatcherDeliversEveryEventInPublicationOrder(new DaprAdapter(DaprDelivery.Kafka));

public sealed class EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEventOnDaprRedisStreams() : EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEvent(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEventOnDaprKafka() : EventRetriedByItsHandlerIsRedeliveredBeforeAnyLaterEvent(new DaprAdapter(DaprDelivery.Kafka));

public sealed class EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOnOnDaprRedisStreams() : EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOn(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOnOnDaprKafka() : EventDroppedByItsHandlerIsDeadLetteredAndDeliveryMovesOn(new DaprAdapter(DaprDelivery.Kafka));

public sealed class EverySubscriptionOfATopicGetsItsOwnFullCopyOnDaprRedisStreams() : EverySubscriptionOfATopicGetsItsOwnFullCopy(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class EverySubscriptionOfATopicGetsItsOwnFullCopyOnDaprKafka() : EverySubscriptionOfATopicGetsItsOwnFullCopy(new DaprAdapter(DaprDelivery.Kafka));

public sealed class SubscriptionReceivesNoEventsOfAnotherTopicOnDaprRedisStreams() : SubscriptionReceivesNoEventsOfAnotherTopic(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class SubscriptionReceivesNoEventsOfAnotherTopicOnDaprKafka() : SubscriptionReceivesNoEventsOfAnotherTopic(new DaprAdapter(DaprDelivery.Kafka));

public sealed class DeliveredEventCarriesThePublishersTraceParentOnDaprRedisStreams() : DeliveredEventCarriesThePublishersTraceParent(new DaprAdapter(DaprDelivery.RedisStreams));

public sealed class DeliveredEventCarriesThePublishersTraceParentOnDaprKafka() : DeliveredEventCarriesThePublishersTraceParent(new DaprAdapter(DaprDelivery.Kafka));
