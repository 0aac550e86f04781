namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>One entry of a connection's history: the state entered, when, by whom, and why.</summary>
public sealed record StateTransition(PhysicalConnectionState State, DateTimeOffset Time, string Actor, string Reason);
