namespace DirectConnect.PhysicalConnections;

/// <summary>Configuration section <c>DirectConnect:PhysicalConnections</c>.</summary>
public sealed class PhysicalConnectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:PhysicalConnections";

    /// <summary>How many connections (not deleted, not rejected) one account may have in one region.</summary>
    public int QuotaPerAccountPerRegion { get; set; } = 10;
}
