using DirectConnect.Contracts.V1;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace DirectConnect.IntegrationTests;

/// <summary>Health and reflection, as probes and grpcurl use them (no token).</summary>
public sealed class PlatformEndpointsTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Fact]
    public async Task HealthAnswersServingWithoutAToken()
    {
        var health = new Health.HealthClient(system.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task ReflectionListsEveryPublicService()
    {
        var reflection = new ServerReflection.ServerReflectionClient(system.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();

        foreach (var expected in new[]
                 {
                     PhysicalConnectionService.Descriptor.FullName, LocationService.Descriptor.FullName, AccessDeviceService.Descriptor.FullName,
                     BorderGatewayService.Descriptor.FullName, VirtualInterfaceService.Descriptor.FullName, VpcService.Descriptor.FullName,
                     RouteService.Descriptor.FullName, ReachabilityService.Descriptor.FullName, WatchService.Descriptor.FullName,
                 })
        {
            Assert.Contains(expected, services);
        }
    }
}
