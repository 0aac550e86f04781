using System.Collections.Concurrent;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>With app-ids configured, a module's calls to another carry <c>dapr-app-id</c>, which a Dapr sidecar's gRPC proxy routes by.</summary>
public sealed class DaprAppIdTests(DaprAppIdTests.WithAppIds system) : IClassFixture<DaprAppIdTests.WithAppIds>
{
    /// <summary>The embedded system with app-ids for the services VirtualInterfaces and BorderGateways call, recording the header each call arrives with.</summary>
    public sealed class WithAppIds : EmbeddedSystem
    {
        public ConcurrentQueue<(string Method, string? AppId)> Calls { get; } = new();

        protected override IEnumerable<string> ExtraArguments =>
        [
            "--DirectConnect:Services:AppIds:PhysicalConnections=physical-connections",
            "--DirectConnect:Services:AppIds:BorderGateways=border-gateways",
            "--DirectConnect:Services:AppIds:Routing=routing",
        ];

        protected override void Configure(WebApplicationBuilder builder)
        {
            builder.Services.AddSingleton(Calls);
            builder.Services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<Recorder>());
        }
    }

    private sealed class Recorder(ConcurrentQueue<(string, string?)> calls) : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            calls.Enqueue((context.Method, context.RequestHeaders.GetValue("dapr-app-id")));
            return continuation(request, context);
        }
    }

    [Fact]
    public async Task CallsBetweenModulesNameTheTargetAppAndCallsFromClientsDoNot()
    {
        var seed = new Seed(system.Channel, system.As);
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await seed.Lines.AvailableAsync("appids", system.DefaultLocationId);
        var gateway = await seed.AvailableGatewayAsync("appids");
        await seed.CreateInterfaceAsync("appids", Seed.Interface(line, gateway, vlan: 100));

        var calls = system.Calls.ToArray();
        Assert.Contains(calls, c => c.Method == "/directconnect.internal.v1.PhysicalConnectionReservationService/ReservePhysicalConnection" && c.AppId == "physical-connections");
        Assert.Contains(calls, c => c.Method == "/directconnect.internal.v1.BorderGatewayReservationService/ReserveBorderGateway" && c.AppId == "border-gateways");
        Assert.Contains(calls, c => c.Method == "/directconnect.v1.VpcService/ListVpcs" && c.AppId == "routing"); // the gateway reads the catalog
        Assert.All(calls.Where(c => c.Method.EndsWith("/CreateVirtualInterface", StringComparison.Ordinal)), c => Assert.Null(c.AppId));
    }

    [Fact]
    public async Task TheEdgeForwardsToTheModulesAppThroughTheSidecarAddress()
    {
        // An edge hosting no service module, whose "sidecar" is the embedded system: every forwarded call names its app.
        var edge = GatewayApp.Build(
        [
            $"--data-dir={system.DataDirectory}", "--grpc-port=0", "--rest-port=0", "--modules=Gateway", "--Logging:LogLevel:Default=Warning",
            $"--DirectConnect:Services:Addresses:PhysicalConnections={system.GrpcAddress}",
            "--DirectConnect:Services:AppIds:PhysicalConnections=physical-connections",
        ]);
        await edge.StartAsync();
        try
        {
            var endpoints = edge.Services.GetRequiredService<GatewayEndpoints>();
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(endpoints.GrpcAddress);
            await new PhysicalConnectionService.PhysicalConnectionServiceClient(channel)
                .ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, system.As("edge", "customer"));
            using var rest = system.Rest("edge", "customer");
            rest.BaseAddress = endpoints.RestAddress;
            Assert.Equal(System.Net.HttpStatusCode.OK, (await rest.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections")).StatusCode);

            var forwarded = system.Calls.Where(c => c.Method == "/directconnect.v1.PhysicalConnectionService/ListPhysicalConnections").ToArray();
            Assert.Equal(2, forwarded.Length); // the gRPC call and the REST one, both forwarded
            Assert.All(forwarded, c => Assert.Equal("physical-connections", c.AppId));
        }
        finally
        {
            await edge.StopAsync();
            await edge.DisposeAsync();
        }
    }
}
