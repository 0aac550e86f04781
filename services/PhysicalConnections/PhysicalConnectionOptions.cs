namespace DirectConnect.PhysicalConnections;

/// <summary>Configuration section <c>DirectConnect:PhysicalConnections</c>.</summary>
public sealed class PhysicalConnectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:PhysicalConnections";

    /// <summary>How many connections (not deleted, not rejected) one account may have in one region.</summary>
    public int QuotaPerAccountPerRegion { get; set; } = 10;

    /// <summary>How many virtual interfaces (each holding a reservation with its VLAN) one connection may carry.</summary>
    public int VirtualInterfacesPerConnection { get; set; } = 50;

    /// <summary>How often the port gauges (allocated, free, waiting) are recomputed from the inventory.</summary>
    public TimeSpan PortMetricsInterval { get; set; } = TimeSpan.FromSeconds(15);
}
