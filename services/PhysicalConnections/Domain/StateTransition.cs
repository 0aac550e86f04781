using System.Text.Json.Serialization;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>
/// One entry of a connection's history: the state entered, when, by whom, and why — and, for the
/// deletion of a connection that held a port, that port (the connection itself holds none after).
/// </summary>
public sealed record StateTransition(PhysicalConnectionState State, DateTimeOffset Time, string Actor, string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PortAssignment? ReleasedPort = null);
