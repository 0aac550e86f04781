using DirectConnect.Contracts.V1;
using Grpc.Core;
using HopKind = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Hop.Types.Kind;
using Reason = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Failure.Types.Reason;

namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>
/// Issue 15, end to end with nothing stood in for: the gateway (in this process, over real gRPC), the agent as its
/// own process holding the key `agent-key` derives, FRR in network namespaces for the cloud router and the
/// customer's router, and two hosts. The customer's router loads the configuration the API generates, unchanged but
/// for the key. Topology (this kernel has no 802.1Q: the sub-interfaces are untagged veths named as they would be):
/// <code>
/// idc host 192.168.60.10 ── lan0 customer router eth0.160 ══ eth1.160 cloud router vpc0 ── 10.60.0.10 vpc host
/// </code>
/// </summary>
public sealed class SeedWithAgentTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Key = "lab-md5-Key";
    private const int Vlan = 160;

    [Fact]
    public async Task TheSeedRunsOnRealRoutersAndAnEchoFromTheVpcReachesTheIdc()
    {
        await using var lab = await Lab.StartAsync(system, customerKey: Key);
        var seed = lab.Seed;

        // In service when applied, with BGP up as the router reports it, through the public API only.
        var vif = await lab.WaitForInterfaceAsync(v => v.State == VirtualInterface.Types.State.Available && v.BgpStatus == VirtualInterface.Types.BgpStatus.Up,
            "AVAILABLE with BGP UP");
        Assert.Equal("", vif.BgpLastError);
        var routes = await Seed.EventuallyAsync(() => seed.Interfaces.ListVirtualInterfaceRoutesAsync(
                new ListVirtualInterfaceRoutesRequest { Region = Seed.Region, Id = vif.Id }, lab.Customer).ResponseAsync,
            r => r.Routes.Count == 2, "reported the exchanged prefixes");
        Assert.Equal(["192.168.60.0/24 received", "10.60.0.0/16 advertised"],
            routes.Routes.Select(r => $"{r.Prefix} {(r.Direction == VirtualInterfaceRoute.Types.Direction.Received ? "received" : "advertised")}"));
        Assert.Equal("Established", routes.BgpState);

        // The trace, on the reported state, says reachable; and so does the kernel: an ICMP echo crosses both routers.
        await lab.RoutesBothWaysAsync();
        var trace = await new ReachabilityService.ReachabilityServiceClient(system.Channel).TraceReachabilityAsync(
            new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = "10.60.0.10", DestinationAddress = "192.168.60.10" }, lab.Customer);
        Assert.True(trace.Reachable, trace.ToString());
        var ping = await FrrLab.TryRunAsync("ip", "netns", "exec", lab.VpcHost, "ping", "-c", "3", "-W", "2", "192.168.60.10");
        Assert.True(ping.ExitCode == 0, $"no echo from the IDC host: {ping}\n{await lab.DiagnosticsAsync()}");

        // The customer's bgpd stops: DOWN, on the API and on the trace.
        await lab.StopCustomerBgpAsync();
        var down = await lab.WaitForInterfaceAsync(v => v.BgpStatus == VirtualInterface.Types.BgpStatus.Down, "BGP DOWN after the customer's bgpd stopped");
        Assert.NotEqual("", down.BgpLastError);
        var broken = await new ReachabilityService.ReachabilityServiceClient(system.Channel).TraceReachabilityAsync(
            new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = "10.60.0.10", DestinationAddress = "192.168.60.10" }, lab.Customer);
        Assert.Equal(Reason.BgpDown, broken.Failure.Reason);
        Assert.Equal(HopKind.VirtualInterface, broken.Hops[broken.Failure.HopIndex].Kind);

        // Deleting the interface removes its session from the cloud router.
        await lab.DeleteRoutesAsync();
        await seed.DeleteInterfaceAsync(lab.Account, vif.Id);
        await Eventually.TrueAsync(async () => await lab.Frr.NeighborAsync(lab.Cloud, "169.254.60.2") is null,
            () => $"the cloud router still has the deleted interface's neighbour\n--- agent ---\n{lab.Agent.Output}");
    }

    [Fact]
    public async Task AWrongKeyIsBgpDownWithTheMd5ReasonOnThePublicApi()
    {
        await using var lab = await Lab.StartAsync(system, customerKey: "not-the-key");
        var vif = await lab.WaitForInterfaceAsync(v => v.State == VirtualInterface.Types.State.Available && v.BgpLastError.Contains("MD5", StringComparison.Ordinal),
            "AVAILABLE with an MD5 failure named");
        Assert.Equal(VirtualInterface.Types.BgpStatus.Down, vif.BgpStatus);
    }

    [Fact]
    public async Task AKilledAgentMissesNoChangeAndResetsNoSessionWhenItComesBack()
    {
        await using var lab = await Lab.StartAsync(system, customerKey: Key);
        await lab.WaitForInterfaceAsync(v => v.BgpStatus == VirtualInterface.Types.BgpStatus.Up, "BGP UP");
        // Counted once settled: both sides connect, and a collision may yet replace the first session.
        var established = await Eventually.StableAsync(lab.EstablishedCountAsync);

        // The agent dies (SIGKILL); meanwhile the account gets a VPC, which its gateway attaches: the session must announce it.
        await lab.Agent.KillAsync();
        var second = await lab.Seed.RegisterVpcAsync(lab.Account, "10.61.0.0/16");
        await lab.Seed.AttachedAsync(lab.Account, lab.Gateway.Id, second.Id);
        lab.StartAgent();

        await Eventually.TrueAsync(async () => (await lab.Frr.BgpPrefixesAsync(lab.CustomerRouter)).Contains("10.61.0.0/16"),
            () => $"the customer's router never learnt the VPC attached while the agent was down\n--- agent ---\n{lab.Agent.Output}");
        var routes = await Seed.EventuallyAsync(() => lab.Seed.Interfaces.ListVirtualInterfaceRoutesAsync(
                new ListVirtualInterfaceRoutesRequest { Region = Seed.Region, Id = lab.InterfaceId }, lab.Customer).ResponseAsync,
            r => r.Routes.Any(x => x.Prefix == "10.61.0.0/16"), "reported the new VPC's CIDR advertised");
        Assert.Contains(routes.Routes, r => r.Prefix == "10.60.0.0/16");
        // The session was changed in place, never torn down: FRR counted no new establishment.
        Assert.Equal(established, await lab.EstablishedCountAsync());
        Assert.Equal(VirtualInterface.Types.BgpStatus.Up, (await lab.Seed.GetInterfaceAsync(lab.Account, lab.InterfaceId)).BgpStatus);
    }

    /// <summary>One run of the seed on real routers: the resources through the API, the namespaces, FRR, the agent.</summary>
    private sealed class Lab : IAsyncDisposable
    {
        private readonly EmbeddedSystem _system;
        private readonly List<string> _routeIds = [];

        private Lab(EmbeddedSystem system, FrrLab frr)
        {
            _system = system;
            Frr = frr;
            Seed = new Seed(system.Channel, system.As);
        }

        public FrrLab Frr { get; }

        public Seed Seed { get; }

        public string Account { get; } = "lab-" + Guid.NewGuid().ToString("N")[..8];

        public CallOptions Customer => Seed.Customer(Account);

        public string Cloud { get; private set; } = "";

        public string CustomerRouter { get; private set; } = "";

        public string VpcHost { get; private set; } = "";

        public AgentProcess Agent { get; private set; } = null!;

        public BorderGateway Gateway { get; private set; } = null!;

        public Vpc Vpc { get; private set; } = null!;

        public string InterfaceId { get; private set; } = "";

        public static async Task<Lab> StartAsync(EmbeddedSystem system, string customerKey)
        {
            var lab = new Lab(system, FrrLab.Create());
            try
            {
                await lab.BuildAsync(customerKey);
                return lab;
            }
            catch
            {
                await lab.DisposeAsync();
                throw;
            }
        }

        private async Task BuildAsync(string customerKey)
        {
            // The operator's side: a router (a fresh one carries no gateway, so the next gateway is placed on it), a line.
            var router = await TestAgent.RegisterAsync(_system, interfaceName: "eth1");
            var location = await _system.AddLocationAsync();
            await _system.AddDeviceAsync(location, ports: 1);
            var line = await Seed.Lines.AvailableAsync(Account, location);

            // The customer's side: a VPC, a gateway on the router, the interface with its key.
            Vpc = await Seed.RegisterVpcAsync(Account, "10.60.0.0/16");
            Gateway = await Seed.AttachedAsync(Account, (await Seed.AvailableGatewayAsync(Account, asn: 64600)).Id, Vpc.Id);
            Assert.Equal(router.RouterId, Gateway.RouterId);
            var draft = Seed.Interface(line, Gateway, vlan: Vlan, idcPrefix: "192.168.60.0/24");
            draft.Bgp.CloudAddress = "169.254.60.1/30";
            draft.Bgp.CustomerAddress = "169.254.60.2/30";
            draft.Bgp.AuthKey = Key;
            InterfaceId = (await Seed.CreateInterfaceAsync(Account, draft)).Id;
            var generated = await Seed.Interfaces.GetRouterConfigurationAsync(new GetRouterConfigurationRequest
            {
                Region = Seed.Region, Id = InterfaceId, Vendor = RouterVendor.Frr, Interface = "eth0",
            }, Customer);

            // The wires, the hosts and the two routers.
            Cloud = await Frr.NamespaceAsync("cloud");
            CustomerRouter = await Frr.NamespaceAsync("cust");
            var idc = await Frr.NamespaceAsync("idc");
            VpcHost = await Frr.NamespaceAsync("vpc");
            await Frr.LinkAsync(Cloud, $"eth1.{Vlan}", CustomerRouter, $"eth0.{Vlan}");
            await Frr.LinkAsync(CustomerRouter, "lan0", idc, "eth0");
            await Frr.LinkAsync(Cloud, "vpc0", VpcHost, "eth0");
            await FrrLab.RunAsync("ip", "-n", CustomerRouter, "address", "add", "192.168.60.1/24", "dev", "lan0");
            await FrrLab.RunAsync("ip", "-n", idc, "address", "add", "192.168.60.10/24", "dev", "eth0");
            await FrrLab.RunAsync("ip", "-n", idc, "route", "add", "default", "via", "192.168.60.1");
            await FrrLab.RunAsync("ip", "-n", Cloud, "address", "add", "10.60.0.1/16", "dev", "vpc0");
            await FrrLab.RunAsync("ip", "-n", VpcHost, "address", "add", "10.60.0.10/16", "dev", "eth0");
            await FrrLab.RunAsync("ip", "-n", VpcHost, "route", "add", "default", "via", "10.60.0.1");
            await Frr.StartFrrAsync(CustomerRouter);
            await Frr.StartFrrAsync(Cloud);

            // The customer loads what the API generated, with only the key filled in; then the agent starts (so the
            // cloud's first connect finds the customer configured, instead of waiting out FRR's connect retry).
            Assert.Contains("REPLACE-WITH-BGP-MD5-KEY", generated.Content, StringComparison.Ordinal);
            await Frr.ConfigureAsync(CustomerRouter, generated.Content.Replace("REPLACE-WITH-BGP-MD5-KEY", customerKey, StringComparison.Ordinal));
            RouterId = router.RouterId;
            StartAgent();
        }

        public string RouterId { get; private set; } = "";

        /// <summary>Starts the agent process (again, after a kill: with the same state directory).</summary>
        public void StartAgent() => Agent = AgentProcess.Start(RouterId, Convert.ToBase64String(TestAgent.KeyOf(_system, RouterId)),
            _system.InternalAddress, Cloud, Path.Combine(Frr.LogDirectory, "agent-state"));

        /// <summary>How many times the cloud router's session with the customer was established (FRR's count).</summary>
        public async Task<int> EstablishedCountAsync() =>
            (await Frr.NeighborAsync(Cloud, "169.254.60.2"))?.GetProperty("connectionsEstablished").GetInt32() ?? -1;

        public Task<VirtualInterface> WaitForInterfaceAsync(Func<VirtualInterface, bool> condition, string what) =>
            Seed.EventuallyAsync(() => Seed.GetInterfaceAsync(Account, InterfaceId), condition, $"{what} (agent: {Agent.Output})");

        public async Task RoutesBothWaysAsync()
        {
            var routes = new RouteService.RouteServiceClient(_system.Channel);
            _routeIds.Add((await routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
            {
                Region = Seed.Region, VpcId = Vpc.Id,
                Route = new Route { Destination = "192.168.60.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = Gateway.Id } },
            }, Customer)).Id);
            _routeIds.Add((await routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
            {
                Region = Seed.Region, BorderGatewayId = Gateway.Id,
                Route = new Route { Destination = "192.168.60.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = InterfaceId } },
            }, Customer)).Id);
            await routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
            {
                Region = Seed.Region, BorderGatewayId = Gateway.Id,
                Route = new Route { Destination = "10.60.0.0/16", NextHop = new NextHop { Type = NextHopType.Vpc, Id = Vpc.Id } },
            }, Customer);
        }

        public async Task DeleteRoutesAsync()
        {
            var routes = new RouteService.RouteServiceClient(_system.Channel);
            await routes.DeleteVpcRouteAsync(new DeleteVpcRouteRequest { Region = Seed.Region, VpcId = Vpc.Id, RouteId = _routeIds[0] }, Customer);
            await routes.DeleteBorderGatewayRouteAsync(new DeleteBorderGatewayRouteRequest
            {
                Region = Seed.Region, BorderGatewayId = Gateway.Id, RouteId = _routeIds[1],
            }, Customer);
        }

        /// <summary>Stops the customer router's bgpd as a crash would (SIGKILL): its TCP sessions close with it.</summary>
        public async Task StopCustomerBgpAsync()
        {
            var pid = (await File.ReadAllTextAsync($"/var/run/frr/{CustomerRouter}/bgpd.pid")).Trim();
            await FrrLab.RunAsync("kill", "-9", pid);
        }

        public async Task<string> DiagnosticsAsync()
        {
            var cloudRoutes = await FrrLab.TryRunAsync("ip", "-n", Cloud, "route");
            var customerRoutes = await FrrLab.TryRunAsync("ip", "-n", CustomerRouter, "route");
            return $"--- cloud routes ---\n{cloudRoutes.Output}\n--- customer routes ---\n{customerRoutes.Output}\n--- agent ---\n{Agent.Output}\n{Frr.Logs()}";
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Agent is not null)
                {
                    await Agent.DisposeAsync();
                }
            }
            finally
            {
                await Frr.DisposeAsync();
            }
        }
    }
}
