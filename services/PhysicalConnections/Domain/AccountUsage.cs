namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>How many connections of one account in one region count against its quota.</summary>
public sealed record AccountUsage(int Connections)
{
    /// <summary>No connections.</summary>
    public static readonly AccountUsage None = new(0);
}
