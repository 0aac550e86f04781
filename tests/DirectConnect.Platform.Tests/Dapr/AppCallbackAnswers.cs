using Dapr.AppCallback.Autogen.Grpc.v1;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using DirectConnect.Testing.Dapr;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Dapr;

/// <summary>What the app answers Dapr on its AppCallback, called directly as the sidecar would.</summary>
public sealed class AppCallbackAnswersEveryDeliveryWithAStatus() : ConformanceTest(new DaprAdapter())
{
    private DaprAdapter Dapr => (DaprAdapter)Adapter;

    [Fact]
    public async Task ListsEachSubscribedTopicOnceAndAnswersSuccessRetryOrDrop()
    {
        var first = new DeliveryLog<FirstSubscription>
        {
            Outcome = (e, _) => e.Id switch
            {
                "throws" => throw new InvalidOperationException("handler failure"),
                "retry" => EventHandling.Retry,
                "unknown-version" => EventHandling.Drop,
                _ => EventHandling.Success,
            },
        };
        var second = new DeliveryLog<SecondSubscription>();
        var (app, address) = await Dapr.StartAppAsync(s => s
            .AddRecordingSubscription("billing", first)
            .AddRecordingSubscription("routing", second)
            .AddRecordingSubscription("audit", new DeliveryLog<AuditSubscription>(), topic: "other-topic"));
        await using var _ = app;
        using var channel = GrpcChannel.ForAddress(address);
        var callback = new AppCallbackClient(channel.CreateCallInvoker());

        var subscriptions = await callback.ListTopicSubscriptionsAsync();
        Assert.Equal(["conformance", "other-topic"], subscriptions.Subscriptions.Select(s => s.Topic).Order(StringComparer.Ordinal));
        Assert.All(subscriptions.Subscriptions, s => Assert.Equal(DaprTestSidecar.PubSubName, s.PubsubName));

        Assert.Equal(TopicEventResponseStatus.Success, (await callback.OnTopicEventAsync(Delivery("fine"))).Status);
        Assert.Equal(TopicEventResponseStatus.Retry, (await callback.OnTopicEventAsync(Delivery("throws"))).Status);
        Assert.Equal(TopicEventResponseStatus.Retry, (await callback.OnTopicEventAsync(Delivery("retry"))).Status);
        Assert.Equal(TopicEventResponseStatus.Drop, (await callback.OnTopicEventAsync(Delivery("unknown-version"))).Status);
        // events no handler can ever take: no type, no id, a topic or pub/sub nothing here subscribes to
        Assert.Equal(TopicEventResponseStatus.Drop, (await callback.OnTopicEventAsync(Untyped())).Status);
        Assert.Equal(TopicEventResponseStatus.Drop, (await callback.OnTopicEventAsync(Delivery(""))).Status);
        Assert.Equal(TopicEventResponseStatus.Drop, (await callback.OnTopicEventAsync(Delivery("elsewhere", topic: "nobody-listens"))).Status);
        Assert.Equal(TopicEventResponseStatus.Drop, (await callback.OnTopicEventAsync(Delivery("other-bus", pubsub: "kafka"))).Status);

        // the second subscription of the topic finished "retry" already: the redelivery does not run it again
        Assert.Equal(1, second.Attempts("retry"));
        Assert.Equal(TopicEventResponseStatus.Retry, (await callback.OnTopicEventAsync(Delivery("retry"))).Status);
        Assert.Equal(2, first.Attempts("retry"));
        Assert.Equal(1, second.Attempts("retry"));
        Assert.Equal(0, first.Attempts("untyped") + first.Attempts("elsewhere") + first.Attempts("other-bus"));

        var delivered = first.Deliveries.Single(d => d.Id == "fine");
        Assert.Equal("fine", delivered.Text());
        Assert.Equal(EventType, delivered.Type);
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", delivered.TraceParent);
    }

    [Fact]
    public async Task WithAnAppApiTokenOnlyDeliveriesCarryingItAreServedAndTheSubscriptionsAreListedToTheTokenlessSidecar()
    {
        var log = new DeliveryLog<FirstSubscription>();
        var (app, address) = await Dapr.StartAppAsync(s => s.AddRecordingSubscription("billing", log), appApiToken: "sidecar-secret");
        await using var _ = app;
        using var channel = GrpcChannel.ForAddress(address);

        foreach (var token in new string?[] { null, "guessed" })
        {
            var stranger = new AppCallbackClient(channel.CreateCallInvoker(), token);
            var refused = await Assert.ThrowsAsync<RpcException>(() => stranger.OnTopicEventAsync(Delivery("forged")));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }

        // daprd asks for the subscriptions without the token (dapr pkg/runtime/processor/subscriber/subscriber.go):
        // refusing it would keep every subscription from starting.
        var tokenless = new AppCallbackClient(channel.CreateCallInvoker());
        Assert.Equal([Topic], (await tokenless.ListTopicSubscriptionsAsync()).Subscriptions.Select(s => s.Topic));

        var sidecar = new AppCallbackClient(channel.CreateCallInvoker(), "sidecar-secret");
        Assert.Equal(TopicEventResponseStatus.Success, (await sidecar.OnTopicEventAsync(Delivery("genuine"))).Status);
        Assert.Equal(["genuine"], log.Ids);
    }

    private static TopicEventRequest Untyped()
    {
        var request = Delivery("untyped");
        request.Type = "";
        return request;
    }

    private static TopicEventRequest Delivery(string id, string topic = Topic, string pubsub = DaprTestSidecar.PubSubName)
    {
        var request = new TopicEventRequest
        {
            Id = id,
            Source = Source,
            Type = EventType,
            SpecVersion = "1.0",
            DataContentType = DirectConnect.Platform.Coordination.Dapr.DaprOutboxRelay.PublishContentType,
            Data = ByteString.CopyFromUtf8(id),
            Topic = topic,
            PubsubName = pubsub,
            Extensions = new Google.Protobuf.WellKnownTypes.Struct(),
        };
        request.Extensions.Fields["traceparent"] = Google.Protobuf.WellKnownTypes.Value.ForString("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        return request;
    }

    private sealed class AuditSubscription;
}
