using System.Diagnostics;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Carries W3C trace context through events: the publisher records the current trace parent on
/// the event, and delivery continues that trace, so one trace spans the request, the state write
/// and every handler that consumes its events.
/// </summary>
public static class EventTelemetry
{
    /// <summary>The activity source of publishing and consuming events.</summary>
    public static readonly ActivitySource Source = new("DirectConnect.Coordination");

    /// <summary>The W3C <c>traceparent</c> of the current activity, if any.</summary>
    public static string? CurrentTraceParent => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>Starts the consumer span of one delivery, as a child of the publisher's span.</summary>
    public static Activity? StartConsume(EventSubscription subscription, CloudEvent cloudEvent)
    {
        if (!Source.HasListeners())
        {
            return null; // nothing records spans: neither the name nor the parent is worked out
        }

        ActivityContext.TryParse(cloudEvent.TraceParent, null, out var parent);
        var activity = Source.StartActivity($"{cloudEvent.Topic} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "directconnect");
        activity?.SetTag("messaging.destination.name", cloudEvent.Topic);
        activity?.SetTag("messaging.consumer.group.name", subscription.Name);
        activity?.SetTag("messaging.message.id", cloudEvent.Id);
        activity?.SetTag("cloudevents.event_type", cloudEvent.Type);
        return activity;
    }

    /// <summary>
    /// Starts the consumer span of a batch delivered at once: OpenTelemetry's messaging conventions make it a span of its
    /// own, linked to each event's publisher span, since a span has one parent.
    /// </summary>
    public static Activity? StartConsumeBatch(EventSubscription subscription, IReadOnlyList<CloudEvent> events)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = events
            .Select(e => ActivityContext.TryParse(e.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default)
            .ToList();
        var activity = Source.StartActivity($"{subscription.Topic} process", ActivityKind.Consumer, default(ActivityContext), links: links);
        activity?.SetTag("messaging.system", "directconnect");
        activity?.SetTag("messaging.destination.name", subscription.Topic);
        activity?.SetTag("messaging.consumer.group.name", subscription.Name);
        activity?.SetTag("messaging.batch.message_count", events.Count);
        return activity;
    }
}
