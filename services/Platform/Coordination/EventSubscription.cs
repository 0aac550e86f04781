namespace DirectConnect.Platform.Coordination;

/// <summary>
/// A durable subscription: <paramref name="Name"/> identifies the consumer (like a Dapr app id plus
/// handler), so several processes that register the same name share one position and each event
/// is handled by one of them.
/// </summary>
public sealed record EventSubscription(string Name, string Topic, Type HandlerType);
