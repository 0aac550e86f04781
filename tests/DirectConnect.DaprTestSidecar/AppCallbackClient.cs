using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectConnect.Testing.Dapr;

/// <summary>
/// The sidecar's side of Dapr's <c>AppCallback</c> service. Dapr.Protos ships that service only as
/// a server base, so the two calls the sidecar makes are declared here over its message types.
/// </summary>
public sealed class AppCallbackClient(CallInvoker invoker, string? apiToken = null)
{
    private const string ServiceName = "dapr.proto.runtime.v1.AppCallback";

    private static readonly Method<Empty, ListTopicSubscriptionsResponse> ListTopicSubscriptionsMethod = Unary<Empty, ListTopicSubscriptionsResponse>("ListTopicSubscriptions");
    private static readonly Method<TopicEventRequest, TopicEventResponse> OnTopicEventMethod = Unary<TopicEventRequest, TopicEventResponse>("OnTopicEvent");

    public async Task<ListTopicSubscriptionsResponse> ListTopicSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        await invoker.AsyncUnaryCall(ListTopicSubscriptionsMethod, null, Options(cancellationToken), new Empty());

    public async Task<TopicEventResponse> OnTopicEventAsync(TopicEventRequest request, CancellationToken cancellationToken = default) =>
        await invoker.AsyncUnaryCall(OnTopicEventMethod, null, Options(cancellationToken), request);

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(apiToken is null ? null : new Metadata { { "dapr-api-token", apiToken } }, cancellationToken: cancellationToken);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(MethodType.Unary, ServiceName, name,
            Marshallers.Create(m => m.ToByteArray(), bytes => new MessageParser<TRequest>(() => new TRequest()).ParseFrom(bytes)),
            Marshallers.Create(m => m.ToByteArray(), bytes => new MessageParser<TResponse>(() => new TResponse()).ParseFrom(bytes)));
}
