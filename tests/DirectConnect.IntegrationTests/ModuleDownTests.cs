using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Grpc;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The distributed topology with modules down: the edge, and a module calling one that is down,
/// answer UNAVAILABLE as a <c>google.rpc.Status</c> naming the module, with a retry hint — over
/// gRPC and REST alike — never an empty 502 or a bare transport error.
/// </summary>
public sealed class ModuleDownTests(ModuleDownTests.TopologyWithModulesDown system) : IClassFixture<ModuleDownTests.TopologyWithModulesDown>
{
    private const string Account = "module-down";

    /// <summary>
    /// Five processes; every path the tests take is shown to work first (so each process holds live
    /// connections to the next), then the PhysicalConnections and Routing processes are SIGKILLed.
    /// </summary>
    public sealed class TopologyWithModulesDown : IAsyncLifetime
    {
        public DistributedTopology Topology { get; } = new();

        public CallOptions Customer => Tokens.CallAs(Topology.DataDirectory, Account, "customer");

        public HttpClient Rest()
        {
            var http = new HttpClient { BaseAddress = Topology["Gateway"].RestAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue(Topology.DataDirectory, Account, "customer"));
            return http;
        }

        public async Task InitializeAsync()
        {
            await Topology.InitializeAsync();
            await new PhysicalConnectionService.PhysicalConnectionServiceClient(Topology.Channel)
                .ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, Customer);
            await new BorderGatewayService.BorderGatewayServiceClient(Topology.Channel).CreateBorderGatewayAsync(
                new CreateBorderGatewayRequest { Region = Seed.Region, BorderGateway = new BorderGateway { Name = "before" } }, Customer);
            // VirtualInterfaces asks PhysicalConnections about the line: here it does not exist.
            var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
                await new VirtualInterfaceService.VirtualInterfaceServiceClient(Topology.Channel).CreateVirtualInterfaceAsync(
                    new CreateVirtualInterfaceRequest { Region = Seed.Region, VirtualInterface = Interface() }, Customer));
            Assert.Contains(status.Detail<BadRequest>().FieldViolations, v => v.Field == "virtual_interface.physical_connection_id");

            await Topology.KillAsync("PhysicalConnections");
            await Topology.KillAsync("Routing");
        }

        public Task DisposeAsync() => Topology.DisposeAsync();
    }

    private static VirtualInterface Interface() => new()
    {
        Name = "vif", PhysicalConnectionId = "dxpc-0000000000a1", BorderGatewayId = "dxbgw-0000000000a1", Vlan = 100, BandwidthMbps = 100,
        Bgp = new BgpPeering { CustomerAsn = 65001, CloudAddress = "169.254.0.1/30", CustomerAddress = "169.254.0.2/30" },
        IdcPrefixes = { "192.168.0.0/24" },
    };

    [Fact]
    public async Task TheEdgeAnswersACallToAModuleThatIsDownWithUnavailableNamingItOverGrpcAndRest()
    {
        var status = await RpcAssert.FailsWith(StatusCode.Unavailable, async () =>
            await new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Topology.Channel).GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = "dxpc-0000000000a1" }, system.Customer));
        AssertUnavailable(status, "PhysicalConnections", PhysicalConnectionService.Descriptor.FullName);

        using var http = system.Rest();
        using var response = await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/dxpc-0000000000a1");
        AssertUnavailable(await RestStatusAsync(response), "PhysicalConnections", PhysicalConnectionService.Descriptor.FullName);
    }

    [Fact]
    public async Task AModuleCallingAModuleThatIsDownAnswersTheSameWay()
    {
        var interfaces = new VirtualInterfaceService.VirtualInterfaceServiceClient(system.Topology.Channel);
        var status = await RpcAssert.FailsWith(StatusCode.Unavailable, async () => await interfaces.CreateVirtualInterfaceAsync(
            new CreateVirtualInterfaceRequest { Region = Seed.Region, VirtualInterface = Interface() }, system.Customer));
        AssertUnavailable(status, "PhysicalConnections", PhysicalConnectionService.Descriptor.FullName);

        using var http = system.Rest();
        using var created = await http.PostAsync($"/v1/regions/{Seed.Region}/virtualInterfaces",
            new StringContent(JsonFormatter.Default.Format(Interface()), Encoding.UTF8, "application/json"));
        AssertUnavailable(await RestStatusAsync(created), "PhysicalConnections", PhysicalConnectionService.Descriptor.FullName);

        // A new border gateway reads the VPC catalog, which the Routing process keeps.
        var gateways = new BorderGatewayService.BorderGatewayServiceClient(system.Topology.Channel);
        var catalog = await RpcAssert.FailsWith(StatusCode.Unavailable, async () => await gateways.CreateBorderGatewayAsync(
            new CreateBorderGatewayRequest { Region = Seed.Region, BorderGateway = new BorderGateway { Name = "after" } }, system.Customer));
        AssertUnavailable(catalog, "Routing", VpcService.Descriptor.FullName);
    }

    private static async Task<Google.Rpc.Status> RestStatusAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {response.Headers.RetryAfter}");
        var body = await response.Content.ReadAsStringAsync();
        var parser = new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(StatusResponses.DetailTypes));
        return parser.Parse<Google.Rpc.Status>(body);
    }

    private static void AssertUnavailable(Google.Rpc.Status status, string module, string service)
    {
        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        var info = status.Detail<ErrorInfo>();
        Assert.Equal("SERVICE_UNAVAILABLE", info.Reason);
        Assert.Equal(RpcStatusMapper.ErrorDomain, info.Domain);
        Assert.Equal(module, info.Metadata["module"]);
        Assert.Equal(service, info.Metadata["service"]);
        Assert.InRange(status.Detail<RetryInfo>().RetryDelay.ToTimeSpan(), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        // Nothing of the inside: no address, no transport or exception text.
        var text = status.ToString();
        foreach (var inside in new[] { "127.0.0.1", "localhost", "subchannel", "Exception", "HTTP status code" })
        {
            Assert.DoesNotContain(inside, text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
