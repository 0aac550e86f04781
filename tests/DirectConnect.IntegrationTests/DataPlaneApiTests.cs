using DirectConnect.Contracts.V1;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 15, the control plane's side of the data plane, over real gRPC: routers as inventory, gateways placed on
/// them, and the internal API a router's agent uses (desired state as a stream that resumes, the key by its own
/// method, status reports that bring an interface into service). The agent here is this test, holding the key the
/// `agent-key` command derives; the agent process itself is tested against FRR elsewhere.
/// </summary>
public sealed class DataPlaneApiTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnAgentLearnsItsRoutersInterfacesReportsThemAppliedAndResumesWithoutRepeats()
    {
        var account = "dp-" + Guid.NewGuid().ToString("N")[..8];
        var seed = new Seed(system.Channel, system.As);
        var routers = new RouterService.RouterServiceClient(system.Channel);
        var router = await routers.CreateRouterAsync(new CreateRouterRequest
        {
            Region = Seed.Region, Router = new Router { Name = "bj-bgw-01", InterfaceName = "eth1", Asn = 64999 },
        }, seed.Operator);
        Assert.StartsWith("rtr-", router.Id, StringComparison.Ordinal);

        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await seed.Lines.AvailableAsync(account, system.DefaultLocationId);
        var vpc = await seed.RegisterVpcAsync(account, "10.60.0.0/16");
        var gateway = await seed.AttachedAsync(account, (await seed.AvailableGatewayAsync(account, asn: 64600)).Id, vpc.Id);
        // Placed on the region's least loaded router: this one, or one another test of the class registered.
        router = await routers.GetRouterAsync(new GetRouterRequest { Region = Seed.Region, Id = gateway.RouterId }, seed.Operator);
        Assert.Contains(gateway.Id, router.BorderGatewayIds);

        var draft = Seed.Interface(line, gateway, vlan: 300, idcPrefix: "192.168.30.0/24");
        // Control characters are refused at the API; text that reads like configuration is a valid name.
        draft.Name = "evil router bgp 1";
        draft.Description = "exit ! neighbor 10.9.9.9 remote-as 1";
        draft.Bgp.AuthKey = "s3cret-Key";
        var vif = await seed.CreateInterfaceAsync(account, draft);

        var agent = Agent(router.Id);
        var client = new InternalV1.DataPlaneService.DataPlaneServiceClient(system.InternalChannel);
        using var cancel = new CancellationTokenSource(Wait);
        int position;
        using (var stream = client.WatchRouterDesiredState(new InternalV1.WatchRouterDesiredStateRequest { RouterId = router.Id }, agent.WithCancellationToken(cancel.Token)))
        {
            Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
            var first = stream.ResponseStream.Current;
            Assert.Equal((router.InterfaceName, router.Asn), (first.Router.InterfaceName, first.Router.Asn));
            Assert.Equal([vif.Id], first.Snapshot.VirtualInterfaceIds);
            var peering = Assert.Single(first.Peerings);
            Assert.Equal((300, "169.254.0.1/30", "169.254.0.2/30", 64600L, 65001L), (peering.Vlan, peering.CloudAddress, peering.CustomerAddress, peering.CloudAsn, peering.CustomerAsn));
            Assert.Equal(["192.168.30.0/24"], peering.IdcPrefixes);
            Assert.Equal(["10.60.0.0/16"], peering.AnnouncedPrefixes);
            Assert.True(peering.AuthKeySet);
            // Nothing a customer typed besides validated values travels to the router, and never the key.
            var wire = first.ToString();
            Assert.DoesNotContain("evil", wire, StringComparison.Ordinal);
            Assert.DoesNotContain("exit", wire, StringComparison.Ordinal);
            Assert.DoesNotContain("10.9.9.9", wire, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", wire, StringComparison.Ordinal);
            position = (int)first.Position;
        }

        Assert.Equal("s3cret-Key", (await client.GetVirtualInterfaceAuthKeyAsync(
            new InternalV1.GetVirtualInterfaceAuthKeyRequest { RouterId = router.Id, VirtualInterfaceId = vif.Id }, agent)).AuthKey);

        // Still CONFIGURING: on a router, only the agent's report brings it into service.
        Assert.Equal(VirtualInterface.Types.State.Configuring, (await seed.GetInterfaceAsync(account, vif.Id)).State);
        var report = new InternalV1.ReportVirtualInterfaceStatusRequest
        {
            RouterId = router.Id, VirtualInterfaceId = vif.Id, Position = position, Applied = true, BgpUp = true, BgpState = "Established",
            ReceivedPrefixes = { "192.168.30.0/24" }, AdvertisedPrefixes = { "10.60.0.0/16" },
        };
        Assert.True((await client.ReportVirtualInterfaceStatusAsync(report, agent)).Recorded);
        var reported = await seed.GetInterfaceAsync(account, vif.Id);
        Assert.Equal((VirtualInterface.Types.State.Available, VirtualInterface.Types.BgpStatus.Up), (reported.State, reported.BgpStatus));
        // An older report (position before the last) changes nothing.
        Assert.False((await client.ReportVirtualInterfaceStatusAsync(new InternalV1.ReportVirtualInterfaceStatusRequest(report) { Position = position - 1, BgpUp = false }, agent)).Recorded);
        Assert.Equal(VirtualInterface.Types.BgpStatus.Up, (await seed.GetInterfaceAsync(account, vif.Id)).BgpStatus);

        // What the session exchanged, as reported, for the customer: received first, then advertised.
        var routes = await seed.Interfaces.ListVirtualInterfaceRoutesAsync(new ListVirtualInterfaceRoutesRequest { Region = Seed.Region, Id = vif.Id },
            seed.Customer(account));
        Assert.Equal(["RECEIVED 192.168.30.0/24", "ADVERTISED 10.60.0.0/16"],
            routes.Routes.Select(r => $"{(r.Direction == VirtualInterfaceRoute.Types.Direction.Received ? "RECEIVED" : "ADVERTISED")} {r.Prefix}"));
        Assert.Equal("Established", routes.BgpState);
        var firstPage = await seed.Interfaces.ListVirtualInterfaceRoutesAsync(new ListVirtualInterfaceRoutesRequest { Region = Seed.Region, Id = vif.Id, PageSize = 1 },
            seed.Customer(account));
        var secondPage = await seed.Interfaces.ListVirtualInterfaceRoutesAsync(new ListVirtualInterfaceRoutesRequest
        {
            Region = Seed.Region, Id = vif.Id, PageSize = 1, PageToken = firstPage.NextPageToken,
        }, seed.Customer(account));
        Assert.Equal(["192.168.30.0/24", "10.60.0.0/16"], firstPage.Routes.Concat(secondPage.Routes).Select(r => r.Prefix));
        Assert.Equal("", secondPage.NextPageToken);

        // The key is nowhere in the data directory in clear: the state store holds it sealed.
        foreach (var file in Directory.EnumerateFiles(system.DataDirectory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf("s3cret-Key"u8) < 0, $"{file} holds the MD5 key in clear");
        }

        // The BGP change is on the customer's watch stream.
        var feed = await Feed.ReadAsync(system.Channel, seed.Customer(account), TimeSpan.FromSeconds(2));
        Assert.Contains(feed, c => c.ResourceId == vif.Id && c.ChangeType == Change.Types.ChangeType.Updated);

        // Resumed after the position it applied: the snapshot again, no peering re-sent; then a delete arrives live.
        using var resumed = client.WatchRouterDesiredState(new InternalV1.WatchRouterDesiredStateRequest { RouterId = router.Id, AfterPosition = position },
            agent.WithCancellationToken(cancel.Token));
        Assert.True(await resumed.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal([vif.Id], resumed.ResponseStream.Current.Snapshot.VirtualInterfaceIds);
        Assert.Empty(resumed.ResponseStream.Current.Peerings);
        await seed.DeleteInterfaceAsync(account, vif.Id);
        Assert.True(await resumed.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal([vif.Id], resumed.ResponseStream.Current.RemovedVirtualInterfaceIds);
        Assert.True(resumed.ResponseStream.Current.Position > position);
    }

    [Fact]
    public async Task AnAgentServesItsOwnRouterOnlyAndNobodyElseCallsTheDataPlane()
    {
        var routers = new RouterService.RouterServiceClient(system.Channel);
        var seed = new Seed(system.Channel, system.As);
        var mine = await routers.CreateRouterAsync(new CreateRouterRequest { Region = Seed.Region, Router = new Router { Name = "a", InterfaceName = "eth1" } }, seed.Operator);
        var other = await routers.CreateRouterAsync(new CreateRouterRequest { Region = Seed.Region, Router = new Router { Name = "b", InterfaceName = "eth2" } }, seed.Operator);
        var client = new InternalV1.DataPlaneService.DataPlaneServiceClient(system.InternalChannel);
        var keyOf = new InternalV1.GetVirtualInterfaceAuthKeyRequest { RouterId = other.Id, VirtualInterfaceId = "dxvif-000000000000" };

        var wrongRouter = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => client.GetVirtualInterfaceAuthKeyAsync(keyOf, Agent(mine.Id)).ResponseAsync);
        Assert.Equal("ROUTER_NOT_ALLOWED", wrongRouter.Reason());

        // A key derived for another router does not prove this one: the token is refused outright.
        var forged = new AgentTokens(other.Id, Convert.ToBase64String(TestAgent.KeyOf(system, mine.Id)), TimeProvider.System).Token();
        var bad = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => client.GetVirtualInterfaceAuthKeyAsync(keyOf,
            new CallOptions(new Metadata { { "authorization", "Bearer " + forged } })).ResponseAsync);
        Assert.Equal("SERVICE_IDENTITY_REQUIRED", bad.Reason());

        // Neither a service (not an allowed caller) nor a person (operator included) calls the data plane.
        var credentials = (ServiceCredentials)system.Services.GetService(typeof(ServiceCredentials))!;
        var service = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => client.GetVirtualInterfaceAuthKeyAsync(keyOf,
            new CallOptions(new Metadata { { "authorization", "Bearer " + credentials.TokenFor("virtual-interfaces") } })).ResponseAsync);
        Assert.Equal("CALLER_NOT_ALLOWED", service.Reason());
        var person = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => client.GetVirtualInterfaceAuthKeyAsync(keyOf, seed.Operator).ResponseAsync);
        Assert.Equal("SERVICE_IDENTITY_REQUIRED", person.Reason());

        // Another router's interface (or none) is NOT_FOUND, even to the right agent.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => client.GetVirtualInterfaceAuthKeyAsync(keyOf, Agent(other.Id)).ResponseAsync);
    }

    [Fact]
    public async Task ARouterCarryingGatewaysCannotBeRemovedAndBadInputNamesEveryField()
    {
        var routers = new RouterService.RouterServiceClient(system.Channel);
        var seed = new Seed(system.Channel, system.As);
        var refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => routers.CreateRouterAsync(new CreateRouterRequest
        {
            Region = Seed.Region, Router = new Router { Name = "", InterfaceName = "eth1\nrouter bgp 1", Asn = 23456 },
        }, seed.Operator).ResponseAsync);
        Assert.Equal(["router.asn", "router.interface_name", "router.name"],
            refused.Detail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));

        var router = await routers.CreateRouterAsync(new CreateRouterRequest { Region = Seed.Region, Router = new Router { Name = "c", InterfaceName = "eth3" } }, seed.Operator);
        var account = "dp-" + Guid.NewGuid().ToString("N")[..8];
        var gateway = await seed.AvailableGatewayAsync(account);
        Assert.False(string.IsNullOrEmpty(gateway.RouterId));
        var placedOn = gateway.RouterId;
        var inUse = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => routers.DeleteRouterAsync(
            new DeleteRouterRequest { Region = Seed.Region, Id = placedOn }, seed.Operator).ResponseAsync);
        Assert.Equal("ROUTER_IN_USE", inUse.Reason());

        await seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id }, seed.Customer(account));
        var router2 = await routers.GetRouterAsync(new GetRouterRequest { Region = Seed.Region, Id = placedOn }, seed.Operator);
        Assert.DoesNotContain(gateway.Id, router2.BorderGatewayIds);
        if (placedOn == router.Id)
        {
            Assert.Equal(Router.Types.State.Deleted, (await routers.DeleteRouterAsync(new DeleteRouterRequest { Region = Seed.Region, Id = router.Id }, seed.Operator)).State);
        }
    }

    private CallOptions Agent(string routerId) => TestAgent.As(system, routerId);
}
