using DirectConnect.Platform.Tenancy;

namespace DirectConnect.Routing.Domain;

/// <summary>What a route forwards to.</summary>
public enum NextHopKind
{
    /// <summary>A border gateway (from a VPC table).</summary>
    BorderGateway = 1,
    /// <summary>A VPC attached to the gateway (from a gateway table).</summary>
    Vpc = 2,
    /// <summary>A virtual interface of the gateway (from a gateway table).</summary>
    VirtualInterface = 3,
    /// <summary>The VPC itself (implicit local routes).</summary>
    Local = 4,
}

/// <summary>Whether a route forwards.</summary>
public enum RouteState
{
    /// <summary>The next hop exists and is attached.</summary>
    Active = 1,
    /// <summary>The next hop was deleted or detached: traffic is dropped, and the route stays visible until the customer deletes it.</summary>
    Blackhole = 2,
}

/// <summary>A static route (<c>rt-…</c>).</summary>
public sealed record StaticRoute(string Id, string Destination, NextHopKind NextHop, string NextHopId, RouteState State,
    DateTimeOffset CreateTime, DateTimeOffset UpdateTime, string ETag);

/// <summary>Which kind of table.</summary>
public enum RouteTableKind
{
    /// <summary>A VPC's table: local routes and routes to border gateways.</summary>
    Vpc = 1,
    /// <summary>A border gateway's table: routes to VPCs and to virtual interfaces.</summary>
    BorderGateway = 2,
}

/// <summary>
/// The static routes of one table, in one document so that destination uniqueness and the quota
/// are checked under one ETag. (A VPC's local routes are implicit: derived from its CIDR blocks.)
/// </summary>
public sealed record RouteTable(RouteTableKind Kind, string OwnerId, string AccountId, string Region, string RouteTableId,
    IReadOnlyList<StaticRoute> Routes) : IAccountResource
{
    /// <summary>The route to <paramref name="destination"/>, if any.</summary>
    public StaticRoute? RouteTo(string destination) => Routes.FirstOrDefault(r => r.Destination == destination);

    /// <summary>The table with <paramref name="route"/>.</summary>
    public RouteTable With(StaticRoute route) => this with { Routes = [.. Routes, route] };

    /// <summary>The table without route <paramref name="routeId"/>.</summary>
    public RouteTable Without(string routeId) => this with { Routes = Routes.Where(r => r.Id != routeId).ToArray() };

    /// <summary>The table with every active route through <paramref name="nextHopId"/> turned into a blackhole; null when none is.</summary>
    public RouteTable? Blackholed(string nextHopId, DateTimeOffset now, Func<string> etag) =>
        Routes.Any(r => r.NextHopId == nextHopId && r.State == RouteState.Active)
            ? this with
            {
                Routes = Routes.Select(r => r.NextHopId == nextHopId && r.State == RouteState.Active
                    ? r with { State = RouteState.Blackhole, UpdateTime = now, ETag = etag() }
                    : r).ToArray(),
            }
            : null;
}

/// <summary>
/// The tables that route through one next hop, and whether that next hop is gone. A route
/// creation writes it (refusing a gone next hop) and the deletion handler writes it (marking it
/// gone and blackholing the listed tables), both under its ETag: so a route can never be created
/// ACTIVE towards something deleted, whatever the interleaving.
/// </summary>
public sealed record NextHopUsage(IReadOnlyList<string> Tables, bool Gone)
{
    /// <summary>Nothing routes through it yet.</summary>
    public static readonly NextHopUsage None = new([], false);

    /// <summary>With <paramref name="ownerId"/>'s table.</summary>
    public NextHopUsage With(string ownerId) => Tables.Contains(ownerId) ? this : this with { Tables = [.. Tables, ownerId] };
}
