using DirectConnect.BorderGateways.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.BorderGateways;

/// <summary>Wires the BorderGateways module into a host.</summary>
public static class BorderGatewaysModule
{
    /// <summary>Registers the module's services.</summary>
    public static IHostApplicationBuilder AddBorderGateways(this IHostApplicationBuilder builder) => builder;

    /// <summary>Maps the module's gRPC services.</summary>
    public static IEndpointRouteBuilder MapBorderGateways(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<BorderGatewayGrpcService>();
        return endpoints;
    }
}
