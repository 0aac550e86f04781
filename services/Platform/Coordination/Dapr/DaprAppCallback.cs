using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using global::Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static global::Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>
/// Dapr's app callback for an app that runs with <c>app-protocol: grpc</c>: lists one topic
/// subscription per topic of the registered <see cref="EventSubscription"/>s, and hands each
/// delivered event to their handlers. Dapr allows one subscription per topic and app, so the
/// subscriptions of one topic share the delivery: the answer is RETRY when any handler asks for it
/// (or throws), and handlers that already finished the event are not run again on the redelivery.
/// </summary>
public sealed partial class DaprAppCallback(
    IEnumerable<EventSubscription> subscriptions,
    IServiceScopeFactory scopes,
    IOptions<DaprCoordinationOptions> options,
    DaprDeliveryLedger ledger,
    ILogger<DaprAppCallback> logger) : AppCallback.AppCallbackBase
{
    private readonly DaprCoordinationOptions _options = options.Value;

    /// <summary>
    /// Lists the subscriptions, each with a dead-letter topic (<c>&lt;topic&gt;.dead-letter</c>): without one,
    /// Dapr discards an event the app DROPs (dapr <c>pkg/runtime/subscription/subscription.go</c>).
    /// Not checked against the app API token: daprd calls it without one, in every version from 1.14
    /// to head (dapr <c>pkg/runtime/processor/subscriber/subscriber.go</c> uses the bare app client, while
    /// deliveries add the token through <c>AddAppTokenToContext</c>), so a check would keep every
    /// subscription from starting. The list names only topics.
    /// </summary>
    public override Task<ListTopicSubscriptionsResponse> ListTopicSubscriptions(Empty request, ServerCallContext context)
    {
        var response = new ListTopicSubscriptionsResponse();
        response.Subscriptions.AddRange(subscriptions
            .Select(s => s.Topic)
            .Distinct(StringComparer.Ordinal)
            .Select(topic => new TopicSubscription { PubsubName = _options.PubSubName, Topic = topic, DeadLetterTopic = DeadLetterTopicOf(topic) }));
        return Task.FromResult(response);
    }

    /// <summary>Where Dapr publishes the events of <paramref name="topic"/> that a handler DROPs.</summary>
    public static string DeadLetterTopicOf(string topic) => topic + ".dead-letter";

    /// <inheritdoc />
    public override async Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireSidecar(context);
        var handlers = subscriptions.Where(s => s.Topic == request.Topic).ToArray();
        if (handlers.Length == 0 || request.PubsubName != _options.PubSubName)
        {
            LogUnsubscribed(request.PubsubName, request.Topic, request.Id);
            return Answer(TopicEventResponseStatus.Drop);
        }

        if (ToCloudEvent(request) is not { } cloudEvent)
        {
            // No id or type: no handler could ever make sense of it.
            LogMalformed(request.Topic, request.Id);
            return Answer(TopicEventResponseStatus.Drop);
        }

        var outcome = EventHandling.Success;
        foreach (var subscription in handlers)
        {
            if (ledger.IsFinished(subscription.Name, cloudEvent.Id))
            {
                continue;
            }

            var handled = await HandleAsync(subscription, cloudEvent, context.CancellationToken).ConfigureAwait(false);
            if (handled == EventHandling.Retry)
            {
                outcome = EventHandling.Retry;
                continue;
            }

            ledger.Finish(subscription.Name, cloudEvent.Id);
            if (handled == EventHandling.Drop)
            {
                LogDropped(subscription.Name, cloudEvent.Type, cloudEvent.Id);
                outcome = outcome == EventHandling.Retry ? outcome : EventHandling.Drop;
            }
        }

        return Answer(outcome switch
        {
            EventHandling.Retry => TopicEventResponseStatus.Retry,
            EventHandling.Drop => TopicEventResponseStatus.Drop,
            _ => TopicEventResponseStatus.Success,
        });
    }

    private async Task<EventHandling> HandleAsync(EventSubscription subscription, CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        using var activity = EventTelemetry.StartConsume(subscription, cloudEvent);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IEventHandler)scope.ServiceProvider.GetRequiredService(subscription.HandlerType);
            var outcome = await handler.HandleAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("directconnect.event.outcome", outcome.ToString());
            return outcome;
        }
#pragma warning disable CA1031 // a handler's failure is Dapr's RETRY, never a failed call
        catch (Exception exception)
#pragma warning restore CA1031
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            LogHandlerFailure(subscription.Name, cloudEvent.Type, cloudEvent.Id, exception);
            return EventHandling.Retry;
        }
    }

    private static CloudEvent? ToCloudEvent(TopicEventRequest request)
    {
        if (string.IsNullOrEmpty(request.Id) || string.IsNullOrEmpty(request.Type))
        {
            return null;
        }

        var extensions = request.Extensions?.Fields;
        var time = extensions is not null && extensions.TryGetValue("time", out var t)
            && DateTimeOffset.TryParse(t.StringValue, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed
            : DateTimeOffset.UtcNow;
        var traceParent = extensions is not null && extensions.TryGetValue("traceparent", out var tp) && tp.StringValue is { Length: > 0 } value
            ? value
            : null;
        return new CloudEvent(request.Id, request.Source, request.Type, request.Topic, time, request.Data.Memory, traceParent);
    }

    // Only the sidecar may deliver events: with an app API token set, a delivery without it is refused.
    // daprd sends the token on OnTopicEvent from v1.16.2 on (pkg/runtime/subscription/postman/grpc/grpc.go):
    // the minimum Dapr version of the distributed topology (README).
    private void RequireSidecar(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_options.AppApiToken is { Length: > 0 } token
            && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(context.RequestHeaders.GetValue("dapr-api-token") ?? ""),
                System.Text.Encoding.UTF8.GetBytes(token)))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "AppCallback calls must carry the sidecar's dapr-api-token."));
        }
    }

    private static TopicEventResponse Answer(TopicEventResponseStatus status) => new() { Status = status };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler of subscription {Subscription} failed on {EventType} {EventId}; Dapr will retry it")]
    private partial void LogHandlerFailure(string subscription, string eventType, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {Subscription} dropped {EventType} {EventId}")]
    private partial void LogDropped(string subscription, string eventType, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped event {EventId} of {PubSub}/{Topic}: nothing here subscribes to it")]
    private partial void LogUnsubscribed(string pubSub, string topic, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped event {EventId} of topic {Topic}: it has no id or type")]
    private partial void LogMalformed(string topic, string eventId);
}

/// <summary>
/// Which subscriptions already finished which events, so that a redelivery (RETRY for another
/// subscription of the same topic) does not run them again. In memory and bounded: after a restart
/// or eviction an event is handled again, which at-least-once delivery allows.
/// </summary>
public sealed class DaprDeliveryLedger
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<(string Subscription, string EventId), byte> _finished = new();
    private readonly ConcurrentQueue<(string, string)> _order = new();

    internal bool IsFinished(string subscription, string eventId) => _finished.ContainsKey((subscription, eventId));

    internal void Finish(string subscription, string eventId)
    {
        if (_finished.TryAdd((subscription, eventId), 0))
        {
            _order.Enqueue((subscription, eventId));
            while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
            {
                _finished.TryRemove(oldest, out _);
            }
        }
    }
}
