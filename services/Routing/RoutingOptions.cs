namespace DirectConnect.Routing;

/// <summary>Configuration section <c>DirectConnect:Routing</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Routing";

    /// <summary>Static routes per route table.</summary>
    public int RouteQuotaPerTable { get; set; } = 100;
}
