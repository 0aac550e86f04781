namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Consumes the events of one topic. Delivery is at least once and in publication order per
/// subscription, so a handler must be idempotent (the event id is stable across redeliveries).
/// </summary>
public interface IEventHandler
{
    /// <summary>Handles one event; exceptions count as <see cref="EventHandling.Retry"/>.</summary>
    Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);
}

/// <summary>What became of an event, in Dapr's words.</summary>
public enum EventHandling
{
    /// <summary>Handled (or deliberately ignored); move on.</summary>
    Success,
    /// <summary>Not now: deliver the same event again later.</summary>
    Retry,
    /// <summary>Can never be handled (malformed, unknown version): set aside as a dead letter and move on.</summary>
    Drop,
}
