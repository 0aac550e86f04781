using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The target list (<c>--modules</c>): the same binary hosts any subset of the modules, which is
/// how the distributed topology runs one module per process. Each module starts on its own.
/// </summary>
public sealed class ModuleSelectionTests
{
    public static TheoryData<string> Modules() => [.. GatewayApp.ModuleNames];

    private static async Task<(WebApplication App, GrpcChannel Channel, string DataDirectory)> StartAsync(string modules)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "dc-mod-" + Guid.NewGuid().ToString("N"));
        var app = GatewayApp.Build([$"--data-dir={dataDirectory}", "--grpc-port=0", "--rest-port=0", "--Logging:LogLevel:Default=Warning", $"--modules={modules}"]);
        await app.StartAsync();
        return (app, GrpcChannel.ForAddress(app.Services.GetRequiredService<GatewayEndpoints>().GrpcAddress), dataDirectory);
    }

    private static async Task StopAsync(WebApplication app, GrpcChannel channel, string dataDirectory)
    {
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task EachModuleStartsAndServesOnItsOwn(string module)
    {
        var (app, channel, dataDirectory) = await StartAsync(module);
        try
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            // The HTTP probes too, on the REST port that every process has (exposed or not).
            var rest = app.Services.GetRequiredService<GatewayEndpoints>().RestAddress;
            Assert.Equal(System.Net.HttpStatusCode.OK, (await ProbeAnswer.GetAsync(rest, "/healthz")).Code);
            Assert.Equal(["events", "self", "state"], (await ProbeAnswer.ReadyAsync(rest)).Checks.Keys.Order(StringComparer.Ordinal));
        }
        finally
        {
            await StopAsync(app, channel, dataDirectory);
        }
    }

    [Fact]
    public async Task AProcessServesOnlyTheModulesItHosts()
    {
        var (app, channel, dataDirectory) = await StartAsync("Routing");
        try
        {
            var token = Tokens.CallAs(dataDirectory, "modules", "customer");
            var vpcs = await new VpcService.VpcServiceClient(channel).ListVpcsAsync(new ListVpcsRequest { Region = Seed.Region }, token);
            Assert.Empty(vpcs.Vpcs);
            var absent = await Assert.ThrowsAsync<RpcException>(async () => await new PhysicalConnectionService.PhysicalConnectionServiceClient(channel)
                .ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, token));
            Assert.Equal(StatusCode.Unimplemented, absent.StatusCode);
        }
        finally
        {
            await StopAsync(app, channel, dataDirectory);
        }
    }

    [Fact]
    public void AnUnknownModuleStopsTheStartNamingTheKnownOnes()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.SelectModules("Routing,Billing"));
        Assert.Contains("Billing", error.Message, StringComparison.Ordinal);
        Assert.Contains("PhysicalConnections", error.Message, StringComparison.Ordinal);
        Assert.Equal(GatewayApp.ModuleNames.Count, GatewayApp.SelectModules("all").Count);
        Assert.Equal(["Routing", "Gateway"], GatewayApp.SelectModules(" Routing , Gateway "));
    }
}

/// <summary>The coordination adapter switch: Dapr needs the app API token its AppCallback checks, and then maps that AppCallback.</summary>
public sealed class CoordinationAdapterSwitchTests
{
    private static string[] Args(params string[] extra) =>
        [$"--data-dir={Path.Combine(Path.GetTempPath(), "dc-adapter-" + Guid.NewGuid().ToString("N"))}", "--grpc-port=0", "--rest-port=0", "--DirectConnect:Coordination:Adapter=Dapr", .. extra];

    [Fact]
    public void DaprWithoutAnAppApiTokenDoesNotStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.Build(Args()));
        Assert.Contains("APP_API_TOKEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DaprWithATokenServesTheAppCallback()
    {
        await using var app = GatewayApp.Build(Args("--DirectConnect:Coordination:Dapr:AppApiToken=test-token", "--DirectConnect:Coordination:Dapr:GrpcEndpoint=http://127.0.0.1:1"));
        Assert.Contains(((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>(),
            e => e.RoutePattern.RawText?.Contains("dapr.proto.runtime.v1.AppCallback/OnTopicEvent", StringComparison.Ordinal) == true);
        Assert.IsNotType<DirectConnect.Platform.Coordination.Sqlite.SqliteStateStore>(app.Services.GetRequiredService<DirectConnect.Platform.Coordination.IStateStore>());
    }
}
