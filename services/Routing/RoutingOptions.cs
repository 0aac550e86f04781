namespace DirectConnect.Routing;

/// <summary>Configuration section <c>DirectConnect:Routing</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Routing";

    /// <summary>Static routes per route table.</summary>
    public int RouteQuotaPerTable { get; set; } = 100;

    /// <summary>
    /// VPCs (not deregistered) in the catalog per account and region. The VPC service has its own, smaller quota
    /// (AWS's default is 5 per region); the catalog's is generous, and bounds what every border gateway of the
    /// account attaches to and what a trace or an overlap check walks.
    /// </summary>
    public int VpcQuotaPerAccountPerRegion { get; set; } = 50;
}
