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
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var vif = await seed.CreateInterfaceAsync(account, IntegrationTests.Seed.Interface(line, gateway, vlan: 200 + (w * 50) + (n % 50),
                        idcPrefix: $"100.{70 + w}.{n % 200}.0/24", subnet: 1 + (w * 50) + (n % 50)));
                    Interlocked.Increment(ref created);
                    firstCreated.TrySetResult();
                    if (n % 2 == 0)
                    {
                        await seed.DeleteInterfaceAsync(account, vif.Id);
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
public sealed class DistributedTopologyTests(DistributedTopology topology) : DistributedTopologyScenario(topology), IClassFixture<DistributedTopology>;

/// <summary>
/// The scenario with the five processes coordinating through the Dapr adapter and a test sidecar
/// that delivers as Redis Streams does: out of order, with duplicates.
/// </summary>
public sealed class DistributedTopologyOnDaprTests(DaprDistributedTopology topology) : DistributedTopologyScenario(topology), IClassFixture<DaprDistributedTopology>
{
    [Fact]
    public async Task TheProcessesCoordinateThroughTheSidecarNotTheSqliteFile()
    {
        var seed = new Seed(topology.Channel, (a, r) => Tokens.CallAs(topology.DataDirectory, a, r));
        var location = await new LocationService.LocationServiceClient(topology.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = IntegrationTests.Seed.Region, Location = new Location { Code = "DAPR-1", Name = "through dapr" } }, seed.Operator);
        var ordered = await seed.Lines.OrderAsync("dapr-check", location.Id);

        Assert.Contains(topology.Sidecar.KeysOf("physical-connections-state"), k => k.Contains(ordered.Id, StringComparison.Ordinal));
        await IntegrationTests.Seed.EventuallyAsync(() => Task.FromResult(topology.Sidecar.Envelopes("physical-connections")),
            envelopes => envelopes.Any(e => e.Envelope["type"]!.GetValue<string>() == "directconnect.events.v1.PhysicalConnectionCreated"), "published PhysicalConnectionCreated");
        Assert.False(File.Exists(Path.Combine(topology.DataDirectory, "directconnect.db")), "a process opened the SQLite coordination file");
    }
}
