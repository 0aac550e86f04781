namespace DirectConnect.Platform.Coordination;

/// <summary>An event as delivered to a subscriber (the CloudEvents 1.0 attributes the project uses).</summary>
public sealed record CloudEvent(
    string Id,
    string Source,
    string Type,
    string Topic,
    DateTimeOffset Time,
    ReadOnlyMemory<byte> Data,
    string? TraceParent);
