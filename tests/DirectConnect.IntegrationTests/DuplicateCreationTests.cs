using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The same CreateVirtualInterface sent 2 to 20 times at once with one request id, fifty times over,
/// then time past AbandonAfter so the reconciler has had every chance to roll something back: every
/// duplicate answers with the one interface, and every interface keeps what it holds — it is listed
/// by its line and its gateway, its VLAN stays taken, routes to it stay ACTIVE, neither owner can be
/// deleted, and the change feed reports no deletion of an interface that never existed.
/// </summary>
public sealed class DuplicateCreationTests(DuplicateCreationTests.System system) : IClassFixture<DuplicateCreationTests.System>
{
    private const int Rounds = 50;
    private const string Account = "hedger";

    public sealed class System : EmbeddedSystem
    {
        public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(3);

        protected override IEnumerable<string> ExtraArguments =>
        [
            $"--DirectConnect:VirtualInterfaces:AbandonAfter={AbandonAfter}",
            "--DirectConnect:VirtualInterfaces:ReconcileInterval=00:00:01",
            "--DirectConnect:VirtualInterfaces:ReleaseAgainAfter=00:00:03",
            "--DirectConnect:VirtualInterfaces:QuotaPerAccountPerRegion=1000",
            "--DirectConnect:PhysicalConnections:VirtualInterfacesPerConnection=1000",
        ];
    }

    [Fact]
    public async Task ConcurrentDuplicatesOfOneCreationLeaveExactlyOneInterfaceThatKeepsItsReservations()
    {
        var seed = new Seed(system.Channel, system.As);
        var customer = seed.Customer(Account);
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await seed.Lines.AvailableAsync(Account, system.DefaultLocationId);
        var vpc = await seed.RegisterVpcAsync(Account, "10.90.0.0/16");
        var gateway = await seed.AttachedAsync(Account, (await seed.AvailableGatewayAsync(Account)).Id, vpc.Id);
        var routes = new RouteService.RouteServiceClient(system.Channel);
        var random = new Random(1207);

        var created = new List<VirtualInterface>();
        for (var round = 0; round < Rounds; round++)
        {
            var request = new CreateVirtualInterfaceRequest
            {
                Region = Seed.Region,
                RequestId = Guid.NewGuid().ToString(),
                VirtualInterface = Seed.Interface(line, gateway, vlan: 100 + round, idcPrefix: $"192.168.{round}.0/24", subnet: round),
            };
            var copies = random.Next(2, 21);
            var answers = await Task.WhenAll(Enumerable.Range(0, copies).Select(async _ =>
            {
                try
                {
                    return (Vif: await seed.Interfaces.CreateVirtualInterfaceAsync(request, customer), Error: (RpcException?)null);
                }
                catch (RpcException exception)
                {
                    return (Vif: (VirtualInterface?)null, Error: exception);
                }
            }));
            Assert.All(answers, a => Assert.True(a.Error is null, $"round {round}, {copies} copies: {a.Error?.Status}"));
            var ids = answers.Select(a => a.Vif!.Id).Distinct().ToArray();
            Assert.True(ids.Length == 1, $"round {round}: {copies} copies of one request answered with {ids.Length} interfaces: {string.Join(", ", ids)}");
            created.Add(answers[0].Vif!);
            await routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
            {
                Region = Seed.Region, BorderGatewayId = gateway.Id,
                Route = new Route { Destination = $"192.168.{round}.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = ids[0] } },
            }, customer);
        }

        // Past AbandonAfter, with the reconciler running every second: any open intent of these creations is rolled back by now.
        await Task.Delay(System.AbandonAfter * 2);
        await Invariants.HoldAsync(seed, Account, TimeSpan.FromSeconds(30));

        var every = await seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region, ShowDeleted = true, PageSize = 1000 }, customer);
        Assert.Equal(created.Select(v => v.Id).Order(), every.VirtualInterfaces.Select(v => v.Id).Order()); // one interface per request, none lost, none extra
        var heldByLine = (await seed.Lines.GetAsync(line.Id)).VirtualInterfaceIds;
        var heldByGateway = (await seed.GetGatewayAsync(Account, gateway.Id)).VirtualInterfaceIds;
        foreach (var vif in created)
        {
            Assert.Contains(vif.Id, heldByLine);
            Assert.Contains(vif.Id, heldByGateway);
            Assert.Equal(VirtualInterface.Types.State.Available, every.VirtualInterfaces.Single(v => v.Id == vif.Id).State);
        }

        // Each VLAN is still held: a second interface with it is refused.
        foreach (var round in new[] { 0, Rounds / 2, Rounds - 1 })
        {
            var again = await RpcAssert.FailsWith(StatusCode.AlreadyExists, async () => await seed.CreateInterfaceAsync(Account,
                Seed.Interface(line, gateway, vlan: 100 + round, idcPrefix: $"192.168.{200 + round}.0/24", subnet: 200 + round)));
            Assert.Equal("VLAN_IN_USE", again.Reason());
        }

        var table = await routes.ListBorderGatewayRoutesAsync(new ListBorderGatewayRoutesRequest { Region = Seed.Region, BorderGatewayId = gateway.Id, PageSize = 1000 }, customer);
        var toInterfaces = table.Routes.Where(r => r.NextHop.Type == NextHopType.VirtualInterface).ToArray();
        Assert.Equal(Rounds, toInterfaces.Length);
        Assert.All(toInterfaces, r => Assert.True(r.State == Route.Types.State.Active, $"route {r.Destination} → {r.NextHop.Id} is {r.State}"));

        Assert.Equal("PHYSICAL_CONNECTION_IN_USE", (await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => seed.Lines.DeleteAsync(line))).Reason());
        Assert.Equal("BORDER_GATEWAY_IN_USE", (await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id }, customer))).Reason());

        var feed = await Feed.ReadAsync(system.Channel, customer, TimeSpan.FromSeconds(2));
        Assert.Empty(Feed.DeletionsOfInterfacesThatNeverExisted(feed, every.VirtualInterfaces));
        Assert.DoesNotContain(feed, c => c.ResourceType == "virtualInterface" && c.ChangeType == Change.Types.ChangeType.Deleted);
    }
}
