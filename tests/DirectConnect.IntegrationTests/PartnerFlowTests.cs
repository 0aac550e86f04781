using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;
using HopKind = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Hop.Types.Kind;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The guide's other way in, end to end through the gateway: a partner's line AVAILABLE, a hosted connection allocated
/// to a customer, accepted, a private virtual interface on it beside one on the customer's own line, routes both ways,
/// a trace through the hosted connection; the planning rule across both connections; and the deletes in order, each
/// refused while something still uses what it would remove.
/// </summary>
public sealed class PartnerFlowTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Hosting _hosting = new(system);
    private readonly Seed _seed = new(system.Channel, system.As);

    private static VirtualInterface OnHosted(HostedConnection hosted, BorderGateway gateway, string idcPrefix, int subnet)
    {
        var vif = Seed.Interface(new PhysicalConnection(), gateway, vlan: 0, idcPrefix, subnet);
        vif.PhysicalConnectionId = "";
        vif.HostedConnectionId = hosted.Id;
        vif.Name = "over-hosted";
        return vif;
    }

    [Fact]
    public async Task APartnersHostedConnectionCarriesTheCustomersInterfaceFromLineToTrace()
    {
        // The partner: registered by an operator, its own line through the usual lifecycle.
        var (partner, partnerLine) = await _hosting.PartnerWithLineAsync();
        Assert.Equal(PhysicalConnection.Types.State.Available, partnerLine.State);

        // The customer: a VPC, a gateway on a router whose agent this test plays, and a dedicated line with an interface.
        var customer = Hosting.NewAccount("acme");
        var vpc = await _seed.RegisterVpcAsync(customer, "10.60.0.0/16");
        var agent = await TestAgent.RegisterAsync(system);
        var gateway = await _seed.AttachedAsync(customer, (await _seed.AvailableGatewayAsync(customer)).Id, vpc.Id);
        Assert.Equal(agent.RouterId, gateway.RouterId);
        var ownLocation = await system.AddLocationAsync();
        await system.AddDeviceAsync(ownLocation, ports: 1);
        var ownLine = await _seed.Lines.AvailableAsync(customer, ownLocation);
        var dedicated = await _seed.CreateInterfaceAsync(customer, Seed.Interface(ownLine, gateway, vlan: 100, idcPrefix: "192.168.60.0/24"));

        // The partner allocates; the customer sees it pending, with the partner's name, and accepts.
        var hosted = await _hosting.AllocateAsync(partner, partnerLine.Id, customer, 600, 200);
        var pending = Assert.Single(await _hosting.ListAsync(_hosting.Customer(customer)));
        Assert.Equal((HostedConnection.Types.State.PendingAcceptance, Hosting.DefaultName), (pending.State, pending.PartnerName));
        // Not usable before it is accepted.
        var early = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _seed.CreateInterfaceAsync(customer, OnHosted(hosted, gateway, "192.168.61.0/24", 1)));
        Assert.Equal("STATE_PENDING_ACCEPTANCE", early.Detail<ErrorInfo>().Metadata["currentState"]);
        hosted = await _hosting.AcceptAsync(hosted);

        // Planning covers both connections: an IDC prefix over the hosted connection that overlaps the VPC is refused, naming both prefixes and the connection.
        var overlap = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(customer, OnHosted(hosted, gateway, "10.60.8.0/24", 1)));
        Assert.Equal("CIDR_OVERLAP", overlap.Reason());
        var said = Assert.Single(overlap.Detail<BadRequest>().FieldViolations);
        Assert.Equal("virtual_interface.idc_prefixes[0]", said.Field);
        Assert.Matches($"^IDC prefix 10.60.8.0/24 \\(announced by dxvif-[0-9a-f]+ over {hosted.Id}\\) overlaps VPC CIDR 10.60.0.0/16 of {vpc.Id}$", said.Description);

        // Wrong VLAN, too much bandwidth, or both kinds of connection: each named.
        var wrong = OnHosted(hosted, gateway, "192.168.61.0/24", 1);
        wrong.Vlan = 601;
        wrong.BandwidthMbps = 300;
        wrong.PhysicalConnectionId = ownLine.Id;
        var refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(customer, wrong));
        Assert.Equal(["virtual_interface.physical_connection_id"], refused.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        wrong.PhysicalConnectionId = "";
        refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(customer, wrong));
        Assert.Equal(["virtual_interface.bandwidth_mbps", "virtual_interface.vlan"],
            refused.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));

        // The interface on the hosted connection takes its VLAN; its session comes up; it is AVAILABLE.
        var vif = await _seed.CreateInterfaceAsync(customer, OnHosted(hosted, gateway, "192.168.61.0/24", 1));
        Assert.Equal((600, hosted.Id, ""), (vif.Vlan, vif.HostedConnectionId, vif.PhysicalConnectionId));
        var second = await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => _seed.CreateInterfaceAsync(customer, OnHosted(hosted, gateway, "192.168.62.0/24", 2)));
        Assert.Equal("VLAN_IN_USE", second.Reason());
        await agent.ReportAsync(dedicated.Id, bgpUp: true);
        await agent.ReportAsync(vif.Id, bgpUp: true);
        await Seed.EventuallyAsync(() => _seed.GetInterfaceAsync(customer, vif.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");
        Assert.Equal([vif.Id], (await _hosting.GetAsync(hosted.Id, _hosting.Customer(customer))).VirtualInterfaceIds);

        // Routes both ways, and a trace through the hosted connection.
        var customerCall = _seed.Customer(customer);
        await _seed.Routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = Seed.Region, VpcId = vpc.Id,
            Route = new Route { Destination = "192.168.61.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
        }, customerCall);
        await _seed.Routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = gateway.Id,
            Route = new Route { Destination = "192.168.61.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = vif.Id } },
        }, customerCall);
        await _seed.Routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = Seed.Region, BorderGatewayId = gateway.Id,
            Route = new Route { Destination = "10.60.0.0/16", NextHop = new NextHop { Type = NextHopType.Vpc, Id = vpc.Id } },
        }, customerCall);
        var trace = await new ReachabilityService.ReachabilityServiceClient(system.Channel).TraceReachabilityAsync(
            new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = "10.60.1.5", DestinationAddress = "192.168.61.9" }, customerCall);
        Assert.True(trace.Reachable, trace.ToString());
        Assert.Equal(
            [HopKind.Vpc, HopKind.VpcRouteTable, HopKind.BorderGateway, HopKind.BorderGatewayRouteTable, HopKind.VirtualInterface, HopKind.HostedConnection, HopKind.Idc, HopKind.BorderGatewayRouteTable],
            trace.Hops.Select(h => h.Kind));
        Assert.Equal(hosted.Id, trace.Hops.Single(h => h.Kind == HopKind.HostedConnection).ResourceId);

        // A VPC registered later whose CIDR overlaps the hosted interface's prefix is refused attachment, saying which connection.
        var clashing = await _seed.RegisterVpcAsync(customer, "192.168.61.128/25");
        var refusedAttachment = await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(customer, gateway.Id),
            g => g.VpcAttachments.Any(a => a.VpcId == clashing.Id), "saw the new VPC");
        Assert.Equal($"VPC CIDR 192.168.61.128/25 overlaps IDC prefix 192.168.61.0/24 of {vif.Id} over {hosted.Id}",
            refusedAttachment.VpcAttachments.Single(a => a.VpcId == clashing.Id).Reason);

        // The partner sees its line and the hosted connection, and nothing of the customer's interfaces.
        var partnerCall = _hosting.Partner(partner);
        Assert.Empty((await _hosting.GetAsync(hosted.Id, partnerCall)).VirtualInterfaceIds);
        var line = await _seed.Lines.Client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Seed.Region, Id = partnerLine.Id }, partnerCall);
        Assert.Equal([hosted.Id], line.HostedConnectionIds);
        Assert.Empty(line.VirtualInterfaceIds);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => _seed.Interfaces.GetVirtualInterfaceAsync(
            new GetVirtualInterfaceRequest { Region = Seed.Region, Id = vif.Id }, partnerCall).ResponseAsync);

        // Deletes in order: neither side deletes a hosted connection with an interface; the partner not a line that hosts.
        foreach (var side in new[] { partnerCall, _hosting.Customer(customer) })
        {
            var inUse = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _hosting.DeleteAsync(hosted.Id, side));
            Assert.Equal(("HOSTED_CONNECTION_IN_USE", vif.Id), (inUse.Reason(), Assert.Single(inUse.Detail<PreconditionFailure>().Violations).Subject));
        }

        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _seed.Lines.DeleteAsync(partnerLine));
        await _seed.DeleteInterfaceAsync(customer, vif.Id);
        await Seed.EventuallyAsync(() => _hosting.GetAsync(hosted.Id, _hosting.Customer(customer)), h => h.VirtualInterfaceIds.Count == 0, "released the interface");
        Assert.Equal(HostedConnection.Types.State.Deleted, (await _hosting.DeleteAsync(hosted.Id, _hosting.Customer(customer))).State);
        Assert.Empty((await _seed.Lines.GetAsync(partnerLine.Id)).HostedConnectionIds);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, (await _seed.Lines.DeleteAsync(partnerLine)).State);
    }
}
