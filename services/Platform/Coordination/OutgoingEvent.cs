namespace DirectConnect.Platform.Coordination;

/// <summary>
/// An event to publish as a CloudEvent, atomically with the state transaction it is handed to
/// (the transactional outbox).
/// </summary>
/// <param name="Topic">The pub/sub topic, named after the publishing domain (e.g. <c>physical-connections</c>).</param>
/// <param name="Type">The CloudEvent type: the full protobuf name of the payload message.</param>
/// <param name="Data">The protobuf-encoded payload.</param>
public sealed record OutgoingEvent(string Topic, string Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>The CloudEvent id; unique per event, used by handlers to deduplicate.</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>W3C trace context of the publishing operation, carried to the handler.</summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// The resource the event is about (e.g. the connection's id): brokers that order only within a
    /// partition keep the events of one resource in order when they are keyed by it (Dapr's
    /// <c>partitionKey</c>). Null: no ordering is asked for.
    /// </summary>
    public string? OrderingKey { get; init; }
}
