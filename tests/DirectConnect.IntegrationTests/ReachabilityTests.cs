using DirectConnect.Contracts.V1;
using HopKind = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Hop.Types.Kind;
using Reason = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Failure.Types.Reason;

namespace DirectConnect.IntegrationTests;

/// <summary>Reachability traces over the seed's topology: reachable both ways, and each way it can break named.</summary>
public sealed class ReachabilityTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Seed _seed = new(system.Channel, system.As);
    private readonly RouteService.RouteServiceClient _routes = new(system.Channel);
    private readonly ReachabilityService.ReachabilityServiceClient _reachability = new(system.Channel);

    private sealed record Topology(string Account, Vpc Vpc, BorderGateway Gateway, VirtualInterface Interface, Route ToIdc, Route ViaInterface, Route BackToVpc);

    private async Task<Topology> SeedAsync(bool bgpUp = true)
    {
        var account = "trace-" + Guid.NewGuid().ToString("N")[..8];
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, location);
        var vpc = await _seed.RegisterVpcAsync(account, "10.0.0.0/16");
        // A fresh router carries no gateway: the next gateway is placed on it, and its agent (this test) reports the session.
        var agent = await TestAgent.RegisterAsync(system);
        var gateway = await _seed.AttachedAsync(account, (await _seed.AvailableGatewayAsync(account)).Id, vpc.Id);
        var vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 100, idcPrefix: "192.168.0.0/24"));
        Assert.Equal(agent.RouterId, gateway.RouterId);
        // BGP is what the gateway's router reports: the trace uses it.
        await agent.ReportAsync(vif.Id, bgpUp);

        await Seed.EventuallyAsync(() => _seed.GetInterfaceAsync(account, vif.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");

        var customer = _seed.Customer(account);
        var toIdc = await _routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = Seed.Region, VpcId = vpc.Id,
            Route = new Route { Destination = "192.168.0.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
        }, customer);
        var viaInterface = await _routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = gateway.Id,
            Route = new Route { Destination = "192.168.0.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = vif.Id } },
        }, customer);
        var back = await _routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = gateway.Id,
            Route = new Route { Destination = "10.0.0.0/16", NextHop = new NextHop { Type = NextHopType.Vpc, Id = vpc.Id } },
        }, customer);
        return new Topology(account, vpc, gateway, vif, toIdc, viaInterface, back);
    }

    private async Task<ReachabilityTrace> TraceAsync(Topology t, string source, string destination) =>
        await _reachability.TraceReachabilityAsync(new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = source, DestinationAddress = destination }, _seed.Customer(t.Account));

    [Fact]
    public async Task TheSeedsRoutesTraceAsReachableBothWays()
    {
        var t = await SeedAsync();

        var outbound = await TraceAsync(t, "10.0.1.5", "192.168.0.10");
        Assert.True(outbound.Reachable, outbound.ToString());
        Assert.Equal(
            [HopKind.Vpc, HopKind.VpcRouteTable, HopKind.BorderGateway, HopKind.BorderGatewayRouteTable, HopKind.VirtualInterface, HopKind.PhysicalConnection, HopKind.Idc, HopKind.BorderGatewayRouteTable],
            outbound.Hops.Select(h => h.Kind));
        Assert.Equal(t.ToIdc.Id, outbound.Hops[1].MatchedRoute.Id);
        Assert.Equal(t.ViaInterface.Id, outbound.Hops[3].MatchedRoute.Id);
        Assert.Equal(t.BackToVpc.Id, outbound.Hops[^1].MatchedRoute.Id);

        var inbound = await TraceAsync(t, "192.168.0.10", "10.0.1.5");
        Assert.True(inbound.Reachable, inbound.ToString());
        Assert.Equal(HopKind.Idc, inbound.Hops[0].Kind);
        Assert.Contains(inbound.Hops, h => h.Kind == HopKind.VpcRouteTable && h.MatchedRoute.Id == t.ToIdc.Id); // the way back
    }

    [Fact]
    public async Task TheLongerPrefixWins()
    {
        var t = await SeedAsync();
        await _routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = Seed.Region, VpcId = t.Vpc.Id,
            Route = new Route { Destination = "192.168.0.128/25", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = t.Gateway.Id } },
        }, _seed.Customer(t.Account));
        Assert.Equal("192.168.0.128/25", (await TraceAsync(t, "10.0.1.5", "192.168.0.200")).Hops[1].MatchedRoute.Destination);
        Assert.Equal("192.168.0.0/24", (await TraceAsync(t, "10.0.1.5", "192.168.0.20")).Hops[1].MatchedRoute.Destination);
    }

    [Fact]
    public async Task WithoutTheReturnRouteTheTraceNamesIt()
    {
        var t = await SeedAsync();
        await _routes.DeleteBorderGatewayRouteAsync(new DeleteBorderGatewayRouteRequest { Region = Seed.Region, BorderGatewayId = t.Gateway.Id, RouteId = t.BackToVpc.Id }, _seed.Customer(t.Account));
        var trace = await TraceAsync(t, "10.0.1.5", "192.168.0.10");
        Assert.False(trace.Reachable);
        Assert.Equal(Reason.NoReturnRoute, trace.Failure.Reason);
        Assert.Equal(HopKind.BorderGatewayRouteTable, trace.Hops[trace.Failure.HopIndex].Kind);
        Assert.Contains("10.0.1.5", trace.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingTheInterfaceTurnsTheRouteIntoABlackholeAndTheTraceSaysSo()
    {
        var t = await SeedAsync();
        await _seed.DeleteInterfaceAsync(t.Account, t.Interface.Id);
        var trace = await Seed.EventuallyAsync(() => TraceAsync(t, "10.0.1.5", "192.168.0.10"), r => r.Failure?.Reason == Reason.Blackhole, "reported the blackhole");
        Assert.Equal(HopKind.BorderGatewayRouteTable, trace.Hops[trace.Failure.HopIndex].Kind);
        Assert.Equal(t.ViaInterface.Id, trace.Hops[trace.Failure.HopIndex].MatchedRoute.Id);
        Assert.Equal(Route.Types.State.Blackhole, trace.Hops[trace.Failure.HopIndex].MatchedRoute.State);
    }

    [Fact]
    public async Task ADownBgpSessionAndAMissingRouteAreNamed()
    {
        var t = await SeedAsync(bgpUp: false);
        var down = await TraceAsync(t, "10.0.1.5", "192.168.0.10");
        Assert.Equal(Reason.BgpDown, down.Failure.Reason);
        Assert.Equal(HopKind.VirtualInterface, down.Hops[down.Failure.HopIndex].Kind);

        var nowhere = await TraceAsync(t, "10.0.1.5", "172.31.0.1");
        Assert.Equal(Reason.NoRoute, nowhere.Failure.Reason);
        Assert.Equal(HopKind.VpcRouteTable, nowhere.Hops[nowhere.Failure.HopIndex].Kind);
    }

    [Fact]
    public async Task AnInterfaceWhoseRouterReportsTheSessionDownIsBgpDownOnTheTrace()
    {
        var t = await SeedAsync();
        var agent = new TestAgent(system, t.Gateway.RouterId);
        await agent.ReportAsync(t.Interface.Id, bgpUp: false, lastError: "MD5 authentication failed");
        var vif = await _seed.GetInterfaceAsync(t.Account, t.Interface.Id);
        Assert.Equal((VirtualInterface.Types.BgpStatus.Down, "MD5 authentication failed"), (vif.BgpStatus, vif.BgpLastError));
        var down = await TraceAsync(t, "10.0.1.5", "192.168.0.9");
        Assert.Equal(Reason.BgpDown, down.Failure.Reason);

        await agent.ReportAsync(t.Interface.Id, bgpUp: true);
        Assert.True((await TraceAsync(t, "10.0.1.5", "192.168.0.9")).Reachable);
    }

    [Fact]
    public async Task EveryRouteTableHopNamesItsTableAsItsMatchedRouteDoes()
    {
        var t = await SeedAsync();
        foreach (var (source, destination) in new[] { ("10.0.1.5", "192.168.0.10"), ("192.168.0.10", "10.0.1.5") })
        {
            var trace = await TraceAsync(t, source, destination);
            Assert.True(trace.Reachable, trace.ToString());
            var tableHops = trace.Hops.Where(h => h.Kind is HopKind.VpcRouteTable or HopKind.BorderGatewayRouteTable).ToList();
            Assert.Equal([HopKind.VpcRouteTable, HopKind.BorderGatewayRouteTable], tableHops.Select(h => h.Kind).Distinct().Order());
            Assert.All(tableHops, hop => Assert.Equal(hop.MatchedRoute.RouteTableId, hop.ResourceId));
            Assert.All(tableHops.Where(h => h.Kind == HopKind.VpcRouteTable), hop => Assert.Equal(t.Vpc.RouteTableId, hop.ResourceId));
            Assert.All(tableHops.Where(h => h.Kind == HopKind.BorderGatewayRouteTable), hop => Assert.Equal(t.Gateway.RouteTableId, hop.ResourceId));
            Assert.Equal(t.Gateway.Id, trace.Hops.Single(h => h.Kind == HopKind.BorderGateway).ResourceId);
        }
    }

    [Fact]
    public async Task AGatewayTableWithoutRoutesIsNamedByItsTableId()
    {
        // A gateway that never had a route has no stored table: the hop still names the table, not the gateway.
        var account = "trace-" + Guid.NewGuid().ToString("N")[..8];
        var vpc = await _seed.RegisterVpcAsync(account, "10.0.0.0/16");
        var gateway = await _seed.AttachedAsync(account, (await _seed.AvailableGatewayAsync(account)).Id, vpc.Id);
        await _routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = Seed.Region, VpcId = vpc.Id,
            Route = new Route { Destination = "192.168.0.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
        }, _seed.Customer(account));

        var trace = await _reachability.TraceReachabilityAsync(
            new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = "10.0.1.5", DestinationAddress = "192.168.0.10" }, _seed.Customer(account));

        Assert.Equal(Reason.NoRoute, trace.Failure.Reason);
        var stop = trace.Hops[trace.Failure.HopIndex];
        Assert.Equal(HopKind.BorderGatewayRouteTable, stop.Kind);
        Assert.StartsWith("rtb-", gateway.RouteTableId, StringComparison.Ordinal);
        Assert.Equal(gateway.RouteTableId, stop.ResourceId);
        Assert.Contains(gateway.RouteTableId, trace.Failure.Message, StringComparison.Ordinal);
    }
}
