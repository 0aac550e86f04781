namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>One event waiting in the Dapr outbox: written in the state transaction, published by the relay.</summary>
public sealed record OutboxEntry(string Id, string Topic, string Type, string Source, DateTimeOffset Time, string? TraceParent, byte[] Data)
{
    /// <summary>The event's <see cref="OutgoingEvent.OrderingKey"/>, published as Dapr's <c>partitionKey</c>.</summary>
    public string? OrderingKey { get; init; }
}
