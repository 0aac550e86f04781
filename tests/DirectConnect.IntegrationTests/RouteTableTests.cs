using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>VPC and border-gateway route tables: every rule with a case that breaks it, the seed's routes both ways, and blackholes.</summary>
public sealed class RouteTableTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Seed _seed = new(system.Channel, system.As);
    private readonly RouteService.RouteServiceClient _routes = new(system.Channel);

    private sealed record Topology(string Account, PhysicalConnection Line, Vpc Vpc, BorderGateway Gateway, VirtualInterface Interface);

    private async Task<Topology> SeedAsync()
    {
        var account = "routes-" + Guid.NewGuid().ToString("N")[..8];
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, location);
        var vpc = await _seed.RegisterVpcAsync(account, "10.0.0.0/16");
        var gateway = await _seed.AttachedAsync(account, (await _seed.AvailableGatewayAsync(account)).Id, vpc.Id);
        var vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 100, idcPrefix: "192.168.0.0/24"));
        return new Topology(account, line, vpc, gateway, vif);
    }

    private Task<Route> VpcRouteAsync(Topology t, string destination, string? gatewayId = null) =>
        _routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = Seed.Region, VpcId = t.Vpc.Id,
            Route = new Route { Destination = destination, NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gatewayId ?? t.Gateway.Id } },
        }, _seed.Customer(t.Account)).ResponseAsync;

    private Task<Route> GatewayRouteAsync(Topology t, string destination, NextHopType type, string id) =>
        _routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = t.Gateway.Id,
            Route = new Route { Destination = destination, NextHop = new NextHop { Type = type, Id = id } },
        }, _seed.Customer(t.Account)).ResponseAsync;

    [Fact]
    public async Task TheSeedsRoutesGoBothWaysAndLocalRoutesAreListedButNotDeletable()
    {
        var t = await SeedAsync();
        var toIdc = await VpcRouteAsync(t, "192.168.0.0/24");
        var viaInterface = await GatewayRouteAsync(t, "192.168.0.0/24", NextHopType.VirtualInterface, t.Interface.Id);
        var toVpc = await GatewayRouteAsync(t, "10.0.0.0/16", NextHopType.Vpc, t.Vpc.Id);
        Assert.All(new[] { toIdc, viaInterface, toVpc }, r => Assert.Equal(Route.Types.State.Active, r.State));

        var vpcTable = await _routes.ListVpcRoutesAsync(new ListVpcRoutesRequest { Region = Seed.Region, VpcId = t.Vpc.Id }, _seed.Customer(t.Account));
        Assert.Equal(["10.0.0.0/16", "192.168.0.0/24"], vpcTable.Routes.Select(r => r.Destination));
        var local = vpcTable.Routes[0];
        Assert.Equal((Route.Types.Origin.Local, NextHopType.Local), (local.Origin, local.NextHop.Type));
        var notDeletable = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () => await _routes.DeleteVpcRouteAsync(
            new DeleteVpcRouteRequest { Region = Seed.Region, VpcId = t.Vpc.Id, RouteId = local.Id }, _seed.Customer(t.Account)));
        Assert.Equal("LOCAL_ROUTE", notDeletable.Reason());

        var gatewayTable = await _routes.ListBorderGatewayRoutesAsync(new ListBorderGatewayRoutesRequest { Region = Seed.Region, BorderGatewayId = t.Gateway.Id }, _seed.Customer(t.Account));
        Assert.Equal(["10.0.0.0/16", "192.168.0.0/24"], gatewayTable.Routes.Select(r => r.Destination));

        var deleted = await _routes.DeleteVpcRouteAsync(new DeleteVpcRouteRequest { Region = Seed.Region, VpcId = t.Vpc.Id, RouteId = toIdc.Id }, _seed.Customer(t.Account));
        Assert.Equal(Route.Types.State.Deleted, deleted.State);
        Assert.Single((await _routes.ListVpcRoutesAsync(new ListVpcRoutesRequest { Region = Seed.Region, VpcId = t.Vpc.Id }, _seed.Customer(t.Account))).Routes);
    }

    [Fact]
    public async Task DestinationsMustBeCanonicalAndTheErrorShowsTheCanonicalForm()
    {
        var t = await SeedAsync();
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => VpcRouteAsync(t, "192.168.0.7/24"));
        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("route.destination", violation.Field);
        Assert.Contains("192.168.0.0/24", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DestinationsAreUniquePerTableLocalRoutesIncluded()
    {
        var t = await SeedAsync();
        await VpcRouteAsync(t, "192.168.0.0/24");
        Assert.Equal("ROUTE_DESTINATION_EXISTS", (await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => VpcRouteAsync(t, "192.168.0.0/24"))).Reason());
        await GatewayRouteAsync(t, "10.0.0.0/16", NextHopType.Vpc, t.Vpc.Id);
        Assert.Equal("ROUTE_DESTINATION_EXISTS", (await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => GatewayRouteAsync(t, "10.0.0.0/16", NextHopType.Vpc, t.Vpc.Id))).Reason());
    }

    [Fact]
    public async Task IdcDestinationsMayNotOverlapAnAttachedVpcAndTheErrorNamesBoth()
    {
        var t = await SeedAsync();
        foreach (var create in new Func<Task<Route>>[] { () => VpcRouteAsync(t, "10.0.4.0/24"), () => GatewayRouteAsync(t, "10.0.0.0/8", NextHopType.VirtualInterface, t.Interface.Id) })
        {
            var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, create);
            Assert.Equal("CIDR_OVERLAP", status.Reason());
            Assert.Contains("10.0.0.0/16", status.Detail<BadRequest>().FieldViolations.Single().Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NextHopsMustBeOfTheSameAccountTheRightTypeAndAttached()
    {
        var t = await SeedAsync();
        var other = await SeedAsync();
        var foreignGateway = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => VpcRouteAsync(t, "192.168.0.0/24", other.Gateway.Id));
        Assert.Equal(["route.next_hop.id"], foreignGateway.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        var foreignVpc = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => GatewayRouteAsync(t, "10.0.0.0/16", NextHopType.Vpc, other.Vpc.Id));
        Assert.Equal(["route.next_hop.id"], foreignVpc.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        var foreignInterface = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => GatewayRouteAsync(t, "192.168.0.0/24", NextHopType.VirtualInterface, other.Interface.Id));
        Assert.Equal(["route.next_hop.id"], foreignInterface.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var wrongType = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => GatewayRouteAsync(t, "192.168.0.0/24", NextHopType.BorderGateway, t.Gateway.Id));
        Assert.Contains("route.next_hop.type", wrongType.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var secondGateway = await _seed.AvailableGatewayAsync(t.Account);
        var unattachedVpc = await _seed.RegisterVpcAsync(t.Account, "10.50.0.0/16");
        await _seed.AttachedAsync(t.Account, secondGateway.Id, unattachedVpc.Id, t.Vpc.Id);
        await _seed.AttachedAsync(t.Account, t.Gateway.Id, unattachedVpc.Id);
        // Every gateway of the account attaches to every VPC: "not attached" arises when an attachment is refused.
        var clash = await _seed.CreateInterfaceAsync(t.Account, Seed.Interface(t.Line, secondGateway, vlan: 101, idcPrefix: "172.20.0.0/16", subnet: 1));
        var refusedVpc = await _seed.RegisterVpcAsync(t.Account, "172.20.1.0/24");
        await _seed.AttachedAsync(t.Account, secondGateway.Id, refusedVpc.Id);
        var notAttached = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () => await _routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = secondGateway.Id,
            Route = new Route { Destination = "172.20.1.0/24", NextHop = new NextHop { Type = NextHopType.Vpc, Id = refusedVpc.Id } },
        }, _seed.Customer(t.Account)));
        Assert.Equal("NOT_ATTACHED", notAttached.Reason());
        Assert.NotNull(clash);
    }

    [Fact]
    public async Task EachTableHoldsAtMostItsQuotaOfRoutes()
    {
        var t = await SeedAsync();
        for (var i = 0; i < 100; i++)
        {
            await VpcRouteAsync(t, $"100.64.{i}.0/24");
        }

        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => VpcRouteAsync(t, "100.64.200.0/24"));
        Assert.Equal("ROUTE_QUOTA_EXCEEDED", status.Reason());
        Assert.NotNull(status.Detail<QuotaFailure>());
    }

    [Fact]
    public async Task DeletingTheInterfaceTurnsItsRoutesIntoBlackholesThatStayVisible()
    {
        var t = await SeedAsync();
        var viaInterface = await GatewayRouteAsync(t, "192.168.0.0/24", NextHopType.VirtualInterface, t.Interface.Id);
        await _seed.DeleteInterfaceAsync(t.Account, t.Interface.Id);

        var table = await Seed.EventuallyAsync(
            () => _routes.ListBorderGatewayRoutesAsync(new ListBorderGatewayRoutesRequest { Region = Seed.Region, BorderGatewayId = t.Gateway.Id }, _seed.Customer(t.Account)).ResponseAsync,
            r => r.Routes.Any(x => x.Id == viaInterface.Id && x.State == Route.Types.State.Blackhole), "blackholed the route");
        var route = table.Routes.Single(x => x.Id == viaInterface.Id);
        Assert.Equal((t.Interface.Id, NextHopType.VirtualInterface), (route.NextHop.Id, route.NextHop.Type)); // never points elsewhere

        var gone = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => GatewayRouteAsync(t, "192.168.1.0/24", NextHopType.VirtualInterface, t.Interface.Id));
        Assert.Equal(["route.next_hop.id"], gone.Detail<BadRequest>().FieldViolations.Select(v => v.Field)); // no new route towards a deleted interface
    }
}
