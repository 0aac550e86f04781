using System.Net;
using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The distributed topology on one machine: the gateway and the four services as five real
/// processes on loopback, sharing the SQLite coordination file. The seed procedure runs through
/// the gateway (which forwards to the services); the VirtualInterfaces process is killed with
/// SIGKILL while interfaces are being created and deleted, and restarted; the flow completes and
/// the invariants of DOMAIN.md hold.
/// </summary>
public abstract class DistributedTopologyScenario(DistributedTopology topology)
{
    /// <summary>The five processes.</summary>
    protected DistributedTopology Topology => topology;

    private Seed Seed() => new(topology.Channel, (a, r) => Tokens.CallAs(topology.DataDirectory, a, r));

    [Fact]
    public async Task EveryProcessAnswersTheProbesWithoutAToken()
    {
        foreach (var name in DistributedTopology.Processes)
        {
            var rest = topology[name].RestAddress;
            Assert.Equal(HttpStatusCode.OK, (await ProbeAnswer.GetAsync(rest, "/healthz")).Code);
            var ready = await ProbeAnswer.ReadyAsync(rest);
            Assert.True(ready.Checks.Count == 3 && ready.Checks.Values.All(s => s == "Healthy"), $"{name}: {string.Join(", ", ready.Checks)}");
        }
    }

    [Fact]
    public async Task TheSeedRunsThroughFiveProcessesAndSurvivesTheVirtualInterfacesProcessBeingKilled()
    {
        const string account = "distributed";
        var seed = Seed();
        var location = (await new LocationService.LocationServiceClient(topology.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = IntegrationTests.Seed.Region, Location = new Location { Code = "DIST-1", Name = "distributed" } }, seed.Operator)).Id;
        var device = new AccessDevice { LocationId = location, Name = "asw" };
        device.Ports.AddRange(Enumerable.Range(0, 4).Select(i => new AccessDevice.Types.Port { Name = $"xe-0/0/{i}", Speed = PortSpeed._10G }));
        await new AccessDeviceService.AccessDeviceServiceClient(topology.Channel).CreateAccessDeviceAsync(
            new CreateAccessDeviceRequest { Region = IntegrationTests.Seed.Region, AccessDevice = device }, seed.Operator);

        // The seed procedure, every call through the gateway process.
        var line = await seed.Lines.AvailableAsync(account, location);
        var vpc = await seed.RegisterVpcAsync(account, "10.90.0.0/16");
        var gateway = await seed.AttachedAsync(account, (await seed.AvailableGatewayAsync(account)).Id, vpc.Id);
        var first = await seed.CreateInterfaceAsync(account, IntegrationTests.Seed.Interface(line, gateway, vlan: 100, idcPrefix: "192.168.90.0/24"));
        Assert.Equal(VirtualInterface.Types.State.Available, (await IntegrationTests.Seed.EventuallyAsync(
            () => seed.GetInterfaceAsync(account, first.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE")).State);
        using (var rest = new HttpClient { BaseAddress = topology["Gateway"].RestAddress })
        {
            rest.DefaultRequestHeaders.Authorization = new("Bearer", Tokens.Issue(topology.DataDirectory, account, "customer"));
            var read = await rest.GetAsync($"/v1/regions/{IntegrationTests.Seed.Region}/virtualInterfaces/{first.Id}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode); // REST forwarded too
        }

        // Interfaces come and go while the VirtualInterfaces process is SIGKILLed mid-flow.
        using var stop = new CancellationTokenSource();
        var created = 0;
        var firstCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // Each worker keeps at most 10 of its interfaces, so that the line (50 interfaces at most) has room for the
            // one created after the restart however fast the workers run.
            var kept = 0;
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var vif = await seed.CreateInterfaceAsync(account, IntegrationTests.Seed.Interface(line, gateway, vlan: 200 + (w * 50) + (n % 50),
                        idcPrefix: $"100.{70 + w}.{n % 200}.0/24", subnet: 1 + (w * 50) + (n % 50)));
                    Interlocked.Increment(ref created);
                    firstCreated.TrySetResult();
                    if (n % 2 == 0 || kept >= 10)
                    {
                        await seed.DeleteInterfaceAsync(account, vif.Id);
                    }
                    else
                    {
                        kept++;
                    }
                }
                catch (RpcException)
                {
                    // Refusals, and calls cut off by the kill: what matters is the state afterwards.
                }
            }
        })).ToArray();

        await Task.WhenAny(firstCreated.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        var killed = topology.KillAsync("VirtualInterfaces");
        await Task.Delay(500); // calls fail while it is down
        await killed;
        await topology.StartAsync("VirtualInterfaces");
        await Task.Delay(1000); // and succeed again once it is back
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(created > 0, "no interface was created before the kill: the test exercised nothing");

        // The flow completes after the restart: a new interface, and routes both ways through it.
        var after = await seed.CreateInterfaceAsync(account, IntegrationTests.Seed.Interface(line, gateway, vlan: 4000, idcPrefix: "192.168.91.0/24", subnet: 250));
        await IntegrationTests.Seed.EventuallyAsync(() => seed.GetInterfaceAsync(account, after.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE after the restart");
        var routes = new RouteService.RouteServiceClient(topology.Channel);
        await routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
        {
            Region = IntegrationTests.Seed.Region, VpcId = vpc.Id,
            Route = new Route { Destination = "192.168.91.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
        }, seed.Customer(account));
        await routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
        {
            Region = IntegrationTests.Seed.Region, BorderGatewayId = gateway.Id,
            Route = new Route { Destination = "192.168.91.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = after.Id } },
        }, seed.Customer(account));

        await Invariants.HoldAsync(seed, account, TimeSpan.FromSeconds(60));
    }
}

/// <summary>The scenario with the five processes coordinating through the shared SQLite file.</summary>
public sealed class DistributedTopologyTests(DistributedTopology topology) : DistributedTopologyScenario(topology), IClassFixture<DistributedTopology>
{
    [Fact]
    public async Task GrpcWebAtTheEdgeIsForwardedToTheModulesProcessAndAnsweredOnceWithCors()
    {
        var edge = Topology["Gateway"].RestAddress;
        var ops = Tokens.Issue(Topology.DataDirectory, "ops", "operator");
        const string origin = DistributedTopology.ConsoleOrigin;

        // Binary gRPC-Web to a method of the PhysicalConnections process, then the text form.
        var created = await GrpcWebClient.CallAsync(edge, "/directconnect.v1.LocationService/CreateLocation",
            new CreateLocationRequest { Region = Seed.Region, Location = new Location { Code = "WEB-DIST", Name = "through the edge" } }, ops, origin: origin);
        Assert.Equal(0, created.Code);
        var location = Location.Parser.ParseFrom(Assert.Single(created.Messages));
        Assert.Equal("application/grpc-web", created.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(origin, created.Header("Access-Control-Allow-Origin")); // once: the module's process adds none
        var listed = await GrpcWebClient.CallAsync(edge, "/directconnect.v1.LocationService/ListLocations",
            new ListLocationsRequest { Region = Seed.Region }, ops, text: true, origin: origin);
        Assert.Equal(0, listed.Code);
        Assert.Contains(ListLocationsResponse.Parser.ParseFrom(Assert.Single(listed.Messages)).Locations, l => l.Id == location.Id);

        // The module's error with its details, and the edge's own refusal, both in gRPC-Web.
        var missing = await GrpcWebClient.CallAsync(edge, "/directconnect.v1.PhysicalConnectionService/GetPhysicalConnection",
            new GetPhysicalConnectionRequest { Region = Seed.Region, Id = "dxpc-000000000000" }, Tokens.Issue(Topology.DataDirectory, "web", "customer"), text: true);
        Assert.Equal((int)StatusCode.NotFound, missing.Code);
        Assert.Equal("RESOURCE_NOT_FOUND", missing.Reason);
        var anonymous = await GrpcWebClient.CallAsync(edge, "/directconnect.v1.VpcService/ListVpcs", new ListVpcsRequest { Region = Seed.Region });
        Assert.Equal("application/grpc-web", anonymous.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)StatusCode.Unauthenticated, anonymous.Code);
        Assert.Equal("UNAUTHENTICATED", anonymous.Reason);
    }
}

/// <summary>
/// The scenario with the five processes coordinating through the Dapr adapter and a test sidecar
/// that delivers as Redis Streams does: out of order, with duplicates.
/// </summary>
public sealed class DistributedTopologyOnDaprTests(DaprDistributedTopology topology) : DistributedTopologyScenario(topology), IClassFixture<DaprDistributedTopology>
{
    [Fact]
    public async Task TheProcessesCoordinateThroughTheSidecarNotTheSqliteFile()
    {
        var seed = new Seed(topology.Channel, (a, r) => Tokens.CallAs(Topology.DataDirectory, a, r));
        var location = await new LocationService.LocationServiceClient(topology.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = IntegrationTests.Seed.Region, Location = new Location { Code = "DAPR-1", Name = "through dapr" } }, seed.Operator);
        var ordered = await seed.Lines.OrderAsync("dapr-check", location.Id);

        Assert.Contains(topology.Sidecar.KeysOf("physical-connections-state"), k => k.Contains(ordered.Id, StringComparison.Ordinal));
        await IntegrationTests.Seed.EventuallyAsync(() => Task.FromResult(topology.Sidecar.Envelopes("physical-connections")),
            envelopes => envelopes.Any(e => e.Envelope["type"]!.GetValue<string>() == "directconnect.events.v1.PhysicalConnectionCreated"), "published PhysicalConnectionCreated");
        Assert.False(File.Exists(Path.Combine(Topology.DataDirectory, "directconnect.db")), "a process opened the SQLite coordination file");
    }
}
