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

/// <summary>
/// A handler that can take several events of its subscription at once, to write what they change in one transaction
/// instead of one each. The SQLite dispatcher hands it each batch it reads (in publication order); Dapr delivers one
/// event at a time through <see cref="IEventHandler.HandleAsync"/>, which must mean the same as a batch of one.
/// </summary>
public interface IEventBatchHandler : IEventHandler
{
    /// <summary>
    /// Handles <paramref name="events"/> in order and returns one outcome per event. The first <see cref="EventHandling.Retry"/>
    /// ends the batch: that event and every one after it are delivered again, whatever their outcomes say. An exception
    /// counts as a retry of the whole batch.
    /// </summary>
    Task<IReadOnlyList<EventHandling>> HandleBatchAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken);
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
