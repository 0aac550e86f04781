using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>What a port decision writes and publishes, and the connection as it will be.</summary>
public sealed record PortPlan(PhysicalConnection Connection, IReadOnlyList<StateOperation> Operations, IReadOnlyList<OutgoingEvent> Events);
