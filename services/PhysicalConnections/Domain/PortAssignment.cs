namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>The access-device port a connection holds.</summary>
public sealed record PortAssignment(string AccessDeviceId, string PortName);
