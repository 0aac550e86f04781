namespace DirectConnect.PhysicalConnections;

/// <summary>Configuration section <c>DirectConnect:PhysicalConnections</c>.</summary>
public sealed class PhysicalConnectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:PhysicalConnections";

    /// <summary>How many connections (not deleted, not rejected) one account may have in one region.</summary>
    public int QuotaPerAccountPerRegion { get; set; } = 10;

    /// <summary>How many lines a registered partner may hold in a region when its registration names no quota of its own.</summary>
    public int PartnerQuotaPerRegion { get; set; } = 100;

    /// <summary>The largest quota a partner registration may name.</summary>
    public int MaxPartnerQuotaPerRegion { get; set; } = 10_000;

    /// <summary>How many virtual interfaces (each holding a reservation with its VLAN) one connection may carry.</summary>
    public int VirtualInterfacesPerConnection { get; set; } = 50;

    /// <summary>
    /// How many locations one region may have. Locations cannot be deleted, so every one counts. Generous for an
    /// operator's inventory, but bounded: a region's locations are one index document that every list reads.
    /// </summary>
    public int LocationQuotaPerRegion { get; set; } = 500;

    /// <summary>How many access devices (not deleted) one location may have: generous for a site, but bounded.</summary>
    public int AccessDeviceQuotaPerLocation { get; set; } = 100;

    /// <summary>How often the port gauges (allocated, free, waiting) are recomputed from the inventory.</summary>
    public TimeSpan PortMetricsInterval { get; set; } = TimeSpan.FromSeconds(15);
}
